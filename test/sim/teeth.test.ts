// The simulator's properties have teeth: six known Raft bugs, injected into the real core
// from test code (mutants.ts), are each caught — by the same property campaign the real core
// passes (same fast-check seed, same generated cases), or, for the two bugs that need a fault
// inside a window a few milliseconds wide, by a directed script on the same simulator and
// checker. Each counterexample is replayed against the real core in regressions.test.ts.
// A summary table (mutant, seed, shrunk steps, violation, time) is printed at the end.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { runCampaign } from './campaign.js';
import type { CampaignOptions, CampaignResult } from './campaign.js';
import { MUTANTS, withMutant } from './mutants.js';
import type { Mutant } from './mutants.js';
import { formatActions } from './nemesis.js';

/** The default 3-node campaign of properties.test.ts (seed 20240601 + nodes, 1200 runs). */
const DEFAULT_CAMPAIGN = { nodes: 3, runs: 1200, seed: 20240604, maxActions: 40 } as const;
/** Seed of the directed scripts (any seed works; this one is recorded in the table). */
const DIRECTED_SEED = 11;

/** The campaign a mutant is hunted with; `real` drops the broken executor (the patches are undone by withMutant). */
function campaignFor(m: Mutant, opts: { runs?: number; real?: boolean } = {}): CampaignOptions {
  return {
    ...DEFAULT_CAMPAIGN,
    runs: opts.runs ?? DEFAULT_CAMPAIGN.runs,
    maxShrinkRuns: 1000,
    ...(m.executor !== undefined && opts.real !== true ? { scenario: { executor: m.executor } } : {}),
  };
}

interface Row {
  readonly mutant: string;
  readonly how: string;
  readonly seed: string;
  /** fast-check path that replays the shrunk case (printed under the table). */
  readonly path?: string;
  readonly steps: string;
  readonly violation: string;
  readonly ms: number;
}

const rows: Row[] = [];

function table(): string {
  const head = ['mutant', 'found by', 'seed', 'shrunk steps', 'violation', 'time'];
  const body = rows.map((r) => [r.mutant, r.how, r.seed, r.steps, r.violation, `${(r.ms / 1000).toFixed(1)} s`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const paths = rows.filter((r) => r.path !== undefined).map((r) => `  ${r.mutant}: path "${r.path}"`);
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), 'replay paths:', ...paths].join('\n');
}

describe('the simulator catches six known Raft bugs', () => {
  after(() => {
    console.log(`\nteeth summary (default campaign: ${DEFAULT_CAMPAIGN.nodes} nodes, ${DEFAULT_CAMPAIGN.runs} runs, seed ${DEFAULT_CAMPAIGN.seed}):\n${table()}\n`);
  });

  for (const m of MUTANTS) {
    if (m.directed !== undefined) {
      const directed = m.directed;
      test(`${m.name}: ${m.bug} — caught by a directed script, real core passes it`, () => {
        const started = performance.now();
        const broken = withMutant(m, () => directed(DIRECTED_SEED));
        const ms = performance.now() - started;
        assert.ok(broken.violation !== undefined, `${m.name} went unnoticed:\n${broken.describe().join('\n')}`);
        const real = directed(DIRECTED_SEED);
        assert.equal(real.violation, undefined, `the real core fails the directed script:\n${JSON.stringify(real.violation)}`);
        rows.push({
          mutant: m.name,
          how: 'directed script',
          seed: `sim ${DIRECTED_SEED}`,
          steps: `${broken.events} events`,
          violation: broken.violation.invariant,
          ms,
        });
      });
      continue;
    }
    test(`${m.name}: ${m.bug} — caught by the default campaign, real core passes the same cases`, () => {
      const broken: CampaignResult = withMutant(m, () => runCampaign(campaignFor(m)));
      const cx = broken.counterexample;
      assert.ok(cx !== undefined, `${m.name} went unnoticed in ${broken.runs} runs`);
      assert.ok(cx.shrunkActions <= DEFAULT_CAMPAIGN.maxActions);
      // The same fast-check seed generates the same cases: the real core passes every one the
      // mutant was given, including the one that caught it (replayed by regressions.test.ts).
      const real = runCampaign(campaignFor(m, { runs: broken.runs, real: true }));
      assert.equal(real.counterexample, undefined, real.counterexample?.report);
      assert.equal(real.runs, broken.runs);
      rows.push({
        mutant: m.name,
        how: `campaign, run ${broken.runs}`,
        seed: `fc ${cx.seed} / sim ${cx.simSeed}`,
        path: cx.path,
        steps: `${cx.shrunkActions} actions`,
        violation: cx.violation.invariant,
        ms: broken.elapsedMs,
      });
      console.log(
        `${m.name}: ${cx.violation.invariant}: ${cx.violation.message.split('\n')[0]}\n` +
          `sim seed ${cx.simSeed}, ${cx.shrunkActions} actions:\n${formatActions(cx.actions)}`,
      );
    });
  }
});
