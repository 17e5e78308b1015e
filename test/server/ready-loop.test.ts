// The Ready loop executes the contract of src/raft/ready.ts: persist, then send, then apply,
// then advance — one Ready at a time, inputs batched into the next Ready while a persist runs —
// except that a leader's appendEntries/heartbeats may leave during its own write (§10.2.1).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapStorage } from '../../src/raft/bootstrap.js';
import type { Message } from '../../src/raft/messages.js';
import { MemoryStorage } from '../../src/raft/memory-storage.js';
import type { Ready } from '../../src/raft/ready.js';
import { RawNode } from '../../src/raft/raw-node.js';
import { seededRng } from '../../src/raft/rng.js';
import { EntryType } from '../../src/raft/types.js';
import { NodeMetrics } from '../../src/server/metrics.js';
import { ProposalQueue } from '../../src/server/proposal-queue.js';
import { ReadyLoop, splitMessages, type ReadyExecutor } from '../../src/server/ready-loop.js';
import { waitUntil } from './helpers.js';

let fakeNow = 0;
const clock = { monotonicMs: () => fakeNow++, wallMs: () => 0 };

function setup() {
  const storage = new MemoryStorage();
  bootstrapStorage(storage, { voters: ['a'], learners: [] });
  const raw = new RawNode({ id: 'a', electionTick: 10, heartbeatTick: 1, storage, rng: seededRng(1) });
  const log: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const gates: (() => void)[] = [];
  let holdPersist = false;
  const hooks: { afterAdvance?: () => void } = {};
  const exec: ReadyExecutor = {
    async persist(rd: Ready) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      log.push(`persist ${rd.entries.map((e) => e.index).join(',')}`);
      if (holdPersist) await new Promise<void>((resolve) => gates.push(resolve));
      if (rd.snapshot) storage.applySnapshot(rd.snapshot);
      storage.append(rd.entries);
      if (rd.hardState) storage.setHardState(rd.hardState);
      inFlight--;
    },
    send: (ms) => log.push(`send ${ms.length}`),
    applySnapshot: () => log.push('applySnapshot'),
    applyEntries: (es) => log.push(`apply ${es.map((e) => e.index).join(',')}`),
    serveReads: (rs) => log.push(`reads ${rs.map((r) => r.context).join(',')}`),
    afterAdvance: async () => {
      log.push('advanced');
      hooks.afterAdvance?.();
    },
    beforeReady: () => queue.flush(),
    heldInputs: () => queue.size > 0,
  };
  let fatal: unknown;
  const loop = new ReadyLoop(raw, exec, clock, new NodeMetrics(), (err) => (fatal = err));
  // As NodeHost: proposals queued while the loop is busy enter the core just before the next Ready.
  const queue = new ProposalQueue(raw, loop, () => {});
  return {
    raw,
    storage,
    loop,
    log,
    queue,
    hooks,
    gates,
    hold: (v: boolean) => (holdPersist = v),
    maxInFlight: () => maxInFlight,
    fatal: () => fatal,
  };
}

test('each Ready is persisted before it is applied, and advanced after', async () => {
  const s = setup();
  s.loop.kick();
  await waitUntil('bootstrap entries applied', () => s.log.includes('apply 1'));
  // The bootstrap entry and hard state are already durable: nothing to persist, only to apply.
  assert.deepEqual(s.log.slice(0, 2), ['apply 1', 'advanced']);
  s.raw.campaign();
  s.loop.kick();
  await waitUntil('the single voter leads and applies its no-op', () => s.log.includes('apply 2'));
  const persistNoop = s.log.indexOf('persist 2');
  assert.ok(s.log.indexOf('send 0') < 0, 'empty message lists are not sent');
  assert.ok(persistNoop >= 0 && persistNoop < s.log.indexOf('apply 2'), s.log.join(' | '));
  assert.equal(s.fatal(), undefined);
});

test('never two persists in flight; proposals made during a persist share the next Ready', async () => {
  const s = setup();
  s.loop.kick();
  await waitUntil('bootstrap applied', () => s.raw.basicStatus().applied === 1);
  s.raw.campaign();
  s.loop.kick();
  await waitUntil('leader', () => s.raw.basicStatus().state === 'leader' && s.raw.basicStatus().applied >= 2);
  s.hold(true);
  s.raw.propose(new Uint8Array([1]));
  s.loop.kick();
  await waitUntil('first persist started', () => s.gates.length === 1);
  for (let i = 0; i < 5; i++) {
    s.raw.propose(new Uint8Array([2 + i]));
    s.loop.kick();
  }
  assert.equal(s.gates.length, 1, 'the loop waits for the persist in flight');
  s.hold(false);
  s.gates.shift()!();
  await waitUntil('all applied', () => s.raw.basicStatus().applied === 8);
  assert.equal(s.maxInFlight(), 1);
  assert.ok(s.log.includes('persist 4,5,6,7,8'), `the five proposals were batched: ${s.log.join(' | ')}`);
  const entries = s.storage.entries(3, 9);
  assert.ok(entries.every((e) => e.type === EntryType.Normal));
});

