// A real Ready-loop host (src/server/node-host.ts) of n1..n3 on a real LevelDB data dir, with a
// fake clock and fake timers and no network: what it sends is collected, and the test answers
// for the other members. Used by the quiet-ticks and write-counting tests.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bootstrapStorage } from '../../src/raft/bootstrap.js';
import type { Message } from '../../src/raft/messages.js';
import { RawNode } from '../../src/raft/raw-node.js';
import { seededRng } from '../../src/raft/rng.js';
import { StateType } from '../../src/raft/types.js';
import { AppliedState } from '../../src/server/applied-state.js';
import { ApplyWaiters } from '../../src/server/apply-waiters.js';
import { validateNodeConfig } from '../../src/server/config.js';
import { MembershipOps } from '../../src/server/membership-ops.js';
import { NodeHost } from '../../src/server/node-host.js';
import type { PeerLink } from '../../src/server/peer-membership.js';
import { RequestGuard } from '../../src/server/request-guard.js';
import { StateMachine } from '../../src/statemachine/index.js';
import { openLevelStorage } from '../../src/storage/level-storage.js';
import { FakeTime } from './fake-time.js';
import { silent, waitUntil } from './helpers.js';

export const TICK = 10;
export const ELECTION_TICK = 30;
export const HEARTBEAT_TICK = 5;

export interface RuntimeOptions {
  /** The data dir's name under the test's dir (default: the node's id). */
  readonly dirName?: string;
  readonly electionTick?: number;
  readonly checkQuorum?: boolean;
}

/** A Ready-loop host `id` of n1..n3 under `root`; `sent` collects its messages. */
export async function hostRuntime(root: string, id: string, opts: RuntimeOptions = {}) {
  const path = join(root, opts.dirName ?? id);
  const { config, problems } = validateNodeConfig({
    id,
    listen: '127.0.0.1:0',
    dataDir: path,
    peers: 'n1=127.0.0.1:1,n2=127.0.0.1:2,n3=127.0.0.1:3',
    logLevel: 'error',
  });
  assert.deepEqual(problems, []);
  const storage = await openLevelStorage({ dataDir: path, clusterId: config!.cluster, nodeId: id });
  bootstrapStorage(storage, { voters: ['n1', 'n2', 'n3'], learners: [] }, config!.peers);
  await storage.flush();
  const raw = new RawNode({
    id,
    electionTick: opts.electionTick ?? ELECTION_TICK,
    heartbeatTick: HEARTBEAT_TICK,
    storage,
    rng: seededRng(3),
    preVote: true,
    checkQuorum: opts.checkQuorum ?? true,
  });
  const time = new FakeTime();
  const fatal: unknown[] = [];
  const sent: Message[] = [];
  const transport: PeerLink = {
    send: (ms: readonly Message[]) => void sent.push(...ms),
    setPeer: () => {},
    removePeer: () => {},
    stats: () => ({ received: 0, undeliverable: 0, peers: new Map() }),
    onMessage: () => {},
    onPeerReports: () => {},
  };
  const waiters = new ApplyWaiters();
  const state = new AppliedState(StateMachine.create());
  const host = new NodeHost({
    config: config!,
    tickMs: TICK,
    raw,
    storage,
    state,
    transport,
    waiters,
    clock: time.clock,
    logger: silent,
    timers: time,
  });
  host.onFatal((err) => fatal.push(err));
  const guard = new RequestGuard(host, config!.electionTimeoutMs);
  const membership = new MembershipOps(host, waiters, guard, config!.electionTimeoutMs);
  host.start();
  const close = async (): Promise<void> => {
    host.stopTicking();
    await host.loop.stop();
    await storage.close();
  };
  /** Ticks performed so far (the core is ticked once per tick of the host's ticker). */
  const ticks = (): number => raw.basicStatus().tickCount;
  return { raw, time, host, waiters, guard, membership, sent, ticks, fatal, close, startedAt: time.now };
}

export type HostRuntime = Awaited<ReturnType<typeof hostRuntime>>;

/**
 * n1 is elected (n2 and n3 grant the pre-vote and the vote) and then hears from them: the
 * returned `answer()` makes n2 and n3 answer whatever n1 sent since the last call.
 */
export async function electedN1(rt: HostRuntime, electionTick: number): Promise<() => void> {
  const { raw, time, host, sent } = rt;
  let answered = 0;
  const answer = (): void => {
    for (const m of sent.slice(answered)) {
      if (m.type === 'requestVote')
        host.step({ type: 'requestVoteResponse', from: m.to, to: 'n1', term: m.term, preVote: m.preVote, reject: false });
      else if (m.type === 'appendEntries') {
        host.step({
          type: 'appendEntriesResponse',
          from: m.to,
          to: 'n1',
          term: m.term,
          index: m.prevIndex + m.entries.length,
          reject: false,
          rejectHint: 0,
          hintTerm: 0,
        });
      } else if (m.type === 'heartbeat') host.step({ type: 'heartbeatResponse', from: m.to, to: 'n1', term: m.term, round: m.round });
    }
    answered = sent.length;
  };
  time.advanceTo(time.now + 2 * electionTick * TICK + 5);
  for (let i = 0; i < 10 && raw.basicStatus().state !== StateType.Leader; i++) {
    await waitUntil('a message to answer', () => sent.length > answered, 5000, 2);
    answer();
  }
  assert.equal(raw.basicStatus().state, StateType.Leader);
  return answer;
}
