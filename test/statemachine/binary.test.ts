// The snapshot image's byte writer: its fast paths (short ASCII strings, varints written in one
// go) must give exactly the bytes of the general form, or images stop matching across versions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BinaryError, BinaryReader, BinaryWriter } from '../../src/statemachine/binary.js';

/** The general form: LEB128 length, then the UTF-8 bytes. */
function reference(parts: readonly (string | number)[]): Uint8Array {
  const out: number[] = [];
  const varint = (v: number) => {
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
  };
  for (const p of parts) {
    if (typeof p === 'number') varint(p);
    else {
      const b = new TextEncoder().encode(p);
      varint(b.length);
      out.push(...b);
    }
  }
  return Uint8Array.from(out);
}

const str = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 140 }),
  fc.integer({ min: 120, max: 135 }).map((n) => 'a'.repeat(n)),
  fc.integer({ min: 0, max: 130 }).map((n) => 'a'.repeat(n) + 'é'),
);
const uint = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.maxSafeNat());

describe('BinaryWriter', () => {
  test('strings and varints give the bytes of the general form, and read back', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(str, uint), { maxLength: 20 }), (parts) => {
        const w = new BinaryWriter();
        for (const p of parts) {
          if (typeof p === 'number') w.uint(p);
          else w.str(p);
        }
        const bytes = w.finish();
        assert.deepEqual(bytes, reference(parts));
        const r = new BinaryReader(bytes);
        for (const p of parts) assert.equal(typeof p === 'number' ? r.uint() : r.str(), p);
        assert.ok(r.done);
      }),
    );
  });
  test('a non-ASCII string whose length makes the buffer grow keeps its bytes', () => {
    // 'é' goes the general way: its bytes are written past len, then its length; the length's
    // room check used to grow the buffer, copying only up to len (zeros in the image instead).
    for (let n = 0; n < 40; n++) {
      const parts = ['a'.repeat(n), 'é', 'x€y'];
      const w = new BinaryWriter(16);
      for (const p of parts) w.str(p);
      assert.deepEqual(w.finish(), reference(parts), `after ${n} ASCII characters`);
    }
  });
});

describe('BinaryWriter: a payload written in place behind its length', () => {
  test('gives the bytes of bytes() over the same payload, whatever room was left for the length', () => {
    const expected = fc.oneof(fc.nat(300), fc.integer({ min: 0, max: 2 ** 22 }), fc.maxSafeNat());
    fc.assert(
      fc.property(fc.array(fc.oneof(str, uint), { maxLength: 40 }), expected, fc.nat(20), (parts, guess, capacity) => {
        const inner = reference(parts);
        const w = new BinaryWriter(capacity).str('before');
        const mark = w.beginLength(guess);
        for (const p of parts) {
          if (typeof p === 'number') w.uint(p);
          else w.str(p);
        }
        const bytes = w.endLength(mark).u8(7).finish();
        assert.deepEqual(bytes, new BinaryWriter().str('before').bytes(inner).u8(7).finish());
      }),
    );
  });

  test('a length that needs more bytes than the room left moves the payload up (127 → 128 bytes)', () => {
    for (const n of [127, 128, 16_383, 16_384]) {
      const payload = Uint8Array.from({ length: n }, (_, i) => i % 251);
      const w = new BinaryWriter(4);
      const mark = w.beginLength(0);
      w.raw(payload);
      assert.deepEqual(w.endLength(mark).finish(), new BinaryWriter().bytes(payload).finish(), `${n} bytes`);
    }
  });
});

describe('BinaryWriter.finish', () => {
  test('does not keep a large unused buffer alive behind a short result', () => {
    const bytes = new BinaryWriter(1 << 20).str('short').finish();
    assert.deepEqual(bytes, Uint8Array.from([5, 0x73, 0x68, 0x6f, 0x72, 0x74]));
    assert.equal(bytes.buffer.byteLength, bytes.length);
  });

  test('returns the bytes of a writer sized to them without copying them', () => {
    const w = new BinaryWriter(1000);
    for (let i = 0; i < 999; i++) w.u8(i);
    const bytes = w.finish();
    assert.equal(bytes.length, 999);
    assert.equal(bytes.buffer.byteLength, 1000);
    assert.equal(bytes[998], 998 & 0xff);
  });
});

describe('BinaryReader', () => {
  test('reads strings from a view into a larger buffer, ASCII or not', () => {
    fc.assert(
      fc.property(fc.array(str, { maxLength: 8 }), fc.uint8Array({ maxLength: 9 }), (parts, before) => {
        const bytes = reference(parts);
        const whole = new Uint8Array(before.length + bytes.length + 3);
        whole.set(before);
        whole.set(bytes, before.length);
        const r = new BinaryReader(whole.subarray(before.length, before.length + bytes.length));
        for (const p of parts) assert.equal(r.str(), p);
        assert.ok(r.done);
      }),
    );
  });

  test('malformed UTF-8 is refused, not replaced, short or long', () => {
    const bad = [[0xff], [0xc3], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80]];
    for (const b of bad) {
      for (const pad of [0, 1, 300]) {
        const body = [...Array<number>(pad).fill(0x61), ...b];
        const bytes = Uint8Array.from([...reference([body.length]), ...body]);
        assert.throws(() => new BinaryReader(bytes).str(), BinaryError, `${b.join(',')} after ${pad} ASCII bytes`);
      }
    }
  });

  test('a length past the end is refused', () => {
    assert.throws(() => new BinaryReader(Uint8Array.from([5, 0x61, 0x62])).str(), /runs past the end/);
  });
});
