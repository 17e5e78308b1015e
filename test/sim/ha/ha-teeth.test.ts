// The single-active properties have teeth: seven known bugs of the active-role protocol,
// injected from test code (ha-mutants.ts), are each caught by the RANDOM HA campaign — the
// nemesis of their fencing mode (ha-scenario.ts), one stated budget — and the real controller
// passes the same campaign (same fast-check seed, at least as many cases, never fewer than 100). A table (mutant,
// seed, shrunk steps, violation, time) is printed.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { FencingMode } from '../../../src/ha/types.js';
import { formatActions } from '../nemesis.js';
import { HA_MUTANTS } from './ha-mutants.js';
import { runHaCampaign } from './ha-scenario.js';

/** The stated budget: 3 nodes, at most 600 generated cases per mutant, 300 runs to shrink. */
const BUDGET = { nodes: 3, runs: 600, seed: 20240611, maxActions: 30, maxShrinkRuns: 300 } as const;

interface Row {
  readonly mutant: string;
  readonly mode: string;
  readonly found: string;
  readonly seed: string;
  readonly steps: string;
  readonly violation: string;
  readonly ms: number;
}

const rows: Row[] = [];
/** Per fencing mode, the most cases a mutant was given: the real controller must pass them all. */
const casesGiven = new Map<FencingMode, number>();

function table(): string {
  const head = ['mutant', 'fencing', 'found at', 'seed', 'shrunk steps', 'violation', 'time'];
  const body = rows.map((r) => [r.mutant, r.mode, r.found, r.seed, r.steps, r.violation, `${(r.ms / 1000).toFixed(1)} s`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

describe('the random HA campaign catches seven known single-active bugs', () => {
  after(() => {
    console.log(`\nHA teeth (3 nodes, ≤${BUDGET.runs} cases per mutant, fc seed ${BUDGET.seed}):\n${table()}\n`);
  });

  for (const m of HA_MUTANTS) {
    test(`${m.name}: ${m.bug} — caught in fencing mode ${m.fencing}`, () => {
      const r = runHaCampaign({ ...BUDGET, fencing: m.fencing, tweaks: m.tweaks });
      const cx = r.counterexample;
      assert.ok(cx !== undefined, `${m.name} went unnoticed in ${r.runs} cases`);
      casesGiven.set(m.fencing, Math.max(casesGiven.get(m.fencing) ?? 0, r.runs));
      rows.push({
        mutant: m.name,
        mode: m.fencing,
        found: `case ${r.runs}`,
        seed: `fc ${cx.seed} path ${cx.path} / sim ${cx.simSeed}`,
        steps: `${cx.actions.length} actions`,
        violation: cx.invariant,
        ms: r.elapsedMs,
      });
      console.log(
        `${m.name}: ${cx.invariant}: ${cx.message}\nsim seed ${cx.simSeed}, ${cx.actions.length} actions:\n${formatActions(cx.actions)}`,
      );
    });
  }

  for (const fencing of ['hook', 'lease'] as const) {
    test(`the real controller passes every case the ${fencing}-mode mutants were given`, () => {
      const runs = Math.max(100, casesGiven.get(fencing) ?? BUDGET.runs);
      const r = runHaCampaign({ ...BUDGET, runs, fencing });
      assert.equal(r.counterexample, undefined, r.counterexample?.report);
      assert.equal(r.runs, runs);
      rows.push({
        mutant: '(real controller)',
        mode: fencing,
        found: `${runs} cases pass`,
        seed: `fc ${BUDGET.seed}`,
        steps: '-',
        violation: 'none',
        ms: r.elapsedMs,
      });
    });
  }
});
