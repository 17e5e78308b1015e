import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareKeys } from '../../src/statemachine/key-order.js';

const utf8 = new TextEncoder();
const sign = (n: number) => Math.sign(n);
const byteCompare = (a: string, b: string) => {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
};
const text = fc.string({ unit: 'grapheme', maxLength: 10 });

describe('key order', () => {
  test('compareKeys orders like the UTF-8 bytes', () => {
    fc.assert(fc.property(text, text, (a, b) => assert.equal(sign(compareKeys(a, b)), sign(byteCompare(a, b)))));
    assert.ok(compareKeys('\uffff', '𝄞') < 0, 'U+FFFF < U+1D11E (UTF-16 units say otherwise)');
  });
});
