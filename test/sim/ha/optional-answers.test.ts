// Heartbeat rounds with optional answers (issue 20, idle CPU): the leader asks followers to
// answer only the rounds it needs (the lease's renewal every leaseRenewalMs, a pending ReadIndex,
// CheckQuorum, a follower whose progress it does not know); the others go out with
// replyOptional and a follower that already answered this leader in this term stays silent.
// The lease is still computed from the send time of a round a quorum acknowledged, so safety
// is the lease rule's; what the cadence changes is how much of the lease is left when the
// renewal arrives. Shown here in the simulator, with a timing (HA_TIMING_LONG_LEASE) whose
// cadence is every third heartbeat, as the agent's defaults make it every second:
// - single active under the full nemesis of each fencing mode, with and without quiet ticks;
// - on a healthy network the active never loses its lease (one interval, never closed);
// - teeth: a leader that counts an unanswered optional round as acknowledged is caught.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeHaTiming, leaseRenewalMs } from '../../../src/ha/timing.js';
import { Raft } from '../../../src/raft/raft.js';
import type { Message } from '../../../src/raft/messages.js';
import { HaCluster, HA_TIMING, HA_TIMING_LONG_LEASE, runHaCampaign } from './ha-scenario.js';

const SEED = Number(process.env['PALISADE_SIM_SEED'] ?? 20261207);
const FACTOR = Number(process.env['PALISADE_SIM_RUNS_FACTOR'] ?? 1);
const runsOf = (n: number): number => Math.max(1, Math.round(n * FACTOR));

/**
 * The bug: silence taken for an acknowledgement. Every follower sent an optional round counts
 * as having acknowledged it, so a leader cut off from its followers keeps renewing its lease
 * until CheckQuorum next asks them all.
 */
function withSilenceCountedAsAck<T>(fn: () => T): T {
  type Internals = {
    bcastHeartbeat(): number;
    updateQuorumRound(): void;
    msgs: Message[];
    trk: Raft['trk'];
  };
  const proto = Raft.prototype as unknown as Internals;
  const original = proto.bcastHeartbeat;
  proto.bcastHeartbeat = function (this: Internals): number {
    const round = original.call(this);
    for (const m of this.msgs) {
      if (m.type !== 'heartbeat' || m.round !== round || m.replyOptional !== true) continue;
      const pr = this.trk.progress.get(m.to);
      if (pr !== undefined && pr.ackedRound < round) pr.ackedRound = round;
    }
    this.updateQuorumRound();
    return round;
  };
  try {
    return fn();
  } finally {
    proto.bcastHeartbeat = original;
  }
}

describe('heartbeat rounds with optional answers: the lease', () => {
  test('the timings: the simulation renews every third heartbeat, the agent defaults every second', () => {
    for (const fencing of ['hook', 'lease'] as const) {
      const long = computeHaTiming({ ...HA_TIMING_LONG_LEASE, fencing });
      assert.deepEqual(long.problems, []);
      assert.equal(leaseRenewalMs(long, HA_TIMING_LONG_LEASE.rttAllowanceMs), 3 * long.heartbeatMs, long.explanation);
      const short = computeHaTiming({ ...HA_TIMING, fencing });
      assert.equal(leaseRenewalMs(short, HA_TIMING.rttAllowanceMs), short.heartbeatMs);
    }
  });

  for (const quietTicks of [false, true]) {
    test(`a healthy network: the active keeps its lease for 30 s of simulated time${quietTicks ? ' (quiet ticks)' : ''}`, () => {
      for (const fencing of ['hook', 'lease'] as const) {
        for (const seed of [1, 2, 3]) {
          const c = new HaCluster(seed, { nodes: 3, fencing, haTiming: HA_TIMING_LONG_LEASE, quietTicks, traceKeep: 50 });
          const sim = c.sim;
          sim.runFor(1000, () => c.active() !== undefined);
          const first = c.active();
          assert.ok(first !== undefined, `${fencing}, seed ${seed}: an active node after warm-up`);
          const intervalsBefore = c.intervals.all.length;
          // Look every 5 ms: the lease may not lapse even for a moment.
          for (let t = 0; t < 30_000; t += 5) {
            sim.runFor(5);
            assert.equal(
              c.active(),
              first,
              `${fencing}, seed ${seed}: at +${t} ms the active is ${c.active() ?? 'nobody'}\n${c.describe().join('\n')}`,
            );
          }
          assert.equal(sim.violation, undefined);
          // No demotion and no new promotion: the same interval is still open.
          assert.equal(c.intervals.all.length, intervalsBefore, c.intervals.describe().join('\n'));
          assert.equal(c.intervals.all.at(-1)!.node, first);
          assert.equal(c.intervals.all.at(-1)!.end, undefined);
        }
      }
    });
  }

  test('followers stay silent on optional rounds: fewer answers than heartbeats on a quiet cluster', () => {
    const c = new HaCluster(4, { nodes: 3, fencing: 'hook', haTiming: HA_TIMING_LONG_LEASE });
    const sim = c.sim;
    sim.runFor(1000, () => c.active() !== undefined);
    sim.runFor(500);
    const counts = { heartbeat: 0, optional: 0, heartbeatResponse: 0 };
    const send = sim.send.bind(sim);
    sim.send = (m: Message): void => {
      if (m.type === 'heartbeat') {
        counts.heartbeat++;
        if (m.replyOptional === true) counts.optional++;
      } else if (m.type === 'heartbeatResponse') counts.heartbeatResponse++;
      send(m);
    };
    sim.runFor(3000);
    sim.send = send;
    // Renewal every third round: two in three are optional, and only renewals are answered.
    assert.ok(counts.optional >= counts.heartbeat / 2, JSON.stringify(counts));
    assert.ok(counts.heartbeatResponse <= counts.heartbeat / 2, JSON.stringify(counts));
    assert.ok(counts.heartbeatResponse > 0, JSON.stringify(counts));
  });
});

