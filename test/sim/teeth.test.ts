// The simulator's properties have teeth: seven known Raft bugs, injected into the real core
// from test code (mutants.ts), are each caught by the RANDOM property campaign — the default
// nemesis, the default properties, one stated budget — and the real core passes every case the
// mutants were given (same fast-check seed, same generated cases). Two of the bugs need a fault
// inside a window a few ms wide right after an election; the nemesis reaches it with
// event-driven actions ("run until a new leader", "run until a commit", "isolate the leader")
// and one-entry-per-append runs. The directed scripts that first showed those two are kept as
// extra regression checks. A leader that answers reads without a heartbeat round is wrong only
// while a newer leader exists that it has not heard of: clients also send to the stalest node
// that believes it leads, paused ones included (a paused node takes the requests that waited
// for it before the messages that would depose it). Each shrunk counterexample is replayed on the real core in
// regressions.test.ts. A table (mutant, seeds, shrunk steps, violation, time) is printed.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { runCampaign } from './campaign.js';
import type { CampaignOptions } from './campaign.js';
import { MUTANTS, withMutant } from './mutants.js';
import type { Mutant } from './mutants.js';
import { formatActions } from './nemesis.js';

/**
 * The stated budget: the default nemesis on 3 nodes, at most 6000 generated cases (about 30 s
 * per mutant at worst), and up to 1000 extra runs to shrink. One mutant states its own mix and
 * budget (mutants.ts: conf-change-before-noop, a membership-heavy mix and 15,000 cases); the
 * real core passes every case of every mix.
 */
const TEETH_CAMPAIGN = { nodes: 3, runs: 6000, seed: 20240604, maxActions: 40, maxShrinkRuns: 1000 } as const;
/** Seed of the directed scripts (any seed works; this one is recorded in the table). */
const DIRECTED_SEED = 11;

function campaignFor(m: Mutant | undefined, runs: number = m?.runs ?? TEETH_CAMPAIGN.runs, weights = m?.weights): CampaignOptions {
  return {
    ...TEETH_CAMPAIGN,
    runs,
    ...(m?.executor !== undefined ? { scenario: { executor: m.executor } } : {}),
    ...(weights !== undefined ? { weights } : {}),
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
/**
 * The most cases any mutant was given before it was caught, per nemesis mix (default, or a
 * mutant's own weights): the real core must pass all of them.
 */
const casesGiven = new Map<string, { weights: Mutant['weights']; runs: number }>();

function table(): string {
  const head = ['mutant', 'found by', 'seed', 'shrunk steps', 'violation', 'time'];
  const body = rows.map((r) => [r.mutant, r.how, r.seed, r.steps, r.violation, `${(r.ms / 1000).toFixed(1)} s`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const paths = rows.filter((r) => r.path !== undefined).map((r) => `  ${r.mutant}: path "${r.path}"`);
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), 'replay paths:', ...paths].join('\n');
}

describe('the random campaign catches seven known Raft bugs', () => {
  after(() => {
    const t = TEETH_CAMPAIGN;
    console.log(`\nteeth summary (campaign: default nemesis, ${t.nodes} nodes, ≤${t.runs} runs, fc seed ${t.seed}):\n${table()}\n`);
  });

  for (const m of MUTANTS) {
    test(`${m.name}: ${m.bug} — caught by the random campaign`, () => {
      const broken = withMutant(m, () => runCampaign(campaignFor(m)));
      const cx = broken.counterexample;
      assert.ok(cx !== undefined, `${m.name} went unnoticed in ${broken.runs} runs`);
      assert.ok(cx.shrunkActions <= TEETH_CAMPAIGN.maxActions);
      const key = JSON.stringify(m.weights ?? null);
      casesGiven.set(key, { weights: m.weights, runs: Math.max(casesGiven.get(key)?.runs ?? 0, broken.runs) });
      rows.push({
        mutant: m.name,
        how: `campaign, run ${broken.runs}`,
        seed: `fc ${cx.seed} / sim ${cx.simSeed}${cx.maxSizePerMsg === 1 ? ' / 1 entry per append' : ''}`,
        path: cx.path,
        steps: `${cx.shrunkActions} actions`,
        violation: cx.violation.invariant,
        ms: broken.elapsedMs,
      });
      console.log(
        `${m.name}: ${cx.violation.invariant}: ${cx.violation.message.split('\n')[0]}\n` +
          `sim seed ${cx.simSeed}, maxSizePerMsg ${cx.maxSizePerMsg}, ${cx.shrunkActions} actions:\n${formatActions(cx.actions)}`,
      );
    });
  }

  // The same fast-check seed generates the same cases: the real core (with the correct Ready
  // executor) passes every case any mutant was given, including the ones that caught them
  // (their shrunk forms are replayed by regressions.test.ts).
  test('the real core passes every case the mutants were given', () => {
    const shapes = casesGiven.size > 0 ? [...casesGiven.values()] : [{ weights: undefined, runs: TEETH_CAMPAIGN.runs }];
    for (const { weights, runs } of shapes) {
      const started = performance.now();
      const real = runCampaign(campaignFor(undefined, runs, weights));
      assert.equal(real.counterexample, undefined, real.counterexample?.report);
      assert.equal(real.runs, runs);
      const mix = weights === undefined ? 'default mix' : 'membership-heavy mix';
      rows.push({
        mutant: '(real core)',
        how: `campaign, ${runs} runs, ${mix}`,
        seed: `fc ${TEETH_CAMPAIGN.seed}`,
        steps: '-',
        violation: 'none',
        ms: performance.now() - started,
      });
    }
  });
});

describe('directed scripts for the two window bugs (kept as extra checks)', () => {
  for (const m of MUTANTS) {
    if (m.directed === undefined) continue;
    const directed = m.directed;
    test(`${m.name}: caught by its directed script, real core passes it`, () => {
      const started = performance.now();
      const broken = withMutant(m, () => directed(DIRECTED_SEED));
      const ms = performance.now() - started;
      assert.ok(broken.violation !== undefined, `${m.name} went unnoticed:\n${broken.describe().join('\n')}`);
      const real = directed(DIRECTED_SEED);
      assert.equal(real.violation, undefined, `the real core fails the directed script:\n${JSON.stringify(real.violation)}`);
      rows.push({
        mutant: m.name,
        how: 'directed script (extra)',
        seed: `sim ${DIRECTED_SEED}`,
        steps: `${broken.events} events`,
        violation: broken.violation.invariant,
        ms,
      });
    });
  }
});