test('proposals queued during the last Ready of a run still get a Ready of their own', async () => {
  const s = setup();
  s.loop.kick();
  await waitUntil('bootstrap applied', () => s.raw.basicStatus().applied === 1);
  s.raw.campaign();
  s.loop.kick();
  await waitUntil('leader', () => s.raw.basicStatus().state === 'leader' && s.raw.basicStatus().applied >= 2);
  const dropped: unknown[] = [];
  // While the Ready that applies entry 3 is handled, the core has nothing more to do.
  s.hooks.afterAdvance = () => {
    if (s.raw.basicStatus().applied !== 3 || s.queue.size > 0) return;
    s.hooks.afterAdvance = undefined;
    assert.equal(s.loop.busy, true);
    for (let i = 0; i < 3; i++) s.queue.submit(new Uint8Array([10 + i]), (err) => dropped.push(err));
  };
  s.raw.propose(new Uint8Array([1]));
  s.loop.kick();
  await waitUntil('the queued proposals applied', () => s.raw.basicStatus().applied === 6);
  assert.ok(s.log.includes('persist 4,5,6'), `the queued proposals share one Ready: ${s.log.join(' | ')}`);
  assert.deepEqual(dropped, []);
  assert.equal(s.loop.busy, false);
});

test('proposals the core refuses when the queue is flushed are each told, and the loop goes idle', async () => {
  const s = setup();
  // Queued while the bootstrap Ready is handled, on a follower that knows no leader: refused.
  const dropped: unknown[] = [];
  s.hooks.afterAdvance = () => {
    s.hooks.afterAdvance = undefined;
    for (let i = 0; i < 2; i++) s.queue.submit(new Uint8Array([i]), (err) => dropped.push(err));
  };
  s.loop.kick();
  await waitUntil('both refusals reported', () => dropped.length === 2);
  assert.ok(
    dropped.every((e) => e instanceof Error && /no leader/.test(e.message)),
    String(dropped[0]),
  );
  await waitUntil('the loop idle', () => !s.loop.busy);
  assert.equal(s.raw.basicStatus().applied, 1);
  assert.equal(s.fatal(), undefined);
});

test('a failed persist stops the loop and reports the error', async () => {
  const s = setup();
  const storage = new MemoryStorage();
  bootstrapStorage(storage, { voters: ['a'], learners: [] });
  const raw = new RawNode({ id: 'a', electionTick: 10, heartbeatTick: 1, storage, rng: seededRng(1) });
  let fatal: unknown;
  const boom = new Error('disk on fire');
  const loop = new ReadyLoop(
    raw,
    {
      persist: () => Promise.reject(boom),
      send() {},
      applySnapshot() {},
      applyEntries() {},
      serveReads() {},
      afterAdvance: async () => {},
    },
    clock,
    new NodeMetrics(),
    (err) => (fatal = err),
  );
  loop.kick();
  await waitUntil('bootstrap applied', () => raw.basicStatus().applied === 1);
  raw.campaign(); // a new term must be persisted
  loop.kick();
  await waitUntil('fatal reported', () => fatal !== undefined);
  assert.equal(fatal, boom);
  assert.equal(loop.isStopped, true);
  void s;
});

// ---- Raft thesis §10.2.1: the leader writes its log in parallel with replicating it ----

function msg(type: 'appendEntries' | 'heartbeat' | 'requestVote' | 'appendEntriesResponse' | 'timeoutNow', term = 5): Message {
  const base = { from: 'a', to: 'b', term };
  switch (type) {
    case 'appendEntries':
      return { ...base, type, prevIndex: 1, prevTerm: 1, entries: [], commit: 1 };
    case 'heartbeat':
      return { ...base, type, commit: 1, round: 1 };
    case 'requestVote':
      return { ...base, type, preVote: false, lastIndex: 1, lastTerm: 1, transfer: false };
    case 'appendEntriesResponse':
      return { ...base, type, index: 1, reject: false, rejectHint: 0, hintTerm: 0 };
    case 'timeoutNow':
      return { ...base, type };
  }
}

