// The snapshot's keys are sorted in steps (src/statemachine/sort-in-steps.ts) instead of inside
// the Ready loop: the result must be exactly what one sort gives, and no step may do much more
// than its budget of comparisons, whatever the input order.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeSnapshotAsync } from '../../src/statemachine/snapshot-codec.js';
import { sortInSteps, sortSteps } from '../../src/statemachine/sort-in-steps.js';
import { StateMachine, sortedImage } from '../../src/statemachine/state-machine.js';
import { compareKeys } from '../../src/statemachine/key-order.js';
import { entriesOf, log } from './arbitraries.js';

/** Runs the generator, counting comparisons per step. */
function runCounting<T>(items: readonly T[], compare: (a: T, b: T) => number, budget: number): { sorted: T[]; perStep: number[] } {
  const perStep = [0];
  const steps = sortSteps(
    items,
    (a, b) => {
      perStep[perStep.length - 1]++;
      return compare(a, b);
    },
    budget,
  );
  for (;;) {
    const r = steps.next();
    if (r.done === true) return { sorted: r.value, perStep };
    perStep.push(0);
  }
}

describe('sortSteps', () => {
  test('gives what Array.prototype.sort gives (stable), for any input and budget; the input is not changed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ k: fc.integer({ min: 0, max: 20 }), at: fc.nat() })),
        fc.integer({ min: 1, max: 50 }),
        (items, budget) => {
          const before = items.slice();
          const { sorted } = runCounting(items, (a, b) => a.k - b.k, budget);
          assert.deepEqual(
            sorted,
            items.slice().sort((a, b) => a.k - b.k),
          );
          assert.deepEqual(items, before);
        },
      ),
    );
  });

  test('no step does more than its budget of comparisons (plus the one that crosses it), sorted or shuffled input', () => {
    const budget = 100;
    const sortedKeys = Array.from({ length: 5000 }, (_, i) => `key-${String(i).padStart(8, '0')}`);
    const shuffled = sortedKeys.slice();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    for (const input of [sortedKeys, shuffled, sortedKeys.slice().reverse()]) {
      const { sorted, perStep } = runCounting(input, compareKeys, budget);
      assert.deepEqual(sorted, sortedKeys);
      assert.ok(Math.max(...perStep) <= budget + 1, `a step did ${Math.max(...perStep)} comparisons`);
    }
  });

  test('sortInSteps yields to the event loop and stops when aborted', async () => {
    const items = Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 50_000);
    let turns = 0;
    const ticking = setInterval(() => turns++, 0);
    try {
      assert.deepEqual(
        await sortInSteps(items, (a, b) => a - b),
        items.slice().sort((a, b) => a - b),
      );
      assert.equal(
        await sortInSteps(
          items,
          (a, b) => a - b,
          () => true,
        ),
        undefined,
      );
    } finally {
      clearInterval(ticking);
    }
    assert.ok(turns > 0, 'timers ran while it sorted');
  });
});

describe('the frozen image', () => {
  test('sorted in steps, it encodes to the bytes of snapshot() at the frozen index, whatever was applied after', async () => {
    await fc.assert(
      fc.asyncProperty(log, fc.nat(), async (entries, cut) => {
        const at = entries.length === 0 ? 0 : cut % entries.length;
        const sm = StateMachine.create();
        entries.slice(0, at).forEach((e) => sm.apply(e));
        const expected = sm.snapshot();
        const frozen = sm.frozenImage();
        entries.slice(at).forEach((e) => sm.apply(e)); // what the Ready loop does meanwhile
        const image = await sortedImage(frozen);
        assert.deepEqual(await encodeSnapshotAsync(image!), expected);
      }),
      { numRuns: 100 },
    );
  });

  test('keys written out of order (deletes and rewrites move them in the map) come out in UTF-8 byte order', async () => {
    const sm = StateMachine.create();
    sm.apply(entriesOf([{ type: 'bootstrap', clusterId: 'c', members: [{ id: 'n1', address: 'h:1', role: 'voter' }] }])[0]);
    const keys = ['b', 'a', '\u{10000}', '\uffff', 'c', 'aa'];
    entriesOf(
      keys.map((key, i) => ({ type: 'put' as const, key, value: 'v', request: { clientId: 'c', requestId: String(i) } })),
      2,
    ).forEach((e) => sm.apply(e));
    const image = await sortedImage(sm.frozenImage());
    assert.deepEqual(
      image!.kvs.map((kv) => kv.key),
      ['a', 'aa', 'b', 'c', '\uffff', '\u{10000}'],
    );
    assert.deepEqual(image, sm.snapshotImage());
  });
});
