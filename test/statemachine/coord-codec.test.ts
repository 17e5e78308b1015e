// The coordination commands' entry format (coord-codec.ts): its own marker byte, a round trip for
// every command, and every limit checked again when decoding (entries outlive their writers).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COORD_MARKER,
  coordCommandProblem,
  decodeCoordCommand,
  encodeCoordCommand,
  isCoordCommand,
} from '../../src/statemachine/coord-codec.js';
import type { CoordCommand } from '../../src/statemachine/coord-record.js';
import { SessionLimits } from '../../src/statemachine/coord-record.js';
import { COMMAND_FORMAT_VERSION, decodeCommand, encodeCommand } from '../../src/statemachine/commands.js';
import { CommandDecodeError, InvalidCommandError } from '../../src/statemachine/errors.js';
import { encodeHaCommand, isHaCommand } from '../../src/statemachine/ha-state.js';

const rq = { clientId: 'c1', requestId: 'r1' };

const valid: CoordCommand[] = [
  { type: 'sessionCreate', owner: 'host:42', ttlMs: 10_000, lockDelayMs: 0 },
  { type: 'sessionCreate', owner: '', ttlMs: SessionLimits.minTtlMs, lockDelayMs: SessionLimits.maxLockDelayMs, request: rq },
  { type: 'sessionEnd', session: '7', reason: 'closed', request: rq },
  { type: 'sessionEnd', session: '9007199254740991', reason: 'expired' },
  { type: 'acquire', name: 'locks/é𝄞', session: '3', kind: 'lock', limit: 1, value: '' },
  { type: 'acquire', name: 'pool', session: '3', kind: 'semaphore', limit: SessionLimits.maxSemaphoreLimit, value: 'w1', request: rq },
  { type: 'acquire', name: 'leader', session: '3', kind: 'election', limit: 1, value: '10.0.0.1:80' },
  { type: 'release', name: 'leader', session: '3', request: rq },
  { type: 'proclaim', name: 'leader', session: '3', token: 12, value: 'v2' },
  { type: 'lockDelayEnd', name: 'leader', since: 40 },
];

/** Entry data with the marker and this JSON, as a writer that skipped the checks would make it. */
function raw(json: unknown): Uint8Array {
  const body = new TextEncoder().encode(typeof json === 'string' ? json : JSON.stringify(json));
  return new Uint8Array([COORD_MARKER, ...body]);
}

