import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StateMachine } from '../../src/statemachine/state-machine.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  encodeSnapshotAsync,
  RECORDS_PER_STEP,
  SNAPSHOT_FORMAT_VERSION,
} from '../../src/statemachine/snapshot-codec.js';
import type { KeyValue } from '../../src/statemachine/kv-history.js';
import { compareKeys } from '../../src/statemachine/key-order.js';
import { SnapshotCorruptError, SnapshotVersionError } from '../../src/statemachine/errors.js';
import { crc32 } from '../../src/statemachine/crc32.js';
import { entriesOf, log } from './arbitraries.js';

const isTyped = (e: unknown) => e instanceof SnapshotCorruptError || e instanceof SnapshotVersionError;

function sampleSnapshot(): Uint8Array {
  const sm = StateMachine.create();
  entriesOf([
    { type: 'bootstrap', clusterId: 'c', members: [{ id: 'n1', address: 'h:1', role: 'voter' }] },
    { type: 'put', key: 'a', value: 'é𝄞', request: { clientId: 'c1', requestId: 'r1' } },
    { type: 'cas', key: 'a', expectedRevision: 9, value: 'x', request: { clientId: 'c1', requestId: 'r2' } },
    { type: 'delete', key: 'a', request: { clientId: 'c2', requestId: 'r1' } },
    { type: 'recordEvent', event: { kind: 'fence', at: 1_700_000_000_000, nodeId: 'n1', term: 3, durationMs: 42, detail: 'ipmi off' } },
  ]).forEach((e) => sm.apply(e));
  return sm.snapshot();
}

/** Rewrite the trailing checksum so that a deliberate edit is not caught as corruption. */
function reseal(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)));
  return out;
}

