import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CodecError,
  decodeEntry,
  decodeHardState,
  decodeIdentity,
  decodeLogStart,
  decodeSnapshotRecord,
  encodeEntry,
  encodeHardState,
  encodeIdentity,
  encodeLogStart,
  encodeInlineSnapshot,
  encodeSnapshotRecord,
} from '../../src/storage/codec.js';
import { crc32c } from '../../src/storage/crc32c.js';
import { ENTRY_KEYS_FROM, ENTRY_KEYS_TO, entryKey, entryKeyIndex } from '../../src/storage/keys.js';
import { EntryType, type Entry, type HardState, type Snapshot } from '../../src/raft/types.js';

const index = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const small = fc.integer({ min: 0, max: 1_000_000 });
const id = fc.string({ maxLength: 12 });

const entryArb: fc.Arbitrary<Entry> = fc
  .tuple(index, index, fc.constantFrom(EntryType.Normal, EntryType.ConfChange), fc.uint8Array({ maxLength: 64 }))
  .map(([index, term, type, data]) => ({ index, term, type, data }));
const hardStateArb: fc.Arbitrary<HardState> = fc.tuple(index, id, index).map(([term, vote, commit]) => ({ term, vote, commit }));
// Built as plain objects: fast-check may hand out null-prototype records, which deepEqual tells apart.
const snapshotArb: fc.Arbitrary<Snapshot> = fc
  .tuple(small, small, fc.array(id, { maxLength: 5 }), fc.array(id, { maxLength: 3 }), fc.uint8Array({ maxLength: 64 }))
  .map(([index, term, voters, learners, data]) => ({ metadata: { index, term, confState: { voters, learners } }, data }));

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

describe('crc32c', () => {
  test('matches the CRC-32C check value of "123456789" (0xE3069283) and of the empty string', () => {
    assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(0)), 0);
  });

  test('matches the RFC 3720 (iSCSI) test vectors, which cover the 8-byte steps', () => {
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  });

  test('equals the byte-at-a-time definition on any range of any bytes', () => {
    const reference = (b: Uint8Array, start: number, end: number): number => {
      let c = 0xffffffff;
      for (let i = start; i < end; i++) {
        c ^= b[i];
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200, size: 'max' }), fc.nat(7), fc.nat(), fc.nat(), (whole, skip, x, y) => {
        // A view that does not start at its buffer's first byte, as stored values often are.
        const b = whole.subarray(Math.min(skip, whole.length));
        const start = b.length === 0 ? 0 : x % (b.length + 1);
        const end = start + (b.length === 0 ? 0 : y % (b.length - start + 1));
        assert.equal(crc32c(b, start, end), reference(b, start, end));
      }),
    );
  });

  test('a checksum continued piece by piece equals the checksum of the whole (snapshot images are checksummed in pieces)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 5 }), (b, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
        let crc = 0;
        let at = 0;
        for (const p of [...points, b.length]) {
          crc = crc32c(b, at, p, crc);
          at = p;
        }
        assert.equal(crc, crc32c(b));
      }),
    );
  });
});

describe('keys', () => {
  test('entry keys sort bytewise in index order (LevelDB scans read the log in order)', () => {
    fc.assert(
      fc.property(index, index, (a, b) => {
        const c = compareBytes(entryKey(a), entryKey(b));
        assert.equal(Math.sign(c), Math.sign(a - b));
        assert.ok(compareBytes(ENTRY_KEYS_FROM, entryKey(a)) < 0 && compareBytes(entryKey(a), ENTRY_KEYS_TO) < 0);
        assert.equal(entryKeyIndex(entryKey(a)), a);
      }),
    );
  });

  test('entry keys keep the layout existing data dirs were written with (tag + big-endian u64)', () => {
    fc.assert(
      fc.property(index, (i) => {
        const want = new Uint8Array(9);
        want[0] = 0x10;
        new DataView(want.buffer).setBigUint64(1, BigInt(i));
        assert.deepEqual(entryKey(i), want);
      }),
    );
  });

  test('entryKeyIndex refuses keys that are not entry keys', () => {
    assert.equal(entryKeyIndex(Uint8Array.of(0x10, 0, 0)), undefined);
    assert.equal(entryKeyIndex(Uint8Array.of(0x02, 0, 0, 0, 0, 0, 0, 0, 1)), undefined);
    assert.throws(() => entryKey(-1), RangeError);
    assert.throws(() => entryKey(1.5), RangeError);
  });
});

describe('codec', () => {
  test('every record kind round-trips', () => {
    fc.assert(
      fc.property(entryArb, hardStateArb, snapshotArb, id, id, (e, hs, snap, clusterId, nodeId) => {
        assert.deepEqual(decodeEntry(encodeEntry(e)), e);
        assert.deepEqual(decodeHardState(encodeHardState(hs)), hs);
        assert.deepEqual(decodeSnapshotRecord(encodeInlineSnapshot(snap)), { kind: 'inline', snapshot: snap });
        const file = snap.data.length === 0 ? undefined : { name: `${e.index}.snap`, size: snap.data.length };
        assert.deepEqual(decodeSnapshotRecord(encodeSnapshotRecord(snap.metadata, file)), { kind: 'file', metadata: snap.metadata, file });
        assert.deepEqual(decodeLogStart(encodeLogStart({ index: e.index, term: e.term })), { index: e.index, term: e.term });
        assert.deepEqual(decodeIdentity(encodeIdentity({ clusterId, nodeId })), { clusterId, nodeId });
      }),
    );
  });

  test('any single flipped bit in a stored entry is detected', () => {
    fc.assert(
      fc.property(entryArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (e, at, bit) => {
        const buf = encodeEntry(e);
        buf[at % buf.length] ^= 1 << bit;
        assert.throws(() => decodeEntry(buf), CodecError);
      }),
    );
  });

  test('a truncated record is detected, whatever its length', () => {
    const buf = encodeEntry({ index: 7, term: 2, type: EntryType.Normal, data: new Uint8Array([1, 2, 3]) });
    for (let n = 0; n < buf.length; n++) assert.throws(() => decodeEntry(buf.subarray(0, n)), CodecError, `length ${n}`);
  });

  test('a value of one kind is refused where another kind belongs', () => {
    const hs = encodeHardState({ term: 1, vote: 'n1', commit: 0 });
    assert.throws(() => decodeEntry(hs), /kind/);
    assert.throws(() => decodeSnapshotRecord(hs), /kind/);
  });

  test('decoded data is a plain Uint8Array copy, even from a Buffer (LevelDB hands out Buffers)', () => {
    const buf = Buffer.from(encodeEntry({ index: 1, term: 1, type: EntryType.Normal, data: new Uint8Array([5, 6]) }));
    const e = decodeEntry(buf);
    buf.fill(0);
    assert.deepEqual(e.data, new Uint8Array([5, 6]));
    assert.equal(Object.getPrototypeOf(e.data), Uint8Array.prototype);
  });
});
