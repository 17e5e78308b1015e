import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { COMMAND_FORMAT_VERSION, CommandLimits, decodeCommand, encodeCommand, type Command } from '../../src/statemachine/commands.js';
import { CommandDecodeError, InvalidCommandError } from '../../src/statemachine/errors.js';
import { command } from './arbitraries.js';

const enc = new TextEncoder();
const wire = (json: string): Uint8Array => new Uint8Array([COMMAND_FORMAT_VERSION, ...enc.encode(json)]);

describe('encodeCommand / decodeCommand', () => {
  test('decode(encode(c)) = c for every valid command', () => {
    fc.assert(fc.property(command, (c) => assert.deepEqual(decodeCommand(encodeCommand(c)), c)));
  });

  test('encoding is deterministic (same command, same bytes)', () => {
    fc.assert(fc.property(command, (c) => assert.deepEqual(encodeCommand(c), encodeCommand(structuredClone(c)))));
  });

  test('random bytes never crash decode: a command or CommandDecodeError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const c = decodeCommand(bytes);
          assert.deepEqual(decodeCommand(encodeCommand(c)), c);
        } catch (e) {
          assert.ok(e instanceof CommandDecodeError, `unexpected ${String(e)}`);
          assert.equal(e.code, 'SM_COMMAND_UNDECODABLE');
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('random JSON after a valid version byte never crashes decode', () => {
    fc.assert(
      fc.property(fc.json(), (json) => {
        try {
          decodeCommand(wire(json));
        } catch (e) {
          assert.ok(e instanceof CommandDecodeError, `unexpected ${String(e)}`);
        }
      }),
    );
  });

  test('a valid command with one flipped byte decodes to a valid command or a typed error', () => {
    fc.assert(
      fc.property(command, fc.nat(), fc.integer({ min: 1, max: 255 }), (c, at, x) => {
        const bytes = encodeCommand(c);
        bytes[at % bytes.length] ^= x;
        try {
          decodeCommand(bytes);
        } catch (e) {
          assert.ok(e instanceof CommandDecodeError);
        }
      }),
    );
  });

  test('unknown version, empty data, unknown fields and types are rejected with a reason', () => {
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array(0), /empty data/],
      [new Uint8Array([2, ...enc.encode('{"t":"noop"}')]), /format version 2/],
      [wire('{"t":"noop","x":1}'), /unknown field x/],
      [wire('{"t":"noop","__proto__":{}}'), /unknown field __proto__/],
      [wire('{"t":"launch"}'), /unknown command type "launch"/],
      [wire('{"t":"put","k":"a"}'), /missing field v/],
      [wire('{"t":"cas","k":"a","r":1.5,"v":""}'), /field r is not an integer/],
      [wire('{"t":"cas","k":"a","r":-1,"v":""}'), /expectedRevision must be a non-negative integer/],
      [wire('{"t":"put","k":"","v":""}'), /key is empty/],
      [wire('{"t":"put","k":"\\ud800","v":""}'), /lone UTF-16 surrogate/],
      [wire('{"t":"put","k":"a","v":"","rq":["c"]}'), /request id is not/],
      [wire('[1]'), /not an object/],
      [new Uint8Array([1, 0xff]), /undecodable/],
    ];
    for (const [bytes, re] of cases) {
      assert.throws(
        () => decodeCommand(bytes),
        (e: unknown) => e instanceof CommandDecodeError && re.test(e.message),
        re.source,
      );
    }
  });
});

describe('limits are enforced at encode time (InvalidCommandError) and again at decode', () => {
  const tooLong = (n: number): string => 'x'.repeat(n + 1);
  const bad: Array<[Command, RegExp]> = [
    [{ type: 'put', key: tooLong(CommandLimits.maxKeyBytes), value: '' }, /key is 1025 bytes; the limit is 1024/],
    [{ type: 'put', key: 'k', value: tooLong(CommandLimits.maxValueBytes) }, /value is 1048577 bytes/],
    // Counted in UTF-8 bytes, not UTF-16 units: 342 × "€" (3 bytes) = 1026 bytes.
    [{ type: 'delete', key: '€'.repeat(342) }, /key is 1026 bytes/],
    [{ type: 'put', key: 'k', value: 'a\udc00' }, /value contains a lone UTF-16 surrogate/],
    [{ type: 'put', key: '', value: 'v' }, /key is empty/],
    [{ type: 'put', key: 'k', value: 'v', request: { clientId: '', requestId: 'r' } }, /must both be non-empty/],
    [{ type: 'cas', key: 'k', expectedRevision: -1, value: '' }, /non-negative integer/],
    [{ type: 'bootstrap', clusterId: '', members: [] }, /cluster id is empty/],
    [{ type: 'recordEvent', event: { kind: 'hook', at: 1.5, nodeId: 'n1', term: 1, detail: '' } }, /event time/],
  ];
  for (const [c, re] of bad) {
    test(re.source, () => {
      assert.throws(
        () => encodeCommand(c),
        (e: unknown) => e instanceof InvalidCommandError && e.code === 'SM_COMMAND_INVALID' && re.test(e.message),
      );
    });
  }

  test('exactly at the limits is fine', () => {
    const c: Command = { type: 'put', key: 'k'.repeat(1024), value: '𝄞'.repeat(CommandLimits.maxValueBytes / 4) };
    assert.deepEqual(decodeCommand(encodeCommand(c)), c);
  });

  test('an oversized key smuggled past the encoder is still refused by decode', () => {
    assert.throws(() => decodeCommand(wire(JSON.stringify({ t: 'delete', k: 'x'.repeat(1025) }))), CommandDecodeError);
  });
});
