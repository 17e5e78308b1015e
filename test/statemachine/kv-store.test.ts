import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KvStore } from '../../src/statemachine/kv-store.js';
import { KvHistory, type KeyValue } from '../../src/statemachine/kv-history.js';
import { WatchCompactedError } from '../../src/statemachine/errors.js';
import { key, prefix, value } from './arbitraries.js';

const utf8 = new TextEncoder();
/** The oracle's order: compare the UTF-8 bytes. */
function byteOrder(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** Naive model: a Map and a counter, written out longhand (etcd revision semantics). */
class Model {
  rev = 0;
  data = new Map<string, KeyValue>();
  put(k: string, v: string) {
    this.rev++;
    const prev = this.data.get(k);
    this.data.set(k, {
      key: k,
      value: v,
      createRevision: prev ? prev.createRevision : this.rev,
      modRevision: this.rev,
      version: prev ? prev.version + 1 : 1,
    });
    return { revision: this.rev };
  }
  delete(k: string) {
    if (!this.data.has(k)) return { revision: this.rev, deleted: false };
    this.rev++;
    this.data.delete(k);
    return { revision: this.rev, deleted: true };
  }
  cas(k: string, expected: number, v: string) {
    const cur = this.data.get(k);
    const curRev = cur ? cur.modRevision : 0;
    if (curRev !== expected) return { succeeded: false, revision: this.rev, modRevision: curRev };
    this.put(k, v);
    return { succeeded: true, revision: this.rev, modRevision: this.rev };
  }
  list(p: string) {
    return [...this.data.values()].filter((kv) => kv.key.startsWith(p)).sort((a, b) => byteOrder(a.key, b.key));
  }
}

type Op =
  | { op: 'put'; k: string; v: string }
  | { op: 'delete'; k: string }
  | { op: 'cas'; k: string; rev: number; v: string }
  | { op: 'list'; p: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('put' as const), k: key, v: value }),
  fc.record({ op: fc.constant('delete' as const), k: key }),
  fc.record({ op: fc.constant('cas' as const), k: key, rev: fc.nat(15), v: value }),
  fc.record({ op: fc.constant('list' as const), p: prefix }),
);

