// LeaseRenewal: before a promotion starts a process, a leader asks every voter for a heartbeat
// answer now (a ReadIndex round) and waits for the first lease renewal after the ask.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawNode } from '../../src/raft/raw-node.js';
import { LeaseRenewal } from '../../src/server/lease-renewal.js';

function setup(state = 'leader', boundMs = 60_000) {
  let tickCount = 7;
  const reads: string[] = [];
  let kicks = 0;
  let refuse = false;
  const raw = {
    basicStatus: () => ({ state }),
    get tickCount() {
      return tickCount;
    },
    readIndex: (context: string) => {
      if (refuse) throw new Error('not leader');
      reads.push(context);
    },
  } as unknown as RawNode;
  const renewal = new LeaseRenewal({ host: { raw, kick: () => void kicks++ }, boundMs, nodeId: 'n1' });
  return {
    renewal,
    reads,
    kicks: () => kicks,
    setTick: (v: number) => void (tickCount = v),
    refuse: () => void (refuse = true),
  };
}

/** Settles `p` against a marker: whether it has resolved by the time queued callbacks ran. */
async function settled(p: Promise<void>): Promise<boolean> {
  const marker = Symbol('pending');
  const r = await Promise.race([p.then(() => true), new Promise((res) => setImmediate(() => res(marker)))]);
  return r === true;
}

test('a leader starts a read round and waits for a renewal from a round started at the current tick or later', async () => {
  const s = setup();
  const p = s.renewal.request(new AbortController().signal); // at tick 7
  assert.deepEqual(s.reads, ['ha-lease/n1/1']);
  assert.equal(s.kicks(), 1);
  s.renewal.renewed(6); // a round started before the ask, answered only now
  assert.equal(await settled(p), false);
  s.renewal.renewed(7); // the round asked for (no tick passed: the same end as before is fine)
  assert.equal(await settled(p), true);
  s.setTick(9);
  const later = s.renewal.request(new AbortController().signal);
  s.renewal.renewed(8);
  assert.equal(await settled(later), false);
  s.renewal.renewed(10); // a newer round
  assert.equal(await settled(later), true);
  // Each ask has its own read context.
  void s.renewal.request(new AbortController().signal);
  assert.deepEqual(s.reads, ['ha-lease/n1/1', 'ha-lease/n1/2', 'ha-lease/n1/3']);
  s.renewal.stop();
});

test('no wait where no renewal can come: not leader, the core refuses, already aborted', async () => {
  const follower = setup('follower');
  assert.equal(await settled(follower.renewal.request(new AbortController().signal)), true);
  assert.deepEqual(follower.reads, []);
  const refused = setup();
  refused.refuse();
  assert.equal(await settled(refused.renewal.request(new AbortController().signal)), true);
  const aborted = setup();
  const ac = new AbortController();
  ac.abort();
  assert.equal(await settled(aborted.renewal.request(ac.signal)), true);
  assert.deepEqual(aborted.reads, []);
});

test('an abort, stop() or the bound ends the wait without a renewal', async () => {
  const s = setup();
  const ac = new AbortController();
  const p = s.renewal.request(ac.signal);
  assert.equal(await settled(p), false);
  ac.abort();
  assert.equal(await settled(p), true);
  const q = s.renewal.request(new AbortController().signal);
  s.renewal.stop();
  assert.equal(await settled(q), true);
  const bounded = setup('leader', 5);
  const started = performance.now();
  await bounded.renewal.request(new AbortController().signal);
  assert.ok(performance.now() - started >= 4, 'resolved by its bound, not at once');
});
