// Quiet ticks in a real Ready-loop host (src/server/ticker.ts, node-host.ts): a follower that
// hears heartbeats sleeps through its ticks, and the ticks it owes are performed BEFORE each
// heartbeat is stepped, so its tick count keeps up with the clock. Were they performed after it
// (at the timer), each heartbeat would reset an election timer that is then handed every owed
// tick at once: stickiness and the election timeout off by up to a whole timeout. Removing the
// catchUp() call from NodeHost.step makes this test fail (tried: "286 ticks for 300 nominal").
// A leader whose followers answer wakes once per heartbeat instead of once per tick, sends
// every heartbeat on time, and still steps down when they fall silent (CheckQuorum runs on its
// ticks too). The clock and the timers are fake; storage is a real LevelDB data dir.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { NONE, StateType } from '../../src/raft/types.js';
import { tempDir, waitUntil } from './helpers.js';
import { ELECTION_TICK, HEARTBEAT_TICK, TICK, electedN1, hostRuntime, type HostRuntime } from './host-runtime.js';

const HEARTBEAT_MS = HEARTBEAT_TICK * TICK;

describe('quiet ticks in a node runtime', () => {
  const dir = tempDir();
  after(() => dir.remove());

  /** `rounds` heartbeat intervals, each heartbeat answered 3.5 ms after its tick. */
  async function answeredHeartbeats(rt: HostRuntime, answer: () => void, rounds: number): Promise<void> {
    const { raw, time, sent } = rt;
    const start = time.now;
    const count = (): number => sent.filter((m) => m.type === 'heartbeat').length;
    const before = count();
    for (let k = 1; k <= rounds; k++) {
      time.advanceTo(start + k * HEARTBEAT_TICK * TICK + 3.5);
      await waitUntil(`heartbeat ${k}`, () => count() >= before + 2 * k, 5000, 2);
      answer();
      assert.equal(raw.basicStatus().state, StateType.Leader, `after heartbeat ${k}`);
    }
  }

  test('a follower hearing heartbeats sleeps through its ticks and never campaigns', async () => {
    const { raw, time, host, sent, ticks, fatal, close } = await hostRuntime(dir.path, 'n2');
    // An observer (the HA driver's place): its tick comes once per wake-up, after the burst.
    const looks: number[] = [];
    host.observe({ beforeReady: () => {}, afterReady: () => {}, tick: () => void looks.push(ticks()), quietTicks: () => Infinity });
    try {
      const start = time.now;
      // Three seconds of heartbeats from n1 (term 1), each answered before the next one.
      for (let round = 1; round <= 60; round++) {
        time.advanceTo(start + round * HEARTBEAT_MS + 3.5);
        host.step({ type: 'heartbeat', from: 'n1', to: 'n2', term: 1, commit: 0, round });
        await waitUntil(
          `the answer to heartbeat ${round}`,
          () => sent.some((m) => m.type === 'heartbeatResponse' && m.round === round),
          5000,
          2,
        );
        assert.equal(raw.basicStatus().state, StateType.Follower, `after heartbeat ${round}`);
        assert.equal(raw.basicStatus().term, 1);
      }
      assert.deepEqual(
        sent.filter((m) => m.type === 'requestVote'),
        [],
        'no campaign against a live leader',
      );
      assert.deepEqual(fatal, []);
      // Every tick was performed, but in few wake-ups: the heartbeats' catch-ups did the work.
      const nominal = Math.floor((time.now - start) / TICK);
      assert.ok(ticks() >= nominal - 1 && ticks() <= nominal, `${ticks()} ticks for ${nominal} nominal`);
      assert.ok(time.fires <= 10, `${time.fires} timer wake-ups in 3 s`);
      assert.ok(looks.length >= 55 && looks.length <= 60 + time.fires, `${looks.length} observer ticks for ${ticks()} ticks`);
      assert.equal(looks.at(-1), ticks(), 'the last look saw every tick before it');
      // Silence: the follower's election timer runs out, on time, and it campaigns (PreVote).
      const last = time.now;
      time.advanceTo(last + 2 * ELECTION_TICK * TICK + 5);
      assert.equal(raw.basicStatus().state, StateType.PreCandidate, 'the leader went silent: a campaign');
    } finally {
      await close();
    }
  });

  // An election timeout that is not a multiple of the heartbeat interval, so that CheckQuorum
  // falls between heartbeats and a sleep that ignores it would be seen.
  const LEADER_ELECTION_TICK = 32;

  test('a leader whose followers answer sleeps between heartbeats; when they fall silent it steps down at the CheckQuorum tick', async () => {
    const rt = await hostRuntime(dir.path, 'n1', { electionTick: LEADER_ELECTION_TICK });
    const { raw, time, sent, ticks, fatal, close, startedAt } = rt;
    try {
      const answer = await electedN1(rt, LEADER_ELECTION_TICK);
      // The core's CheckQuorum runs at every LEADER_ELECTION_TICK-th tick since it became leader.
      const leaderSince = raw.basicStatus().tickCount;
      const start = time.now;
      const firesBefore = time.fires;
      const ticksBefore = ticks();
      const heartbeatsBefore = sent.filter((m) => m.type === 'heartbeat').length;
      await answeredHeartbeats(rt, answer, 60);
      assert.deepEqual(fatal, []);
      const nominal = Math.floor((time.now - start) / TICK);
      const performed = ticks() - ticksBefore;
      assert.ok(performed >= nominal - 1 && performed <= nominal + 1, `${performed} ticks for ${nominal} nominal`);
      const heartbeats = sent.filter((m) => m.type === 'heartbeat').length - heartbeatsBefore;
      assert.ok(heartbeats >= 2 * 60 && heartbeats <= 2 * 61, `${heartbeats} heartbeats to two followers in 60 heartbeat intervals`);
      // One wake-up per heartbeat (and per CheckQuorum between them), not one per tick.
      const fires = time.fires - firesBefore;
      assert.ok(fires <= 60 + 25, `${fires} timer wake-ups for 60 heartbeat intervals`);
      // Silence. The first CheckQuorum after the last answer still sees the followers active;
      // the one after it finds no quorum: the leader steps down at that tick's nominal time.
      const lastAnswerTick = raw.basicStatus().tickCount;
      const firstCheck = leaderSince + (Math.floor((lastAnswerTick - leaderSince) / LEADER_ELECTION_TICK) + 1) * LEADER_ELECTION_TICK;
      const due = startedAt + (firstCheck + LEADER_ELECTION_TICK) * TICK;
      for (let ms = 0; ms < 3 * LEADER_ELECTION_TICK * TICK && raw.basicStatus().state === StateType.Leader; ms++)
        time.advanceTo(time.now + 1);
      assert.equal(raw.basicStatus().state, StateType.Follower, 'the leader lost its quorum and stepped down');
      assert.ok(
        time.now >= due && time.now <= due + 2,
        `stepped down at ${time.now - startedAt} ms, the CheckQuorum tick is at ${due - startedAt} ms`,
      );
    } finally {
      await close();
    }
  });

  test('a leadership transfer asked for mid-sleep gets its whole election timeout', async () => {
    // Without CheckQuorum: the followers stay silent here, and only the transfer's own timeout matters.
    const rt = await hostRuntime(dir.path, 'n1', { dirName: 'n1-transfer', electionTick: LEADER_ELECTION_TICK, checkQuorum: false });
    const { raw, time, membership, fatal, close } = rt;
    try {
      const answer = await electedN1(rt, LEADER_ELECTION_TICK);
      await answeredHeartbeats(rt, answer, 3);
      // 3.5 ms after a heartbeat tick; three ticks later the leader is asleep and owes them.
      time.advanceTo(time.now + 3 * TICK);
      const asked = time.now;
      const transfer = membership.transferLeadership('n2').catch((err: unknown) => err);
      assert.equal(raw.basicStatus().leadTransferee, 'n2');
      // The owed ticks were performed before the transfer reset the election count: it runs
      // out at the LEADER_ELECTION_TICK-th tick after the request, not earlier.
      time.advanceTo(asked + (LEADER_ELECTION_TICK - 1) * TICK);
      assert.equal(raw.basicStatus().leadTransferee, 'n2', 'the transfer was aborted early');
      time.advanceTo(asked + LEADER_ELECTION_TICK * TICK + 2);
      assert.equal(raw.basicStatus().leadTransferee, NONE, 'the transfer timed out');
      assert.equal(raw.basicStatus().state, StateType.Leader);
      assert.deepEqual(fatal, []);
      void transfer;
    } finally {
      await close();
    }
  });

  // Not about quiet ticks: the same runtime, for the write queue (proposal-queue.ts). Writes
  // queued while a Ready is handled and a transfer asked for in the same turn: the writes arrived
  // first, so they enter the log; refusing them "transfer in progress" at the next flush would
  // fail writes the leader could take.
  test('a leadership transfer proposes the writes queued before it instead of refusing them', async () => {
    const rt = await hostRuntime(dir.path, 'n1', { dirName: 'n1-queued-writes' });
    const { raw, host, fatal, close } = rt;
    try {
      await electedN1(rt, ELECTION_TICK);
      const refused: string[] = [];
      const before = raw.status().lastIndex;
      const write = (tag: number) => host.proposeQueued(new Uint8Array([tag]), (err) => refused.push(String(err)));
      write(1); // proposed at once: the loop starts on it
      assert.ok(host.loop.busy, 'the loop is handling the first write');
      write(2);
      write(3);
      host.beginTransfer('n2');
      await waitUntil('the loop is idle again', () => !host.loop.busy, 5000, 2);
      assert.deepEqual(refused, []);
      assert.equal(raw.status().lastIndex, before + 3, 'the three writes are in the log');
      assert.deepEqual(fatal, []);
    } finally {
      await close();
    }
  });
});
