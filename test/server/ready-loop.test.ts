// The Ready loop executes the contract of src/raft/ready.ts: persist, then send, then apply,
// then advance — one Ready at a time, inputs batched into the next Ready while a persist runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapStorage } from '../../src/raft/bootstrap.js';
import { MemoryStorage } from '../../src/raft/memory-storage.js';
import type { Ready } from '../../src/raft/ready.js';
import { RawNode } from '../../src/raft/raw-node.js';
import { seededRng } from '../../src/raft/rng.js';
import { EntryType } from '../../src/raft/types.js';
import { NodeMetrics } from '../../src/server/metrics.js';
import { ReadyLoop, type ReadyExecutor } from '../../src/server/ready-loop.js';
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
    },
  };
  let fatal: unknown;
  const loop = new ReadyLoop(raw, exec, clock, new NodeMetrics(), (err) => (fatal = err));
  return {
    raw,
    loop,
    log,
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
  await waitUntil('bootstrap applied', () => s.raw.raft.raftLog.applied === 1);
  s.raw.campaign();
  s.loop.kick();
  await waitUntil('leader', () => s.raw.raft.state === 'leader' && s.raw.raft.raftLog.applied >= 2);
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
  await waitUntil('all applied', () => s.raw.raft.raftLog.applied === 8);
  assert.equal(s.maxInFlight(), 1);
  assert.ok(s.log.includes('persist 4,5,6,7,8'), `the five proposals were batched: ${s.log.join(' | ')}`);
  const entries = s.raw.raft.raftLog.slice(3, 9);
  assert.ok(entries.every((e) => e.type === EntryType.Normal));
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
    { persist: () => Promise.reject(boom), send() {}, applySnapshot() {}, applyEntries() {}, serveReads() {}, afterAdvance: async () => {} },
    clock,
    new NodeMetrics(),
    (err) => (fatal = err),
  );
  loop.kick();
  await waitUntil('bootstrap applied', () => raw.raft.raftLog.applied === 1);
  raw.campaign(); // a new term must be persisted
  loop.kick();
  await waitUntil('fatal reported', () => fatal !== undefined);
  assert.equal(fatal, boom);
  assert.equal(loop.isStopped, true);
  void s;
});
