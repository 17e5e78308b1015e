// The coordination properties have teeth: known bugs, injected from test code (coord-mutants.ts),
// are each caught by the RANDOM coordination campaign within one stated budget, and the real
// code passes the same campaign (same fast-check seed, at least as many cases). A table (mutant,
// case found at, seed, shrunk steps, violation, time) is printed.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { formatCoordActions } from './coord-nemesis.js';
import { COORD_MUTANTS } from './coord-mutants.js';
import { runCoordCampaign } from './coord-scenario.js';

/** The stated budget: 3 nodes, 3 clients, at most 300 generated cases per mutant, 60 runs to shrink. */
const BUDGET = { nodes: 3, clients: 3, runs: 300, seed: 20261207, maxActions: 25, maxShrinkRuns: 60 } as const;

interface Row {
  readonly mutant: string;
  readonly found: string;
  readonly seed: string;
  readonly steps: string;
  readonly violation: string;
  readonly ms: number;
}

const rows: Row[] = [];
let mostCases = 0;

function table(): string {
  const head = ['mutant', 'found at', 'seed', 'shrunk steps', 'violation', 'time'];
  const body = rows.map((r) => [r.mutant, r.found, r.seed, r.steps, r.violation, `${(r.ms / 1000).toFixed(1)} s`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

describe('the random coordination campaign catches known coordination bugs', () => {
  after(() => {
    console.log(`\ncoordination teeth (3 nodes, 3 clients, ≤${BUDGET.runs} cases per mutant, fc seed ${BUDGET.seed}):\n${table()}\n`);
  });

  for (const m of COORD_MUTANTS) {
    test(`${m.name}: ${m.bug} — caught`, () => {
      const r = runCoordCampaign({ ...BUDGET, tweaks: m.tweaks });
      const cx = r.counterexample;
      assert.ok(cx !== undefined, `${m.name} went unnoticed in ${r.runs} cases`);
      mostCases = Math.max(mostCases, r.runs);
      rows.push({
        mutant: m.name,
        found: `case ${r.runs}`,
        seed: `fc ${cx.seed} path ${cx.path} / sim ${cx.simSeed}`,
        steps: `${cx.actions.length} actions`,
        violation: cx.invariant,
        ms: r.elapsedMs,
      });
      console.log(
        `${m.name}: ${cx.invariant}: ${cx.message}\nsim seed ${cx.simSeed}, ${cx.actions.length} actions:\n${formatCoordActions(cx.actions)}`,
      );
    });
  }

  test('the real code passes every case the mutants were given', () => {
    const runs = Math.max(50, mostCases);
    const r = runCoordCampaign({ ...BUDGET, runs });
    assert.equal(r.counterexample, undefined, r.counterexample?.report);
    assert.equal(r.runs, runs);
    rows.push({
      mutant: '(real code)',
      found: `${runs} cases pass`,
      seed: `fc ${BUDGET.seed}`,
      steps: '-',
      violation: 'none',
      ms: r.elapsedMs,
    });
  });
});