describe('snapshot codec', () => {
  test('starts with the magic and the format version', () => {
    const s = sampleSnapshot();
    assert.equal(new TextDecoder().decode(s.subarray(0, 4)), 'PLSM');
    assert.equal(s[4], SNAPSHOT_FORMAT_VERSION);
  });

  test('restore(snapshot(x)) round-trips every part of the state', () => {
    fc.assert(
      fc.property(log, (entries) => {
        const sm = StateMachine.create();
        entries.forEach((e) => sm.apply(e));
        const img = decodeSnapshot(sm.snapshot());
        assert.equal(img.appliedIndex, sm.appliedIndex);
        assert.equal(img.revision, sm.revision);
        assert.deepEqual(img.kvs, sm.list());
        assert.deepEqual(img.members, sm.members());
        assert.deepEqual(img.events, sm.clusterEventLog());
        assert.deepEqual(img.rejections, sm.rejectionStats);
        assert.deepEqual(StateMachine.restore(sm.snapshot()).snapshot(), sm.snapshot());
      }),
      { numRuns: 100 },
    );
  });

  test('the stepwise encoder gives the same bytes, also from an image frozen before more entries were applied', async () => {
    await fc.assert(
      fc.asyncProperty(log, fc.nat(), async (entries, cut) => {
        const at = entries.length === 0 ? 0 : cut % entries.length;
        const sm = StateMachine.create();
        entries.slice(0, at).forEach((e) => sm.apply(e));
        const expected = sm.snapshot();
        const image = sm.snapshotImage();
        entries.slice(at).forEach((e) => sm.apply(e)); // what the Ready loop does meanwhile
        assert.deepEqual(await encodeSnapshotAsync(image), expected);
      }),
      { numRuns: 100 },
    );
  });

  test('the stepwise encoder yields to the event loop between steps, and stops when aborted', async () => {
    const sm = StateMachine.create();
    const n = 3 * RECORDS_PER_STEP;
    sm.apply(entriesOf([{ type: 'bootstrap', clusterId: 'c', members: [{ id: 'n1', address: 'h:1', role: 'voter' }] }])[0]);
    entriesOf(
      Array.from({ length: n }, (_, i) => ({
        type: 'put' as const,
        key: `k${i}`,
        value: 'v',
        request: { clientId: 'c', requestId: String(i) },
      })),
      2,
    ).forEach((e) => sm.apply(e));
    let turns = 0;
    const ticking = setInterval(() => turns++, 0);
    let steps = 0;
    try {
      const bytes = await encodeSnapshotAsync(sm.snapshotImage(), () => (steps++, false));
      assert.deepEqual(bytes, sm.snapshot());
      assert.ok(steps >= 3, `${steps} steps for ${n} keys`);
      assert.equal(await encodeSnapshotAsync(sm.snapshotImage(), () => true), undefined);
    } finally {
      clearInterval(ticking);
    }
    assert.ok(turns > 0, 'timers ran while it encoded');
  });

  test('any single flipped bit is caught (checksum), with a typed error', () => {
    const s = sampleSnapshot();
    fc.assert(
      fc.property(fc.nat(s.length * 8 - 1), (bit) => {
        const bad = s.slice();
        bad[bit >> 3] ^= 1 << (bit & 7);
        assert.throws(() => StateMachine.restore(bad), isTyped);
      }),
    );
  });

  test('truncation at any length is caught', () => {
    const s = sampleSnapshot();
    for (let n = 0; n < s.length; n++) assert.throws(() => StateMachine.restore(s.subarray(0, n)), isTyped);
  });

  test('random bytes never crash restore: typed errors only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        assert.throws(() => StateMachine.restore(bytes), isTyped);
      }),
      { numRuns: 2000 },
    );
  });

  test('random bytes behind a valid header and checksum fail with SnapshotCorruptError only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (body) => {
        const bytes = reseal(new Uint8Array([0x50, 0x4c, 0x53, 0x4d, SNAPSHOT_FORMAT_VERSION, ...body, 0, 0, 0, 0]));
        try {
          decodeSnapshot(bytes);
        } catch (e) {
          assert.ok(e instanceof SnapshotCorruptError, String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('an intact image of another format version is a SnapshotVersionError naming both versions', () => {
    const s = sampleSnapshot();
    s[4] = 9;
    assert.throws(
      () => StateMachine.restore(reseal(s)),
      (e: unknown) =>
        e instanceof SnapshotVersionError && e.found === 9 && e.supported === SNAPSHOT_FORMAT_VERSION && e.code === 'SM_SNAPSHOT_VERSION',
    );
  });

  test('a checksummed image whose keys are duplicated or out of order is refused as corrupt', () => {
    // Astral characters and ones above the surrogates too: UTF-16 order and the image's order
    // (code points) differ there. Few letters, so that neighbours often share a prefix.
    const key = fc.string({ unit: fc.constantFrom('a', 'b', 'é', '\ue000', '\uffff', '𝄞', '😀'), minLength: 1, maxLength: 6 });
    const empty = StateMachine.create().snapshotImage();
    const imageOf = (keys: readonly string[]) => {
      const kvs = keys.map((k, i): KeyValue => ({ key: k, value: 'v', createRevision: i + 1, modRevision: i + 1, version: 1 }));
      return encodeSnapshot({ ...empty, revision: keys.length, kvs });
    };
    fc.assert(
      fc.property(fc.uniqueArray(key, { minLength: 2, maxLength: 12 }), fc.nat(), fc.boolean(), (unique, pick, duplicate) => {
        const sorted = unique.slice().sort(compareKeys);
        assert.deepEqual(
          decodeSnapshot(imageOf(sorted)).kvs.map((kv) => kv.key),
          sorted,
        );
        const i = pick % (sorted.length - 1);
        const bad = sorted.slice();
        if (duplicate) bad[i + 1] = bad[i];
        else [bad[i], bad[i + 1]] = [bad[i + 1], bad[i]];
        assert.throws(
          () => decodeSnapshot(imageOf(bad)),
          (e: unknown) => e instanceof SnapshotCorruptError && /duplicate or out of order/.test(e.message),
        );
      }),
    );
  });

  test('a checksummed image with a key whose revisions cannot be is refused as corrupt', () => {
    const empty = StateMachine.create().snapshotImage();
    const good: KeyValue = { key: 'k', value: 'v', createRevision: 2, modRevision: 3, version: 2 };
    const imageOf = (kv: KeyValue) => encodeSnapshot({ ...empty, revision: 3, kvs: [kv] });
    assert.equal(decodeSnapshot(imageOf(good)).kvs[0].modRevision, 3);
    for (const bad of [
      { ...good, version: 0 },
      { ...good, createRevision: 0 },
      { ...good, createRevision: 4, modRevision: 3 },
      { ...good, modRevision: 4, createRevision: 4 },
    ]) {
      assert.throws(
        () => decodeSnapshot(imageOf(bad)),
        (e: unknown) => e instanceof SnapshotCorruptError && /key k has inconsistent revisions/.test(e.message),
        JSON.stringify(bad),
      );
    }
  });

  test('a wrong magic says it is not a palisade snapshot', () => {
    const s = sampleSnapshot();
    s[0] = 0x58;
    assert.throws(() => StateMachine.restore(s), /bad magic/);
  });
});