describe('splitMessages (§10.2.1: which messages may leave before the local write)', () => {
  const durable = { term: 5, vote: 'a' };
  const all = [msg('appendEntries'), msg('requestVote'), msg('heartbeat'), msg('appendEntriesResponse'), msg('timeoutNow')];

  test('a leader sends its appendEntries and heartbeats early, in order; everything else waits', () => {
    const { early, late } = splitMessages({ messages: all }, true, 5, durable);
    assert.deepEqual(
      early.map((m) => m.type),
      ['appendEntries', 'heartbeat'],
    );
    assert.deepEqual(
      late.map((m) => m.type),
      ['requestVote', 'appendEntriesResponse', 'timeoutNow'],
    );
  });

  test('a follower or candidate sends nothing early (its responses promise durable state)', () => {
    const { early, late } = splitMessages({ messages: all }, false, 5, durable);
    assert.equal(early.length, 0);
    assert.equal(late.length, all.length);
  });

  test('nothing leaves early while the Ready changes term or vote (§5.1: a term is durable before it is used)', () => {
    const newTerm = { term: 6, vote: 'a', commit: 1 };
    assert.equal(splitMessages({ messages: all, hardState: newTerm }, true, 6, durable).early.length, 0);
    const newVote = { term: 5, vote: 'c', commit: 1 };
    assert.equal(splitMessages({ messages: all, hardState: newVote }, true, 5, durable).early.length, 0);
    // Unknown durable state: only a Ready that leaves the hard state alone may send early.
    assert.equal(splitMessages({ messages: all, hardState: { term: 5, vote: 'a', commit: 2 } }, true, 5, undefined).early.length, 0);
    assert.equal(splitMessages({ messages: all }, true, 5, undefined).early.length, 2);
  });

  test('a commit-only hard state change does not hold the leader back', () => {
    const { early } = splitMessages({ messages: all, hardState: { term: 5, vote: 'a', commit: 9 } }, true, 5, durable);
    assert.equal(early.length, 2);
  });

  test('messages of an older term never go early', () => {
    const { early, late } = splitMessages({ messages: [msg('appendEntries', 4), msg('heartbeat', 5)] }, true, 5, durable);
    assert.deepEqual(
      early.map((m) => m.term),
      [5],
    );
    assert.deepEqual(
      late.map((m) => m.term),
      [4],
    );
  });
});

/** A 3-voter leader 'a' whose peers answer by hand; persist is held until released. */
async function threeVoterLeader() {
  const storage = new MemoryStorage();
  bootstrapStorage(storage, { voters: ['a', 'b', 'c'], learners: [] });
  const raw = new RawNode({ id: 'a', electionTick: 10, heartbeatTick: 1, storage, rng: seededRng(7) });
  const log: string[] = [];
  const sent: Message[] = [];
  const gates: (() => void)[] = [];
  let hold = false;
  let noSyncFailure: Error | undefined;
  const exec: ReadyExecutor = {
    async persist(rd: Ready) {
      log.push(`persist ${rd.entries.map((e) => e.index).join(',')}${rd.mustSync ? '' : ' (nosync)'}`);
      if (hold && rd.mustSync) await new Promise<void>((resolve) => gates.push(resolve));
      if (noSyncFailure !== undefined && !rd.mustSync) {
        await new Promise((r) => setImmediate(r));
        throw noSyncFailure;
      }
      if (rd.snapshot) storage.applySnapshot(rd.snapshot);
      storage.append(rd.entries);
      if (rd.hardState) storage.setHardState(rd.hardState);
      log.push('persisted');
    },
    send: (ms) => {
      sent.push(...ms);
      log.push(`send ${ms.map((m) => `${m.type}>${m.to}`).join(',')}`);
    },
    applySnapshot: () => log.push('applySnapshot'),
    applyEntries: (es) => log.push(`apply ${es.map((e) => e.index).join(',')}`),
    serveReads: () => {},
    afterAdvance: async () => {},
  };
  let fatal: unknown;
  const loop = new ReadyLoop(raw, exec, clock, new NodeMetrics(), (err) => (fatal = err));
  const deliver = (m: Message) => {
    raw.step(m);
    loop.kick();
  };
  loop.kick();
  raw.campaign();
  loop.kick();
  await waitUntil(
    'votes requested',
    () => sent.some((m) => m.type === 'requestVote' && !m.preVote) || sent.some((m) => m.type === 'requestVote'),
  );
  // Grant every (pre)vote until 'a' leads.
  for (let round = 0; round < 4 && raw.basicStatus().state !== 'leader'; round++) {
    const requests = sent.splice(0).filter((m): m is Extract<Message, { type: 'requestVote' }> => m.type === 'requestVote');
    for (const r of requests)
      deliver({ type: 'requestVoteResponse', from: r.to, to: 'a', term: r.term, preVote: r.preVote, reject: false });
    await waitUntil('next round', () => raw.basicStatus().state === 'leader' || sent.some((m) => m.type === 'requestVote'));
  }
  assert.equal(raw.basicStatus().state, 'leader');
  // Let followers acknowledge the leader's no-op so it commits.
  const ack = async () => {
    await waitUntil('appends sent', () => sent.some((m) => m.type === 'appendEntries'));
    for (const m of sent.splice(0)) {
      if (m.type === 'appendEntries' && m.entries.length > 0) {
        deliver({
          type: 'appendEntriesResponse',
          from: m.to,
          to: 'a',
          term: m.term,
          index: m.entries[m.entries.length - 1].index,
          reject: false,
          rejectHint: 0,
          hintTerm: 0,
        });
      }
    }
  };
  await ack();
  await waitUntil('no-op applied', () => raw.basicStatus().applied >= 2);
  return {
    raw,
    loop,
    log,
    sent,
    gates,
    hold: (v: boolean) => (hold = v),
    failNoSync: (e: Error) => (noSyncFailure = e),
    deliver,
    fatal: () => fatal,
  };
}

