// Named regression tests: every counterexample the simulator has produced is replayed here
// against the REAL core and must stay clean. The first ones are the shrunk counterexamples that
// caught the six injected bugs of teeth.test.ts (default 3-node campaign, fast-check seed
// 20240604); a failure the simulator finds in the real core gets its case added the same way:
// sim seed + shrunk action list, copied from the campaign's report.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { confChangeWindowScenario, figure8Scenario } from './mutants.js';
import type { Action } from './nemesis.js';
import { formatFailure, runScenario } from './scenario.js';

interface Regression {
  readonly name: string;
  /** Where it came from: the campaign and the bug it exposed. */
  readonly origin: string;
  readonly simSeed: number;
  readonly actions: readonly Action[];
}

const REGRESSIONS: readonly Regression[] = [
  {
    name: 'a follower cut off from the leader cannot win with a stale log once the leader crashes',
    origin: 'mutant vote-without-log-check (§5.4.1), fc run 108: leader-completeness',
    simSeed: 0,
    actions: [
      { kind: 'cut', from: 'n1', to: 'n2' },
      { kind: 'promote', node: 'n1' },
      { kind: 'wait', ms: 11 },
      { kind: 'read', target: 'n1', key: 'x' },
      { kind: 'crash', node: 'n1' },
      { kind: 'wait', ms: 22 },
    ],
  },
  {
    name: 'a follower that crashes right after acknowledging keeps what it acknowledged',
    origin: 'mutant answer-before-persist (Ready contract), fc run 480: core-exception (commit beyond last index)',
    simSeed: 129927009,
    actions: [
      { kind: 'removeVoter', node: 'n1' },
      { kind: 'wait', ms: 3 },
      { kind: 'crash', node: 'n3' },
      { kind: 'write', target: 'leader', cmd: { t: 'cas', k: 'x', from: null, to: '1' } },
    ],
  },
  {
    name: 'duplicated and reordered appends across a transfer never shorten a follower log',
    origin: 'mutant truncate-on-append (§5.3), fc run 468: core-exception (commit beyond last index)',
    simSeed: 2130313197,
    actions: [
      { kind: 'loss', drop: 0, duplicate: 0.05 },
      { kind: 'wait', ms: 297 },
      { kind: 'write', target: 'leader', cmd: { t: 'cas', k: 'x', from: null, to: '1' } },
      { kind: 'write', target: 'n1', cmd: { t: 'cas', k: 'x', from: null, to: '1' } },
      { kind: 'write', target: 'n1', cmd: { t: 'cas', k: 'x', from: null, to: '1' } },
      { kind: 'wait', ms: 32 },
      { kind: 'write', target: 'n1', cmd: { t: 'cas', k: 'x', from: null, to: '1' } },
      { kind: 'read', target: 'leader', key: 'x' },
      { kind: 'write', target: 'n1', cmd: { t: 'put', k: 'x', v: '1' } },
      { kind: 'wait', ms: 21 },
      { kind: 'transfer', to: 'n2' },
      { kind: 'write', target: 'leader', cmd: { t: 'put', k: 'z', v: '1' } },
      { kind: 'write', target: 'leader', cmd: { t: 'put', k: 'y', v: '9' } },
      { kind: 'write', target: 'leader', cmd: { t: 'del', k: 'y' } },
      { kind: 'bridge', side: ['n4'], bridge: 'n2' },
      { kind: 'delay', min: 12, max: 62 },
      { kind: 'read', target: 'leader', key: 'y' },
      { kind: 'wait', ms: 20 },
      { kind: 'read', target: 'leader', key: 'y' },
      { kind: 'crash', node: 'n2' },
      { kind: 'write', target: 'leader', cmd: { t: 'put', k: 'z', v: '5' } },
      { kind: 'loss', drop: 0.5, duplicate: 0.05 },
      { kind: 'delay', min: 3, max: 65 },
      { kind: 'delay', min: 19, max: 41 },
      { kind: 'partition', side: ['n1', 'n3', 'n4', 'n5'] },
    ],
  },
  {
    name: 'a read at a follower right after a write completes sees the write',
    origin: 'mutant stale-read-index (§8 ReadIndex), fc run 185: linearizability',
    simSeed: 2085388652,
    actions: [
      { kind: 'delay', min: 0, max: 10 },
      { kind: 'write', target: 'leader', cmd: { t: 'cas', k: 'y', from: null, to: '1' } },
      { kind: 'wait', ms: 11 },
      { kind: 'read', target: 'n1', key: 'y' },
      { kind: 'heal' },
    ],
  },
];

describe('regressions: replayed counterexamples stay clean on the real core', () => {
  for (const r of REGRESSIONS) {
    test(`${r.name} [${r.origin}; sim seed ${r.simSeed}]`, () => {
      const res = runScenario(r.simSeed, r.actions, { nodes: 3, poolSize: 5 });
      assert.equal(res.violation, undefined, formatFailure(r.simSeed, r.actions, res));
    });
  }

  // The directed scripts of teeth.test.ts, on the real core (sim seed 11, as recorded there).
  test('Figure 8: an entry of an earlier term is not committed by counting replicas (§5.4.2) [mutant commit-earlier-term]', () => {
    const sim = figure8Scenario(11);
    assert.equal(sim.violation, undefined, `${JSON.stringify(sim.violation)}\n${sim.describe().join('\n')}`);
  });

  test("no membership change before the new leader's no-op is applied (§6) [mutant conf-change-before-noop]", () => {
    const sim = confChangeWindowScenario(11);
    assert.equal(sim.violation, undefined, `${JSON.stringify(sim.violation)}\n${sim.describe().join('\n')}`);
  });
});
