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
