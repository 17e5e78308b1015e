// The write queue (src/server/proposal-queue.ts) on its own: when the core refuses a flushed
// batch, every queued writer is told, even if telling one of them throws; a write is reported
// proposed (palisade_proposals_total) only once the core has taken it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProposalQueue } from '../../src/server/proposal-queue.js';

test('a refused batch reaches every writer even when one writer throws; the first throw is passed on', () => {
  const refusal = new Error('no leader known');
  const raw = {
    propose: () => {},
    proposeMany: () => {
      throw refusal;
    },
  };
  let proposed = 0;
  const queue = new ProposalQueue(raw, { busy: true, kick: () => {} }, (n) => (proposed += n));
  const told: string[] = [];
  queue.submit(new Uint8Array([1]), () => {
    told.push('first');
    throw new Error('writer 1 broke');
  });
  queue.submit(new Uint8Array([2]), (err) => told.push(`second: ${String(err)}`));
  assert.equal(queue.size, 2);
  assert.throws(() => queue.flush(), /writer 1 broke/);
  assert.deepEqual(told, ['first', 'second: Error: no leader known']);
  assert.equal(queue.size, 0);
  assert.equal(proposed, 0, 'a refused batch was never proposed');
});

test('a write counts as proposed when the core takes it: at once at an idle loop, at the flush when queued, never when refused', () => {
  let refuse = false;
  const take = () => {
    if (refuse) throw new Error('election in progress');
  };
  const loop = { busy: false, kick: () => {} };
  let proposed = 0;
  const dropped: unknown[] = [];
  const queue = new ProposalQueue({ propose: take, proposeMany: take }, loop, (n) => (proposed += n));
  const submit = (): void => queue.submit(new Uint8Array([1]), (err) => dropped.push(err));
  submit();
  assert.equal(proposed, 1, 'proposed at once at an idle loop');
  loop.busy = true;
  submit();
  submit();
  assert.equal(proposed, 1, 'a queued write is not proposed yet');
  queue.flush();
  assert.equal(proposed, 3, 'the flush proposed both');
  refuse = true;
  submit();
  queue.flush();
  loop.busy = false;
  submit();
  assert.equal(proposed, 3, 'refused writes, queued or not, are never counted as proposed');
  assert.equal(dropped.length, 2);
});