describe('KvStore', () => {
  test('matches a naive Map model for random put/delete/cas/list sequences, revisions included', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const s = new KvStore();
        const m = new Model();
        for (const o of ops) {
          switch (o.op) {
            case 'put':
              assert.deepEqual(s.put(o.k, o.v), m.put(o.k, o.v));
              break;
            case 'delete':
              assert.deepEqual(s.delete(o.k), m.delete(o.k));
              break;
            case 'cas':
              assert.deepEqual(s.cas(o.k, o.rev, o.v), m.cas(o.k, o.rev, o.v));
              break;
            case 'list':
              assert.deepEqual(s.list(o.p), m.list(o.p));
              break;
          }
          assert.equal(s.revision, m.rev);
          assert.equal(s.size, m.data.size);
        }
        for (const [k, kv] of m.data) assert.deepEqual(s.get(k), kv);
      }),
    );
  });

  test('system keys (palisade/...) are listed from their own index, and agree with the model, also after a restore', () => {
    const sysKey = fc.constantFrom(
      'palisade/ha/nodes/n1',
      'palisade/ha/nodes/n2',
      'palisade/x',
      'palisade',
      'palisadex',
      'pal/a',
      'user/a',
      'p',
    );
    const sysPrefix = fc.constantFrom(
      '',
      'p',
      'pal',
      'palisade',
      'palisade/',
      'palisade/ha/',
      'palisade/ha/nodes/',
      'palisade/ha/nodes/n2',
      'user/',
    );
    const sysOp: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('put' as const), k: sysKey, v: value }),
      fc.record({ op: fc.constant('delete' as const), k: sysKey }),
      fc.record({ op: fc.constant('cas' as const), k: sysKey, rev: fc.nat(15), v: value }),
      fc.record({ op: fc.constant('list' as const), p: sysPrefix }),
    );
    fc.assert(
      fc.property(fc.array(sysOp, { maxLength: 60 }), (ops) => {
        const s = new KvStore();
        const m = new Model();
        for (const o of ops) {
          if (o.op === 'put') {
            s.put(o.k, o.v);
            m.put(o.k, o.v);
          } else if (o.op === 'delete') {
            s.delete(o.k);
            m.delete(o.k);
          } else if (o.op === 'cas') {
            s.cas(o.k, o.rev, o.v);
            m.cas(o.k, o.rev, o.v);
          } else assert.deepEqual(s.list(o.p), m.list(o.p));
        }
        const restored = KvStore.fromParts(s.revision, s.list(), { maxEvents: 1000, maxBytes: 1 << 20 }, []);
        for (const p of ['', 'palisade/', 'palisade/ha/nodes/']) {
          assert.deepEqual(s.list(p), m.list(p));
          assert.deepEqual(restored.list(p), m.list(p));
        }
      }),
    );
  });

  test('revisions follow etcd: create/mod revision and version per key, reset by delete', () => {
    const s = new KvStore();
    s.put('a', '1'); // rev 1
    s.put('b', '1'); // rev 2
    s.put('a', '2'); // rev 3
    assert.deepEqual(s.get('a'), { key: 'a', value: '2', createRevision: 1, modRevision: 3, version: 2 });
    assert.deepEqual(s.delete('a'), { revision: 4, deleted: true });
    assert.deepEqual(s.delete('a'), { revision: 4, deleted: false }, 'deleting a missing key is not a mutation');
    s.put('a', '3'); // rev 5
    assert.deepEqual(s.get('a'), { key: 'a', value: '3', createRevision: 5, modRevision: 5, version: 1 });
  });

  test('cas: 0 means "must not exist"; otherwise the modRevision must match', () => {
    const s = new KvStore();
    assert.deepEqual(s.cas('k', 0, 'v1'), { succeeded: true, revision: 1, modRevision: 1 });
    assert.deepEqual(s.cas('k', 0, 'v2'), { succeeded: false, revision: 1, modRevision: 1 });
    assert.deepEqual(s.cas('k', 1, 'v2'), { succeeded: true, revision: 2, modRevision: 2 });
    assert.deepEqual(s.cas('k', 1, 'v3'), { succeeded: false, revision: 2, modRevision: 2 }, 'the loser learns the current revision');
    assert.equal(s.get('k')?.value, 'v2');
  });

  test('list is in UTF-8 byte order (U+FFFF sorts before U+10000) and honours the limit', () => {
    const s = new KvStore();
    for (const k of ['b', '𝄞', '\uffff', 'a/2', 'a/1', 'a']) s.put(k, '');
    assert.deepEqual(
      s.list().map((kv) => kv.key),
      ['a', 'a/1', 'a/2', 'b', '\uffff', '𝄞'],
    );
    assert.deepEqual(
      s.list('a/').map((kv) => kv.key),
      ['a/1', 'a/2'],
    );
    assert.deepEqual(
      s.list('', 2).map((kv) => kv.key),
      ['a', 'a/1'],
    );
  });
});

describe('KvHistory', () => {
  test('keeps the newest maxEvents events as a contiguous run ending at the revision', () => {
    const s = new KvStore(new KvHistory({ maxEvents: 3, maxBytes: 1 << 20 }));
    for (let i = 0; i < 5; i++) s.put(`k${i}`, 'v');
    assert.equal(s.history.oldestRevision, 3);
    assert.deepEqual(
      s.history.eventsFrom(4).map((e) => e.revision),
      [4, 5],
    );
    assert.deepEqual(s.history.eventsFrom(6), [], 'the future is empty, not an error');
    assert.throws(
      () => s.history.eventsFrom(2),
      (e: unknown) => e instanceof WatchCompactedError && e.oldestRevision === 3 && e.requestedRevision === 2,
    );
  });

  test('the byte budget evicts too, but the newest event is always kept', () => {
    const h = new KvHistory({ maxEvents: 100, maxBytes: 100 });
    const s = new KvStore(h);
    s.put('a', 'x'.repeat(40)); // 32 + 1 + 40 = 73 bytes
    s.put('b', 'x'.repeat(40)); // would be 146 > 100: drops revision 1
    assert.equal(h.oldestRevision, 2);
    s.put('c', 'x'.repeat(500)); // alone above budget: kept, everything older dropped
    assert.equal(h.oldestRevision, 3);
    assert.equal(h.length, 1);
  });

  test('an empty history starts at revision + 1', () => {
    const s = new KvStore();
    assert.equal(s.history.oldestRevision, 1);
    assert.deepEqual(s.history.eventsFrom(1), []);
    const failedCas = s.cas('k', 7, 'v');
    assert.equal(failedCas.succeeded, false);
    assert.equal(s.history.length, 0, 'no mutation, no event');
  });
});