describe('ReadyLoop on a leader (§10.2.1)', () => {
  test('appendEntries leave before the leader’s own write completes; the entry is applied only after it', async () => {
    const s = await threeVoterLeader();
    s.hold(true);
    s.log.length = 0;
    s.sent.length = 0;
    s.raw.propose(new Uint8Array([42]));
    s.loop.kick();
    await waitUntil('the write is in flight', () => s.gates.length === 1);
    const appends = s.sent.filter(
      (m): m is Extract<Message, { type: 'appendEntries' }> => m.type === 'appendEntries' && m.entries.length > 0,
    );
    assert.deepEqual(appends.map((m) => m.to).sort(), ['b', 'c'], `sent while persisting: ${s.log.join(' | ')}`);
    const index = appends[0].entries[0].index;
    // Both followers acknowledge while the leader's fsync is still running: a quorum without it.
    for (const m of appends)
      s.deliver({ type: 'appendEntriesResponse', from: m.to, to: 'a', term: m.term, index, reject: false, rejectHint: 0, hintTerm: 0 });
    await new Promise((r) => setImmediate(r));
    assert.ok(!s.log.includes(`apply ${index}`), `nothing is applied before the local write: ${s.log.join(' | ')}`);
    s.hold(false);
    s.gates.shift()!();
    await waitUntil('applied', () => s.log.includes(`apply ${index}`));
    assert.ok(s.log.indexOf('persisted') < s.log.indexOf(`apply ${index}`), s.log.join(' | '));
    assert.equal(s.fatal(), undefined);
  });

  test('a commit-only Ready is written without being awaited, and its failure is still fatal', async () => {
    const s = await threeVoterLeader();
    const boom = new Error('late failure');
    s.failNoSync(boom);
    s.log.length = 0;
    s.sent.length = 0;
    s.raw.propose(new Uint8Array([7]));
    s.loop.kick();
    await waitUntil('appends sent', () => s.sent.some((m) => m.type === 'appendEntries' && m.entries.length > 0));
    const m = s.sent.find((x): x is Extract<Message, { type: 'appendEntries' }> => x.type === 'appendEntries' && x.entries.length > 0)!;
    const index = m.entries[0].index;
    s.deliver({ type: 'appendEntriesResponse', from: m.to, to: 'a', term: m.term, index, reject: false, rejectHint: 0, hintTerm: 0 });
    await waitUntil('fatal reported', () => s.fatal() !== undefined);
    assert.equal(s.fatal(), boom);
    assert.equal(s.loop.isStopped, true);
    // The commit-only Ready did not wait for its write: it applied before the write settled.
    const nosync = s.log.indexOf('persist  (nosync)');
    assert.ok(nosync >= 0 && s.log.indexOf(`apply ${index}`) > nosync, s.log.join(' | '));
    assert.ok(!s.log.slice(nosync).includes('persisted'), s.log.join(' | '));
  });
});
