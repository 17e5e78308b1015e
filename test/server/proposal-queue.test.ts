// The write queue (src/server/proposal-queue.ts) on its own: when the core refuses a flushed
// batch, every queued writer is told, even if telling one of them throws.
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
  const queue = new ProposalQueue(raw, { busy: true, kick: () => {} });
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
});
