// --quota-bytes: what the node refuses before proposing, and the alarm status shows.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ResourceExhaustedError } from '../../src/errors.js';
import { KEY_OVERHEAD_BYTES, KvStore, storedBytes } from '../../src/statemachine/kv-store.js';
import { DEFAULT_HISTORY_LIMITS } from '../../src/statemachine/kv-history.js';
import { StoreQuota } from '../../src/server/store-quota.js';

describe('StoreQuota', () => {
  test('a write that fits passes; one that would grow the store past the quota is refused with both sizes', () => {
    const q = new StoreQuota(1000);
    q.admit(0, 'a', 'x'.repeat(900), undefined);
    const used = storedBytes('a', 'x'.repeat(900));
    assert.throws(
      () => q.admit(used, 'b', 'y'.repeat(100), undefined),
      (err: unknown) =>
        err instanceof ResourceExhaustedError &&
        err.code === 'RESOURCE_EXHAUSTED' &&
        /holds 965 bytes of --quota-bytes 1000, and this write adds 165/.test(err.message),
    );
  });

  test('overwriting with a value no larger, and keys under palisade/, always pass', () => {
    const q = new StoreQuota(100);
    q.admit(5000, 'a', 'short', 'a much longer value than before');
    q.admit(5000, 'a', 'same', 'same');
    q.admit(5000, 'palisade/ha/nodes/n1', 'x'.repeat(500), undefined);
  });

  test('the alarm is raised by a refusal and clears once the refused write would fit', () => {
    const q = new StoreQuota(1000);
    assert.equal(q.usage(900).alarm, '');
    assert.throws(() => q.admit(900, 'k', 'v'.repeat(200), undefined));
    assert.match(q.usage(900).alarm, /^NOSPACE: writes are refused: the store holds 900 bytes of its quota of 1000/);
    assert.notEqual(q.usage(800).alarm, '', 'the refused write (265 bytes) still would not fit');
    assert.equal(q.usage(735).alarm, '');
    assert.equal(q.usage(900).alarm, '', 'cleared for good until the next refusal');
  });
});

describe('KvStore.bytes', () => {
  const op = fc.oneof(
    fc.record({ put: fc.constantFrom('a', 'b', 'c', 'ü-key'), value: fc.string({ maxLength: 20, unit: 'grapheme' }) }),
    fc.record({ del: fc.constantFrom('a', 'b', 'c', 'ü-key') }),
  );
  test('equals storedBytes summed over the live keys after any puts and deletes, and after a restore', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const s = new KvStore();
        for (const o of ops) {
          if ('put' in o) s.put(o.put, o.value);
          else s.delete(o.del);
        }
        const sum = s.list().reduce((n, kv) => n + storedBytes(kv.key, kv.value), 0);
        assert.equal(s.bytes, sum);
        const restored = KvStore.fromParts(s.revision, s.list(), DEFAULT_HISTORY_LIMITS, s.history.eventsFrom(s.history.oldestRevision));
        assert.equal(restored.bytes, sum);
      }),
      { numRuns: 200 },
    );
    assert.equal(storedBytes('é', 'ab'), KEY_OVERHEAD_BYTES + 2 + 2);
  });
});
