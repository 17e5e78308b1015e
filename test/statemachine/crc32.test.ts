import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc32, crc32Table } from '../../src/statemachine/crc32.js';

describe('crc32', () => {
  test('the check value of the IEEE polynomial', () => {
    const ascii = new TextEncoder().encode('123456789');
    assert.equal(crc32(ascii), 0xcbf43926);
    assert.equal(crc32Table(ascii), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });

  test('the native and the table implementation agree on any bytes (also sub-views)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(20), (bytes, skip) => {
        const view = bytes.subarray(Math.min(skip, bytes.length));
        assert.equal(crc32(view), crc32Table(view));
      }),
      { numRuns: 300 },
    );
  });
});
