// Reconnect back-off and the bounded per-peer send queue.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { seededRng } from '../../src/raft/rng.js';
import { Backoff } from '../../src/transport/backoff.js';
import { SendQueue, estimateSize } from '../../src/transport/send-queue.js';
import type { Message } from '../../src/raft/messages.js';
import { heartbeat } from './helpers.js';

describe('Backoff', () => {
  test('delays grow geometrically to the cap, each within ±jitter of nominal', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        (seed, initialMs, extra, jitter) => {
          const maxMs = initialMs + extra;
          const b = new Backoff({ initialMs, maxMs, multiplier: 2, jitter }, seededRng(seed));
          for (let i = 0; i < 20; i++) {
            const nominal = Math.min(maxMs, initialMs * 2 ** i);
            const d = b.next();
            assert.ok(
              d >= Math.floor(nominal * (1 - jitter)) && d <= Math.ceil(nominal * (1 + jitter)),
              `attempt ${i}: ${d} vs ${nominal}`,
            );
          }
          assert.equal(b.attempts, 20);
          b.reset();
          assert.equal(b.attempts, 0);
          const d = b.next();
          assert.ok(d <= Math.ceil(initialMs * (1 + jitter)));
        },
      ),
    );
  });

  test('the same seed gives the same delays; different seeds spread them (no lock-step reconnects)', () => {
    const run = (seed: number) => {
      const b = new Backoff({ initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.5 }, seededRng(seed));
      return Array.from({ length: 6 }, () => b.next());
    };
    assert.deepEqual(run(1), run(1));
    assert.notDeepEqual(run(1), run(2));
  });

  test('max() jumps to the cap at once (a refusing peer is not hammered)', () => {
    const b = new Backoff({ initialMs: 10, maxMs: 1000, multiplier: 2, jitter: 0 }, seededRng(1));
    assert.equal(b.max(), 1000);
  });

  test('invalid options are refused', () => {
    assert.throws(() => new Backoff({ initialMs: 0, maxMs: 10, multiplier: 2, jitter: 0 }, seededRng(1)), RangeError);
    assert.throws(() => new Backoff({ initialMs: 10, maxMs: 5, multiplier: 2, jitter: 0 }, seededRng(1)), RangeError);
    assert.throws(() => new Backoff({ initialMs: 10, maxMs: 50, multiplier: 2, jitter: 1 }, seededRng(1)), RangeError);
  });
});

describe('SendQueue', () => {
  test('when full, the oldest message is dropped and returned', () => {
    const q = new SendQueue(3);
    const ms = [1, 2, 3, 4, 5].map((r) => heartbeat('n1', 'n2', r));
    assert.equal(q.push(ms[0] as Message & { type: 'heartbeat' }), undefined);
    q.push(ms[1] as never);
    q.push(ms[2] as never);
    assert.equal(q.push(ms[3] as never), ms[0]);
    assert.equal(q.push(ms[4] as never), ms[1]);
    assert.equal(q.length, 3);
    assert.deepEqual(q.take(1 << 20), ms.slice(2));
    assert.equal(q.length, 0);
  });

  test('take() batches everything up to the byte budget, in order, and at least one message', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 5000 }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 1, max: 20_000 }),
        (sizes, budget) => {
          const q = new SendQueue(100);
          const ms = sizes.map((n, i) => ({
            type: 'propose' as const,
            from: 'n1',
            to: 'n2',
            term: i,
            entries: [{ term: 1, index: 0, type: 'normal' as const, data: new Uint8Array(n) }],
          }));
          for (const m of ms) q.push(m);
          const out: Message[] = [];
          while (q.length > 0) {
            const batch = q.take(budget);
            assert.ok(batch.length >= 1);
            const bytes = batch.reduce((s, m) => s + estimateSize(m as never), 0);
            assert.ok(batch.length === 1 || bytes <= budget, `batch of ${batch.length} is ${bytes} bytes > ${budget}`);
            out.push(...batch);
          }
          assert.deepEqual(out, ms);
        },
      ),
    );
  });

  test('stays correct across internal compaction', () => {
    const q = new SendQueue(100_000);
    let next = 0;
    let expect = 0;
    for (let i = 0; i < 20_000; i++) {
      q.push(heartbeat('n1', 'n2', next++) as never);
      if (i % 3 === 0) {
        for (const m of q.take(64)) assert.equal((m as { round: number }).round, expect++);
      }
    }
    assert.equal(q.length, next - expect);
    assert.equal(q.clear(), next - expect);
  });
});