describe('coordination command codec', () => {
  test('every command round-trips, and its data is recognised as coordination only', () => {
    for (const c of valid) {
      const data = encodeCoordCommand(c);
      assert.equal(data[0], COORD_MARKER);
      assert.ok(isCoordCommand(data));
      assert.ok(!isHaCommand(data));
      assert.deepEqual(decodeCoordCommand(data), c);
      assert.throws(() => decodeCommand(data), CommandDecodeError, 'the KV decoder refuses it by its first byte');
    }
  });

  test('the marker differs from the KV format version and the HA marker', () => {
    assert.notEqual(COORD_MARKER, COMMAND_FORMAT_VERSION);
    assert.notEqual(COORD_MARKER, encodeHaCommand({ type: 'pause' })[0]);
    assert.ok(!isCoordCommand(encodeCommand({ type: 'noop' })));
    assert.ok(!isCoordCommand(encodeHaCommand({ type: 'pause' })));
    assert.ok(!isCoordCommand(new Uint8Array([COORD_MARKER])), 'a lone marker byte is not a command');
  });

  const bad: [string, unknown][] = [
    ['ttl below the minimum', { t: 'sessionCreate', o: '', ttl: SessionLimits.minTtlMs - 1, ld: 0 }],
    ['ttl above the maximum', { t: 'sessionCreate', o: '', ttl: SessionLimits.maxTtlMs + 1, ld: 0 }],
    ['fractional ttl', { t: 'sessionCreate', o: '', ttl: 1500.5, ld: 0 }],
    ['lock delay above the maximum', { t: 'sessionCreate', o: '', ttl: 5000, ld: SessionLimits.maxLockDelayMs + 1 }],
    ['negative lock delay', { t: 'sessionCreate', o: '', ttl: 5000, ld: -1 }],
    ['owner too long', { t: 'sessionCreate', o: 'x'.repeat(SessionLimits.maxOwnerBytes + 1), ttl: 5000, ld: 0 }],
    ['owner with a lone surrogate', { t: 'sessionCreate', o: '\ud800', ttl: 5000, ld: 0 }],
    ['session id 0', { t: 'sessionEnd', s: '0', why: 'closed' }],
    ['session id with a leading zero', { t: 'sessionEnd', s: '07', why: 'closed' }],
    ['session id not decimal', { t: 'release', n: 'a', s: 'abc' }],
    ['session id beyond a safe integer', { t: 'release', n: 'a', s: '9007199254740993' }],
    ['unknown end reason', { t: 'sessionEnd', s: '1', why: 'timeout' }],
    ['empty name', { t: 'release', n: '', s: '1' }],
    ['name longer than a key', { t: 'release', n: 'é'.repeat(513), s: '1' }],
    ['name with a lone surrogate', { t: 'release', n: 'a\udc00', s: '1' }],
    ['a lock with two slots', { t: 'acquire', n: 'a', s: '1', k: 'lock', l: 2, v: '' }],
    ['an election with no slot', { t: 'acquire', n: 'a', s: '1', k: 'election', l: 0, v: '' }],
    ['a semaphore with no slot', { t: 'acquire', n: 'a', s: '1', k: 'semaphore', l: 0, v: '' }],
    ['a semaphore above the limit', { t: 'acquire', n: 'a', s: '1', k: 'semaphore', l: SessionLimits.maxSemaphoreLimit + 1, v: '' }],
    ['unknown kind', { t: 'acquire', n: 'a', s: '1', k: 'mutex', l: 1, v: '' }],
    ['token 0', { t: 'proclaim', n: 'a', s: '1', tk: 0, v: '' }],
    ['lock delay start 0', { t: 'lockDelayEnd', n: 'a', since: 0 }],
    ['unknown field', { t: 'release', n: 'a', s: '1', x: 1 }],
    ['missing field', { t: 'release', n: 'a' }],
    ['request id on lockDelayEnd', { t: 'lockDelayEnd', n: 'a', since: 3, rq: ['c', 'r'] }],
    ['empty request id', { t: 'release', n: 'a', s: '1', rq: ['c', ''] }],
    ['malformed request id', { t: 'release', n: 'a', s: '1', rq: 'c/r' }],
    ['unknown type', { t: 'steal', n: 'a', s: '1' }],
    ['not an object', [1, 2]],
    ['not JSON', '{"t":'],
  ];
  for (const [what, json] of bad) {
    test(`decoding refuses: ${what}`, () => {
      assert.throws(() => decodeCoordCommand(raw(json)), CommandDecodeError);
    });
  }

  test('invalid UTF-8 is refused, not replaced', () => {
    assert.throws(() => decodeCoordCommand(new Uint8Array([COORD_MARKER, 0x7b, 0xff, 0x7d])), CommandDecodeError);
  });

  test('encoding refuses what decoding would, before anything is proposed', () => {
    const c: CoordCommand = { type: 'sessionCreate', owner: '', ttlMs: 999, lockDelayMs: 0 };
    assert.match(coordCommandProblem(c) ?? '', /ttl must be an integer from 1000 to 300000 ms/);
    assert.throws(() => encodeCoordCommand(c), InvalidCommandError);
    assert.throws(
      () => encodeCoordCommand({ type: 'acquire', name: 'a', session: '1', kind: 'lock', limit: 3, value: '' }),
      /a lock has limit 1/,
    );
  });
});

describe('KV commands: session binding and fencing guard', () => {
  test('round-trip on put, delete and cas; absent when not given', () => {
    const cmds = [
      { type: 'put' as const, key: 'k', value: 'v', session: '12', ifToken: { name: 'locks/a', token: 40 } },
      { type: 'delete' as const, key: 'k', ifToken: { name: 'locks/a', token: 40 }, request: rq },
      { type: 'cas' as const, key: 'k', expectedRevision: 0, value: 'v', session: '12' },
      { type: 'put' as const, key: 'k', value: 'v' },
    ];
    for (const c of cmds) assert.deepEqual(decodeCommand(encodeCommand(c)), c);
    assert.ok(!('s' in JSON.parse(new TextDecoder().decode(encodeCommand(cmds[3]).subarray(1)))));
  });

  test('decoding refuses a bad session, a bad guard, and a session on a delete', () => {
    const kv = (o: object): Uint8Array => new Uint8Array([COMMAND_FORMAT_VERSION, ...new TextEncoder().encode(JSON.stringify(o))]);
    for (const o of [
      { t: 'put', k: 'k', v: '', s: '0' },
      { t: 'put', k: 'k', v: '', s: 12 },
      { t: 'put', k: 'k', v: '', g: ['a', 0] },
      { t: 'put', k: 'k', v: '', g: ['', 3] },
      { t: 'put', k: 'k', v: '', g: ['a', '3'] },
      { t: 'cas', k: 'k', r: 0, v: '', g: ['a'] },
      { t: 'delete', k: 'k', s: '3' },
    ]) {
      assert.throws(() => decodeCommand(kv(o)), CommandDecodeError, JSON.stringify(o));
    }
  });
});
