// The coordination properties (oracle.ts) under every nemesis, at a seed that changes from run
// to run (rotating-seed.ts): clients with sessions, elections, locks and a semaphore, paused for
// any length (also between a validity check and a guarded write), cut off, drifting; nodes
// partitioned, crashed, paused, drifting, changing membership. A failure prints the seed and the
// command that replays it. The campaign's totals must show the hard cases happened.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { replayCommand, ROTATING_SEED } from '../rotating-seed.js';
import { runCoordCampaign } from './coord-scenario.js';
import type { CoordCampaignOptions, CoordCampaignResult } from './coord-scenario.js';

const FILE = 'test/sim/coord/coord-properties.test.ts';
const FACTOR = Number(process.env['PALISADE_SIM_RUNS_FACTOR'] ?? 1);
const runsOf = (n: number): number => Math.max(1, Math.round(n * FACTOR));
const seedFor = (offset: number): number => (ROTATING_SEED + offset) & 0x7fffffff;

console.log(`rotating seed ${ROTATING_SEED}; replay: ${replayCommand(FILE)}`);

function campaign(opts: CoordCampaignOptions): CoordCampaignResult {
  const r = runCoordCampaign(opts);
  if (r.counterexample !== undefined)
    assert.fail(`rotating seed ${ROTATING_SEED}; replay: ${replayCommand(FILE)}\n${r.counterexample.report}`);
  assert.equal(r.runs, opts.runs);
  console.log(
    `${opts.nodes} nodes, lock-delay ${opts.lockDelayMs ?? 0}: ${r.runs} runs, ${(r.elapsedMs / 1000).toFixed(1)} s, ${JSON.stringify(r.stats)}`,
  );
  return r;
}

describe('rotating seed: coordination safety under every nemesis', () => {
  test('3 nodes, 3 clients', () => {
    const n = runsOf(80);
    const r = campaign({ runs: n, seed: seedFor(17), nodes: 3 });
    // Not vacuous: grants, expiries, stale writes refused and ephemeral keys deleted all happened.
    assert.ok(r.stats.grants >= 5 * n, `only ${r.stats.grants} grants in ${n} runs`);
    assert.ok(r.stats.expiries >= n / 4, `only ${r.stats.expiries} expiries in ${n} runs`);
    assert.ok(r.stats.guardedRefused > 0, 'no stale guarded write was ever refused');
    assert.ok(r.stats.ephemeralDeleted > 0, 'no ephemeral key was ever deleted');
  });

  test('5 nodes, 4 clients', () => {
    campaign({ runs: runsOf(30), seed: seedFor(27), nodes: 5, clients: 4 });
  });

  test('3 nodes, 3 clients, sessions with a lock-delay', () => {
    const n = runsOf(40);
    const r = campaign({ runs: n, seed: seedFor(37), nodes: 3, lockDelayMs: 300 });
    assert.ok(r.stats.lockDelays >= n / 10, `only ${r.stats.lockDelays} lock-delays in ${n} runs`);
  });
});
