// The snapshot image's byte writer: its fast paths (short ASCII strings, varints written in one
// go) must give exactly the bytes of the general form, or images stop matching across versions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BinaryReader, BinaryWriter } from '../../src/statemachine/binary.js';

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
