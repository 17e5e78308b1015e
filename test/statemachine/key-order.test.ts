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

/** Code point by code point, lone surrogates as their own values: the order compareKeys keeps. */
const codePointCompare = (a: string, b: string) => {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
};
/** UTF-16 units around the surrogates (lone halves included), a few below them. */
const nearSurrogates = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0xd7fe, max: 0xe001 }), fc.integer({ min: 0xfffe, max: 0xffff }), fc.constantFrom(0x61, 0x62))
    .map((u) => String.fromCharCode(u)),
  maxLength: 6,
});

describe('key order', () => {
  test('compareKeys orders like the UTF-8 bytes', () => {
    fc.assert(fc.property(text, text, (a, b) => assert.equal(sign(compareKeys(a, b)), sign(byteCompare(a, b)))));
    assert.ok(compareKeys('\uffff', '𝄞') < 0, 'U+FFFF < U+1D11E (UTF-16 units say otherwise)');
  });

  test('compareKeys orders by code point also where surrogates, lone or paired, meet units at or above U+D800', () => {
    fc.assert(
      fc.property(nearSurrogates, nearSurrogates, fc.string({ maxLength: 3 }), (a, b, common) =>
        assert.equal(
          sign(compareKeys(common + a, common + b)),
          sign(codePointCompare(common + a, common + b)),
          JSON.stringify([common, a, b]),
        ),
      ),
      { numRuns: 2000 },
    );
    assert.ok(compareKeys('\ud800', '\ue000') < 0, 'a lone high surrogate is U+D800, below U+E000');
    assert.ok(compareKeys('\ud800\udc00', '\ue000') > 0, 'a pair is U+10000, above U+E000');
  });
});