describe('a renewal asks just enough followers for a quorum', () => {
  /** heartbeats and heartbeat answers sent during `ms` of simulated time */
  function countAnswers(c: HaCluster, ms: number): { heartbeat: number; heartbeatResponse: number } {
    const counts = { heartbeat: 0, heartbeatResponse: 0 };
    const send = c.sim.send.bind(c.sim);
    c.sim.send = (m: Message): void => {
      if (m.type === 'heartbeat') counts.heartbeat++;
      else if (m.type === 'heartbeatResponse') counts.heartbeatResponse++;
      send(m);
    };
    c.sim.runFor(ms);
    c.sim.send = send;
    return counts;
  }

  for (const nodes of [3, 5]) {
    test(`${nodes} nodes, quiet: about one answer per needed voter per renewal, not one per follower`, () => {
      const c = new HaCluster(5, { nodes, fencing: 'hook', haTiming: HA_TIMING_LONG_LEASE });
      c.sim.runFor(1000, () => c.active() !== undefined);
      c.sim.runFor(500);
      const counts = countAnswers(c, 6000);
      // Rounds every 2 ticks, a renewal every 6, CheckQuorum every 20 (it asks everyone once).
      const followers = nodes - 1;
      const rounds = counts.heartbeat / followers;
      const needed = Math.floor(nodes / 2);
      const expected = (rounds / 3) * needed + (rounds / 10) * followers;
      const everyone = (rounds / 3) * followers;
      assert.ok(counts.heartbeatResponse <= expected * 1.1, `${JSON.stringify(counts)}: expected about ${expected}`);
      assert.ok(counts.heartbeatResponse < everyone, `${JSON.stringify(counts)}: asking every follower gives ${everyone}`);
    });
  }

  for (const [nodes, down] of [
    [3, ['n2']],
    [5, ['n2', 'n5']],
  ] as const) {
    test(`${nodes} nodes, ${down.join(' and ')} crashed: the active keeps its lease on the others' answers`, () => {
      for (const fencing of ['hook', 'lease'] as const) {
        for (const seed of [1, 2, 3]) {
          const c = new HaCluster(seed, { nodes, fencing, haTiming: HA_TIMING_LONG_LEASE, traceKeep: 50 });
          c.sim.runFor(1000, () => c.active() !== undefined);
          c.sim.runFor(500);
          const first = c.active();
          assert.ok(first !== undefined, `${fencing}, seed ${seed}: an active node after warm-up`);
          for (const id of down) if (id !== first) c.sim.crash(id);
          const intervalsBefore = c.intervals.all.length;
          for (let t = 0; t < 10_000; t += 5) {
            c.sim.runFor(5);
            assert.equal(
              c.active(),
              first,
              `${fencing}, seed ${seed}: at +${t} ms the active is ${c.active() ?? 'nobody'}\n${c.describe().join('\n')}`,
            );
          }
          assert.equal(c.sim.violation, undefined);
          assert.equal(c.intervals.all.length, intervalsBefore, c.intervals.describe().join('\n'));
        }
      }
    });
  }
});

describe('heartbeat rounds with optional answers: single active under the nemesis', () => {
  for (const quietTicks of [false, true]) {
    for (const fencing of ['hook', 'lease'] as const) {
      test(`fencing ${fencing}, 3 nodes${quietTicks ? ', quiet ticks' : ''}: intervals never overlap, an active node returns after healing`, () => {
        const n = runsOf(150);
        const r = runHaCampaign({
          runs: n,
          seed: SEED + (fencing === 'hook' ? 0 : 1) + (quietTicks ? 10 : 0),
          nodes: 3,
          fencing,
          quietTicks,
          haTiming: HA_TIMING_LONG_LEASE,
        });
        if (r.counterexample !== undefined) assert.fail(r.counterexample.report);
        assert.equal(r.runs, n);
        assert.ok(r.promotions >= 2 * n, `only ${r.promotions} promotions in ${n} runs`);
      });
    }
  }

  test('teeth: a leader that counts an unanswered optional round as acknowledged is caught (two actives)', () => {
    const r = withSilenceCountedAsAck(() =>
      runHaCampaign({ runs: 300, seed: SEED + 100, nodes: 3, fencing: 'lease', haTiming: HA_TIMING_LONG_LEASE, maxShrinkRuns: 100 }),
    );
    assert.ok(r.counterexample !== undefined, `silence counted as an ack went unnoticed in ${r.runs} cases`);
    assert.equal(r.counterexample.invariant, 'single-active', r.counterexample.report);
    console.log(`silence counted as ack: caught at case ${r.runs}: ${r.counterexample.message}`);
  });
});
