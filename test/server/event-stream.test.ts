import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStream } from '../../src/server/event-stream.js';
import { Ticker } from '../../src/server/ticker.js';
import { Waiters } from '../../src/server/waiters.js';

test('a slow subscriber loses its oldest events (counted) and never blocks publish', async () => {
  const s = new EventStream<number>(3);
  const slow = s.subscribe();
  const fast = s.subscribe();
  const got: number[] = [];
  const reading = (async () => {
    for await (const n of fast) got.push(n);
  })();
  for (let i = 1; i <= 10; i++) {
    s.publish(i);
    await Promise.resolve();
  }
  assert.equal(slow.dropped, 7);
  assert.equal(s.dropped, 7);
  s.close();
  const rest: number[] = [];
  for await (const n of slow) rest.push(n);
  assert.deepEqual(rest, [8, 9, 10], 'buffered events are still delivered after close');
  await reading;
  assert.deepEqual(got, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test('ticker remembers the clock reading taken before each tick', () => {
  let now = 100;
  let ticks = 0;
  const t = new Ticker({ tickMs: 10, clock: { monotonicMs: () => now, wallMs: () => 0 }, onTick: () => ++ticks, history: 4 });
  for (let i = 0; i < 6; i++) {
    t.tickOnce();
    now += 10;
  }
  assert.equal(t.timeOfTick(6), 150);
  assert.equal(t.timeOfTick(3), 120);
  assert.equal(t.timeOfTick(2), undefined, 'older than the ring');
});

test('waiters resolve every caller of a key and time out with the given error', async () => {
  const w = new Waiters<string, number>();
  const a = w.wait('k', 1000, () => new Error('late'));
  const b = w.wait('k', 1000, () => new Error('late'));
  assert.equal(w.resolve('k', 7), true);
  assert.deepEqual(await Promise.all([a.promise, b.promise]), [7, 7]);
  const c = w.wait('x', 1, () => new Error('late'));
  await assert.rejects(c.promise, /late/);
  assert.equal(w.size, 0);
});
