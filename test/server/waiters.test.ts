// Waiters (src/server/waiters.ts) time their waits with one timer per collection, set for the
// earliest deadline: every wait still ends by its own deadline, not before it, whatever the
// order its deadline has among the others; an answered or abandoned wait leaves no timer behind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Waiters } from '../../src/server/waiters.js';

/** Settles with how `p` ended and when (performance.now()). */
function outcome(p: Promise<number>): Promise<{ result: string; at: number }> {
  return p.then(
    (v) => ({ result: `value ${v}`, at: performance.now() }),
    (err: Error) => ({ result: err.message, at: performance.now() }),
  );
}

const timeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('a wait with a shorter timeout than those before it ends by its own deadline', async () => {
  const w = new Waiters<string, number>();
  const start = performance.now();
  const long = outcome(w.wait('long', 5000, () => new Error('long timed out')).promise);
  const short = outcome(w.wait('short', 30, () => new Error('short timed out')).promise);
  const s = await short;
  assert.equal(s.result, 'short timed out');
  assert.ok(s.at - start >= 30, `not before its deadline (${s.at - start} ms)`);
  assert.ok(s.at - start < 2000, `by its own deadline, not the longer wait's (${s.at - start} ms)`);
  assert.equal(w.has('long'), true);
  assert.equal(w.resolve('long', 1), true);
  assert.equal((await long).result, 'value 1');
});

test('after the earliest wait is answered, the next one still times out at its deadline', async () => {
  const w = new Waiters<string, number>();
  const start = performance.now();
  const first = outcome(w.wait('a', 20, () => new Error('a timed out')).promise);
  const second = outcome(w.wait('b', 60, () => new Error('b timed out')).promise);
  const third = outcome(w.wait('c', 90, () => new Error('c timed out')).promise);
  assert.equal(w.resolve('a', 1), true);
  assert.equal((await first).result, 'value 1');
  const b = await second;
  const c = await third;
  assert.equal(b.result, 'b timed out');
  assert.equal(c.result, 'c timed out');
  assert.ok(b.at - start >= 60 && b.at - start < 2000, `b at ${b.at - start} ms`);
  assert.ok(c.at - start >= 90 && c.at - start < 2000, `c at ${c.at - start} ms`);
  assert.equal(w.size, 0);
});

test('cancel and fail end one wait of a key; an answered collection holds no timer', async () => {
  const before = timeouts();
  const w = new Waiters<string, number>();
  const a = w.wait('k', 10_000, () => new Error('late'));
  const b = w.wait('k', 10_000, () => new Error('late'));
  const c = w.wait('other', 10_000, () => new Error('late'));
  assert.equal(timeouts(), before + 1, 'one timer for all three');
  a.cancel();
  b.fail(new Error('refused'));
  await assert.rejects(b.promise, /refused/);
  assert.equal(w.has('k'), false);
  assert.equal(w.resolve('other', 3), true);
  assert.equal(await c.promise, 3);
  assert.equal(w.size, 0);
  assert.equal(timeouts(), before, 'the timer goes with the last wait');
});

test('many waits with one timeout all time out, none early', async () => {
  const w = new Waiters<number, number>();
  const start = performance.now();
  const all = Array.from({ length: 50 }, (_, i) => outcome(w.wait(i, 40 + (i % 5), () => new Error(`late ${i}`)).promise));
  const done = await Promise.all(all);
  done.forEach((d, i) => {
    assert.equal(d.result, `late ${i}`);
    assert.ok(d.at - start >= 40 + (i % 5), `wait ${i} at ${d.at - start} ms`);
  });
  assert.equal(w.size, 0);
  assert.equal(timeouts(), 0);
});
