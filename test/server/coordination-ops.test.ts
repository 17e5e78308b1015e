// The keep-alive rule of the node (src/server/coordination-ops.ts, design item 3), with a real
// state machine and keeper and a ReadIndex barrier the test controls: the receipt is counted at
// arrival, but nothing is acknowledged before a ReadIndex round that began after it has been
// answered, and a failed round acknowledges nothing. Why it matters: an old leader that does not
// know it was deposed would otherwise acknowledge a keep-alive the new leader never counts, and
// the client would trust its session past the new leader's expiry.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NoLeaderError, SessionNotFoundError } from '../../src/errors.js';
import { EntryType } from '../../src/raft/types.js';
import { CoordinationOps } from '../../src/server/coordination-ops.js';
import { GrantWaiters } from '../../src/server/grant-waiters.js';
import { HolderObservers } from '../../src/server/holder-observers.js';
import type { RequestGuard } from '../../src/server/request-guard.js';
import { SessionKeeper } from '../../src/server/session-keeper.js';
import { encodeCoordCommand } from '../../src/statemachine/coord-codec.js';
import { StateMachine } from '../../src/statemachine/state-machine.js';

const TTL = 1000;

interface Rig {
  ops: CoordinationOps;
  keeper: SessionKeeper;
  sm: StateMachine;
  session: string;
  now: { ms: number };
  /** The pending ReadIndex rounds, oldest first: answer or fail them. */
  rounds: { resolve(): void; reject(err: Error): void }[];
}

function rig(opts: { leader?: boolean } = {}): Rig {
  const sm = StateMachine.create();
  sm.apply({
    term: 2,
    index: 1,
    type: EntryType.Normal,
    data: encodeCoordCommand({ type: 'sessionCreate', owner: 'o', ttlMs: TTL, lockDelayMs: 0 }),
  });
  const session = sm.sessions()[0].id;
  const now = { ms: 0 };
  const keeper = new SessionKeeper({ retryMs: 500 });
  keeper.becameLeader(2);
  keeper.applied(now.ms, 2, [], () => ({ sessions: [{ id: session, ttlMs: TTL }], delays: [] }));
  const rounds: Rig['rounds'] = [];
  const guard = {
    usable: () => {},
    requireLeader: (what: string) => {
      if (opts.leader === false) throw new NoLeaderError(`${what} must be asked of the leader`, 'n2');
    },
  } as unknown as RequestGuard;
  const ops = new CoordinationOps({
    stateMachine: () => sm,
    guard,
    coord: () => Promise.reject(new Error('no proposals in this test')),
    readBarrier: () => new Promise<void>((resolve, reject) => rounds.push({ resolve, reject })),
    keeper,
    grants: new GrantWaiters(),
    observers: new HolderObservers(() => []),
    monotonicMs: () => now.ms,
  });
  return { ops, keeper, sm, session, now, rounds };
}

/** Lets pending promise callbacks run (no timers involved). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('keep-alive: counted at receipt, acknowledged only after a ReadIndex round', () => {
  test('no answer before the round is answered; then the TTL, and the deadline is receipt + ttl', async () => {
    const r = rig();
    r.now.ms = 600;
    let answered = false;
    const ka = r.ops.keepAlive(r.session).then((x) => {
      answered = true;
      return x;
    });
    await settle();
    assert.equal(r.rounds.length, 1, 'a ReadIndex round was started after the keep-alive arrived');
    assert.equal(answered, false, 'nothing is acknowledged before the round is answered');
    r.now.ms = 900; // the round takes a while: the deadline still counts from the receipt
    r.rounds[0].resolve();
    assert.deepEqual(await ka, { ttlMs: TTL });
    assert.equal(r.keeper.remainingMs(r.session, 900), 600 + TTL - 900);
  });

  test('a failed round (deposed leader, no quorum) acknowledges nothing', async () => {
    const r = rig();
    const ka = r.ops.keepAlive(r.session);
    await settle();
    r.rounds[0].reject(new NoLeaderError('lost leadership'));
    await assert.rejects(ka, NoLeaderError);
  });

  test('a leader that stopped keeping during the round (stepped down) acknowledges nothing', async () => {
    const r = rig();
    const ka = r.ops.keepAlive(r.session);
    await settle();
    r.keeper.stepDown();
    r.rounds[0].resolve();
    await assert.rejects(ka, NoLeaderError);
  });

  test('at a follower: the redirect, no round, nothing counted', async () => {
    const r = rig({ leader: false });
    r.now.ms = 500;
    await assert.rejects(r.ops.keepAlive(r.session), NoLeaderError);
    assert.equal(r.rounds.length, 0);
    assert.equal(r.keeper.remainingMs(r.session, 500), TTL - 500);
  });

  test('a keep-alive that arrives after the deadline is refused after the round, even if the expiry is not applied yet', async () => {
    const r = rig();
    r.now.ms = TTL + 1;
    const ka = r.ops.keepAlive(r.session);
    await settle();
    r.rounds[0].resolve();
    await assert.rejects(ka, SessionNotFoundError);
  });

  test('an unknown session is SESSION_NOT_FOUND once the round has brought apply up to date', async () => {
    const r = rig();
    const ka = r.ops.keepAlive('77');
    await settle();
    assert.equal(r.rounds.length, 1, 'it may be a session whose create this leader has not applied yet: the round decides');
    r.rounds[0].resolve();
    await assert.rejects(ka, SessionNotFoundError);
  });
});
