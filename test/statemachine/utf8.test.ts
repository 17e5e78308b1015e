import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareKeys, isWellFormed, utf8ByteLength } from '../../src/statemachine/utf8.js';

const utf8 = new TextEncoder();
const sign = (n: number) => Math.sign(n);
const byteCompare = (a: string, b: string) => {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
};
const text = fc.string({ unit: 'grapheme', maxLength: 10 });

describe('utf8 helpers', () => {
  test('utf8ByteLength equals the length of the TextEncoder output', () => {
    fc.assert(fc.property(text, (s) => assert.equal(utf8ByteLength(s), utf8.encode(s).length)));
  });

  test('compareKeys orders like the UTF-8 bytes', () => {
    fc.assert(fc.property(text, text, (a, b) => assert.equal(sign(compareKeys(a, b)), sign(byteCompare(a, b)))));
    assert.ok(compareKeys('\uffff', '𝄞') < 0, 'U+FFFF < U+1D11E (UTF-16 units say otherwise)');
  });

  test('isWellFormed rejects lone surrogates only', () => {
    assert.equal(isWellFormed('a𝄞b'), true);
    assert.equal(isWellFormed('a\ud834'), false);
    assert.equal(isWellFormed('\udd1e'), false);
    fc.assert(fc.property(text, (s) => assert.equal(isWellFormed(s), true)));
  });
});
