// Quiet ticks in a real NodeRuntime (src/server/ticker.ts, node-runtime.ts): a follower that
// hears heartbeats sleeps through its ticks, and the ticks it owes are performed BEFORE each
// heartbeat is stepped, so its tick count keeps up with the clock. Were they performed after it
// (at the timer), each heartbeat would reset an election timer that is then handed every owed
// tick at once: stickiness and the election timeout off by up to a whole timeout. Removing the
// catchUp() call from NodeRuntime.step makes this test fail (tried: "286 ticks for 300 nominal").
// The clock and the timers are fake; storage is a real LevelDB data dir.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { bootstrapStorage } from '../../src/raft/bootstrap.js';
import type { Message } from '../../src/raft/messages.js';
import { RawNode } from '../../src/raft/raw-node.js';
import { seededRng } from '../../src/raft/rng.js';
import { StateType } from '../../src/raft/types.js';
import { validateNodeConfig } from '../../src/server/config.js';
import { NodeRuntime } from '../../src/server/node-runtime.js';
import { Ticker } from '../../src/server/ticker.js';
import { StateMachine } from '../../src/statemachine/index.js';
import { openLevelStorage } from '../../src/storage/level-storage.js';
import type { PeerTransport } from '../../src/transport/transport.js';
import { FakeTime } from './fake-time.js';
import { silent, tempDir, waitUntil } from './helpers.js';

const TICK = 10;
const ELECTION_TICK = 30;
const HEARTBEAT_MS = 50;

describe('quiet ticks in a follower runtime', () => {
  const dir = tempDir();
  after(() => dir.remove());

  test('a follower hearing heartbeats sleeps through its ticks and never campaigns', async () => {
    const { config, problems } = validateNodeConfig({
      id: 'n2',
      listen: '127.0.0.1:0',
      dataDir: dir.path,
      peers: 'n1=127.0.0.1:1,n2=127.0.0.1:2,n3=127.0.0.1:3',
      logLevel: 'error',
    });
    assert.deepEqual(problems, []);
    const storage = await openLevelStorage({ dataDir: dir.path, clusterId: config!.cluster, nodeId: 'n2' });
    bootstrapStorage(storage, { voters: ['n1', 'n2', 'n3'], learners: [] }, config!.peers!);
    await storage.flush();
    const raw = new RawNode({ id: 'n2', electionTick: ELECTION_TICK, heartbeatTick: 5, storage, rng: seededRng(3), preVote: true, checkQuorum: true });
    const time = new FakeTime();
    let fatal: unknown;
    const runtime = new NodeRuntime({ config: config!, raw, storage, sm: StateMachine.create(), clock: time.clock, logger: silent }, (err) => (fatal = err));
    const sent: Message[] = [];
    const transport = { send: (ms: readonly Message[]) => sent.push(...ms), setPeer: () => {}, removePeer: () => {} } as unknown as PeerTransport;
    const ticker = new Ticker({ tickMs: TICK, clock: time.clock, timers: time, onTick: () => runtime.tick(), quietTicks: () => raw.quietTicks() });
    runtime.attach(transport, ticker);
    ticker.start();
    try {
      const start = time.now;
      // Three seconds of heartbeats from n1 (term 1), each answered before the next one.
      for (let round = 1; round <= 60; round++) {
        time.advanceTo(start + round * HEARTBEAT_MS + 3.5);
        runtime.step({ type: 'heartbeat', from: 'n1', to: 'n2', term: 1, commit: 0, round });
        await waitUntil(`the answer to heartbeat ${round}`, () => sent.some((m) => m.type === 'heartbeatResponse' && m.round === round), 5000, 2);
        assert.equal(raw.raft.state, StateType.Follower, `after heartbeat ${round}`);
        assert.equal(raw.raft.term, 1);
      }
      assert.deepEqual(sent.filter((m) => m.type === 'requestVote'), [], 'no campaign against a live leader');
      assert.equal(fatal, undefined);
      // Every tick was performed, but in few wake-ups: the heartbeats' catch-ups did the work.
      const nominal = Math.floor((time.now - start) / TICK);
      assert.ok(ticker.count >= nominal - 1 && ticker.count <= nominal, `${ticker.count} ticks for ${nominal} nominal`);
      assert.ok(time.fires <= 10, `${time.fires} timer wake-ups in 3 s`);
      // Silence: the follower's election timer runs out, on time, and it campaigns (PreVote).
      const last = time.now;
      time.advanceTo(last + 2 * ELECTION_TICK * TICK + 5);
      assert.equal(raw.raft.state, StateType.PreCandidate, 'the leader went silent: a campaign');
    } finally {
      ticker.stop();
      await runtime.loop.stop();
      await storage.close();
    }
  });
});
