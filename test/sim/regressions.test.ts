// Named regression tests: every counterexample the simulator has produced is replayed here
// against the REAL core and must stay clean. The first ones are the shrunk counterexamples that
// caught the six injected bugs of teeth.test.ts (default 3-node campaign, fast-check seed
// 20240604; the first four from the campaign before event-driven nemesis actions existed);
// a failure the simulator finds in the real core gets its case added the same way:
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
  /** The run's append size (1 = one entry per AppendEntries); default 1024. */
  readonly maxSizePerMsg?: number;
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
  {
    name: 'Figure 8: an old-term entry re-replicated by a returning leader is not committed by counting (§5.4.2)',
    origin: 'mutant commit-earlier-term, random campaign fc 20240604 run 1676, one entry per append: leader-completeness',
    simSeed: 0,
    maxSizePerMsg: 1,
    actions: [
      { kind: 'removeVoter', node: 'n1' },
      { kind: 'failover', fault: 'isolate', maxMs: 1000 },
      { kind: 'failover', fault: 'isolate', maxMs: 1000 },
      { kind: 'awaitCommit', maxMs: 1000 },
      { kind: 'failover', fault: 'isolate', maxMs: 1000 },
      { kind: 'delay', min: 0, max: 0 },
    ],
  },
  {
    name: 'a new leader accepts no membership change before its no-op is applied (§6)',
    origin: 'mutant conf-change-before-noop, random campaign fc 20240604 run 4227: liveness',
    simSeed: 1317155051,
    actions: [
      { kind: 'removeLeader' },
      { kind: 'awaitLeader', maxMs: 1000 },
      { kind: 'removeLeader' },
      { kind: 'pause', node: 'n1' },
      { kind: 'isolate', node: 'n2' },
      { kind: 'awaitCommit', maxMs: 1000 },
      { kind: 'heal' },
      { kind: 'awaitCommit', maxMs: 1000 },
      { kind: 'failover', fault: 'isolate', maxMs: 1000 },
      { kind: 'removeVoter', node: 'n1' },
    ],
  },
  {
    name: 'the liveness probe is resubmitted when its leader loses and regains leadership in a newer term',
    origin: 'checker false alarm found by the event-driven nemesis (a paused leader resumed, its probe overwritten)',
    simSeed: 1969594019,
    actions: [
      { kind: 'pause', node: 'n3' },
      { kind: 'read', target: 'n1', key: 'x' },
      { kind: 'awaitCommit', maxMs: 500 },
      { kind: 'crash', node: 'n2' },
      { kind: 'isolateLeader' },
    ],
  },
  {
    name: 'a leader re-elected with its own unapplied demotion in its log appends nothing after it, so the voter it leaves behind can be elected',
    origin:
      'issue 19, problem 1: npm run sim -- --runs 1500 --seed 902 --nodes 3 --weights membership=8,network=6,process=4,client=6 (fc path 1495:41:23:6:37:23:18:25:18:18:24:25:18:24:31:18:23): liveness',
    simSeed: 815263173,
    actions: [
      { kind: 'removeLeader' },
      { kind: 'drift', node: 'n3', drift: -0.0071 },
      { kind: 'wait', ms: 174 },
      { kind: 'wait', ms: 6 },
      { kind: 'isolateLeader' },
      { kind: 'read', target: 'leader', key: 'y' },
      { kind: 'addLearner', node: 'n3' },
      { kind: 'awaitCommit', maxMs: 1000 },
      { kind: 'awaitCommit', maxMs: 1000 },
      { kind: 'bridge', side: ['n4'], bridge: 'n3' },
      { kind: 'addLearner', node: 'n2' },
      { kind: 'bridge', side: ['n1', 'n3'], bridge: 'n2' },
      { kind: 'write', target: 'n1', cmd: { t: 'cas', k: 'x', from: '8', to: '7' } },
      { kind: 'awaitCommit', maxMs: 1000 },
      { kind: 'awaitLeader', maxMs: 1000 },
      { kind: 'drift', node: 'n5', drift: 0.002 },
      { kind: 'read', target: 'n3', key: 'x' },
      { kind: 'heal' },
      { kind: 'write', target: 'leader', cmd: { t: 'put', k: 'z', v: '7' } },
      { kind: 'wait', ms: 18 },
      { kind: 'removeVoter', node: 'n1' },
      { kind: 'write', target: 'leader', cmd: { t: 'del', k: 'y' } },
      { kind: 'promote', node: 'n2' },
      { kind: 'heal' },
      { kind: 'promote', node: 'n3' },
      { kind: 'removeVoter', node: 'n5' },
      { kind: 'promote', node: 'n3' },
      { kind: 'awaitCommit', maxMs: 1000 },
      { kind: 'removeLeader' },
      { kind: 'read', target: 'leader', key: 'x' },
      { kind: 'heal' },
      { kind: 'promote', node: 'n2' },
      { kind: 'read', target: 'leader', key: 'z' },
      { kind: 'failover', fault: 'isolate', maxMs: 1000 },
      { kind: 'drift', node: 'n3', drift: -0.0002 },
    ],
  },
  {
    name: 'a paused leader that wakes up after a newer leader committed a write does not answer a read from its own commit index',
    origin:
      'mutant leader-read-without-round (ReadIndex without a heartbeat round, etcd 0.4 / Consul), random campaign fc 20240604 run 2074: linearizability',
    simSeed: 0,
    actions: [
      { kind: 'failover', fault: 'pause', maxMs: 1000 },
      { kind: 'awaitCommit', maxMs: 1000 },
      { kind: 'write', target: 'leader', cmd: { t: 'put', k: 'y', v: '1' } },
      { kind: 'awaitCommit', maxMs: 1000 },
      { kind: 'failover', fault: 'pause', maxMs: 1000 },
      { kind: 'read', target: 'staleLeader', key: 'y' },
      { kind: 'write', target: 'staleLeader', cmd: { t: 'put', k: 'x', v: '1' } },
    ],
  },
];

describe('regressions: replayed counterexamples stay clean on the real core', () => {
  for (const r of REGRESSIONS) {
    test(`${r.name} [${r.origin}; sim seed ${r.simSeed}]`, () => {
      const res = runScenario(r.simSeed, r.actions, { nodes: 3, poolSize: 5, maxSizePerMsg: r.maxSizePerMsg ?? 1024 });
      assert.equal(res.violation, undefined, formatFailure(r.simSeed, r.actions, res));
    });
  }

  // The directed scripts of teeth.test.ts (extra checks), on the real core (sim seed 11, as recorded there).
  test('Figure 8: an entry of an earlier term is not committed by counting replicas (§5.4.2) [mutant commit-earlier-term]', () => {
    const sim = figure8Scenario(11);
    assert.equal(sim.violation, undefined, `${JSON.stringify(sim.violation)}\n${sim.describe().join('\n')}`);
  });

  test("no membership change before the new leader's no-op is applied (§6) [mutant conf-change-before-noop]", () => {
    const sim = confChangeWindowScenario(11);
    assert.equal(sim.violation, undefined, `${JSON.stringify(sim.violation)}\n${sim.describe().join('\n')}`);
  });
});
