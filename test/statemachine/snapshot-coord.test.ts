// The coordination section of the snapshot image (format version 4): sessions, queues, the token
// counter and the ephemeral keys survive a snapshot exactly; an image of version 3 (written before
// coordination existed) restores with none; a checksummed image whose parts disagree is refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  decodeSnapshot,
  encodeSnapshot,
  encodeSnapshotAsync,
  RECORDS_PER_STEP,
  SNAPSHOT_FORMAT_VERSION,
} from '../../src/statemachine/snapshot-codec.js';
import type { StateImage } from '../../src/statemachine/snapshot-codec.js';
import { StateMachine } from '../../src/statemachine/state-machine.js';
import { SnapshotCorruptError } from '../../src/statemachine/errors.js';
import { EMPTY_COORD_IMAGE } from '../../src/statemachine/coord-state.js';
import { CoordLog } from './coord-log.js';
import { crc32 } from '../../src/statemachine/crc32.js';

/**
 * A version-3 image written by the code of d585475 (the last build without coordination): a
 * bootstrap, puts, a delete and a cas with request ids, n1 promoted.
 */
const V3_IMAGE = Buffer.from(readFileSync(new URL('./testdata/snapshot-v3.hex', import.meta.url), 'utf8').trim(), 'hex');

/** A state with every part of the section: sessions, a delayed queue, a semaphore, waiters, keys. */
function busyLog(): CoordLog {
  const log = new CoordLog();
  const [a, b, c] = [
    log.session({ owner: 'a', lockDelayMs: 1500 }),
    log.session({ owner: 'b' }),
    log.session({ owner: 'é𝄞', ttlMs: 300_000 }),
  ];
  log.acquire('locks/x', a);
  log.acquire('locks/x', b, 'lock', 1, 'bv');
  log.acquire('pool', b, 'semaphore', 2, 'w1');
  log.acquire('pool', c, 'semaphore', 2, 'w2');
  log.acquire('pool', a, 'semaphore', 2, 'w3');
  log.acquire('leader', c, 'election', 1, 'http://c');
  log.kv({ type: 'put', key: 'svc/c', value: '1', session: c });
  log.kv({ type: 'put', key: 'svc/b', value: '1', session: b });
  log.coord({ type: 'sessionCreate', owner: '', ttlMs: 2000, lockDelayMs: 0, request: { clientId: 'cl', requestId: 'r1' } });
  log.kv({ type: 'put', key: 'k', value: '1', ifToken: { name: 'nope', token: 9 }, request: { clientId: 'cl', requestId: 'r2' } });
  log.end(a, 'expired');
  return log;
}

describe('snapshot codec: the coordination section', () => {
  test('restore(snapshot(x)) holds the same sessions, queues, keys, token counter and dedup, and gives the same bytes', () => {
    const log = busyLog();
    const bytes = log.sm.snapshot();
    assert.equal(bytes[4], SNAPSHOT_FORMAT_VERSION);
    const restored = StateMachine.restore(bytes);
    assert.deepEqual(restored.sessions(), log.sm.sessions());
    assert.deepEqual(restored.queues(), log.sm.queues());
    assert.deepEqual(
      restored.delayedQueues().map((q) => q.name),
      ['locks/x'],
    );
    assert.equal(restored.keySession('svc/c'), log.sm.keySession('svc/c'));
    assert.deepEqual(restored.snapshot(), bytes);
    assert.equal(decodeSnapshot(bytes).coord.lastToken, log.sm.snapshotImage().coord.lastToken);

    // Both go on alike: the same next entries give the same results and the same bytes.
    const twin = new CoordLog(restored);
    for (const l of [log, twin]) {
      l.coord({ type: 'sessionCreate', owner: '', ttlMs: 2000, lockDelayMs: 0, request: { clientId: 'cl', requestId: 'r1' } });
      l.coord({ type: 'lockDelayEnd', name: 'locks/x', since: l.sm.delayedQueues()[0].delayedSince });
      l.end('3');
    }
    assert.deepEqual(twin.sm.snapshot(), log.sm.snapshot());
    assert.equal(twin.sm.get('svc/c'), undefined);
    assert.deepEqual(twin.holders('locks/x'), ['2']);
  });

  test('the stepwise encoder gives the same bytes for a large coordination state, from an image frozen before more entries', async () => {
    const log = new CoordLog();
    const sessions = Array.from({ length: 3 * RECORDS_PER_STEP }, () => log.session());
    for (const [i, s] of sessions.entries()) {
      log.acquire(`q${i % 5}`, s, 'semaphore', 3, `v${i}`);
      log.kv({ type: 'put', key: `eph/${i}`, value: 'x', session: s });
    }
    const frozen = log.sm.snapshotImage();
    const before = encodeSnapshot(frozen);
    // Changes after the freeze must not reach the frozen image.
    for (const s of sessions.slice(0, RECORDS_PER_STEP)) log.end(s, 'closed');
    assert.deepEqual(await encodeSnapshotAsync(frozen), before);
    assert.deepEqual(await encodeSnapshotAsync(log.sm.snapshotImage()), log.sm.snapshot());
    assert.notDeepEqual(log.sm.snapshot(), before);
  });

  test('a version-3 image restores with no coordination state and goes on with version 4', () => {
    assert.equal(V3_IMAGE[4], 3, 'the fixture is a version-3 image');
    const img = decodeSnapshot(V3_IMAGE);
    assert.deepEqual(img.coord, EMPTY_COORD_IMAGE);
    assert.equal(img.clusterId, 'c1');
    assert.deepEqual(
      img.dedup.map((c) => c.requests.map(([r, o]) => [r, o.type])),
      [
        [
          ['r1', 'put'],
          ['r2', 'delete'],
          ['r3', 'cas'],
        ],
      ],
    );
    const log = new CoordLog(StateMachine.restore(V3_IMAGE));
    const s = log.session();
    assert.equal(s, String(img.appliedIndex + 1));
    assert.equal(log.acquire('l', s).grants[0]?.token, img.appliedIndex + 2);
    assert.equal(log.sm.snapshot()[4], SNAPSHOT_FORMAT_VERSION);
  });

  const corruptions: [string, (img: StateImage) => StateImage][] = [
    ['a holder whose session is gone', (img) => ({ ...img, coord: { ...img.coord, sessions: img.coord.sessions.slice(1) } })],
    ['a token above the counter', (img) => ({ ...img, coord: { ...img.coord, lastToken: 1 } })],
    [
      'an ephemeral key that is not in the store',
      (img) => ({ ...img, coord: { ...img.coord, ephemeralKeys: [{ key: 'zz', session: '3' }] } }),
    ],
    ['queues out of name order', (img) => ({ ...img, coord: { ...img.coord, queues: img.coord.queues.slice().reverse() } })],
    [
      'more holders than the limit',
      (img) => ({
        ...img,
        coord: { ...img.coord, queues: img.coord.queues.map((q) => ({ ...q, limit: q.kind === 'semaphore' ? 1 : q.limit })) },
      }),
    ],
    [
      'a waiter with a free slot and no delay',
      (img) => ({ ...img, coord: { ...img.coord, queues: img.coord.queues.map((q) => ({ ...q, delayedSince: 0, delayMs: 0 })) } }),
    ],
  ];
  for (const [what, corrupt] of corruptions) {
    test(`a checksummed image with ${what} is refused`, () => {
      const img = busyLog().sm.snapshotImage();
      assert.doesNotThrow(() => decodeSnapshot(encodeSnapshot(img)));
      assert.throws(() => decodeSnapshot(encodeSnapshot(corrupt(img))), SnapshotCorruptError);
    });
  }

  test('a version-3 image may not carry the version-4 remembered outcomes', () => {
    const img = busyLog().sm.snapshotImage();
    const bytes = encodeSnapshot({ ...img, coord: EMPTY_COORD_IMAGE });
    assert.ok(img.dedup.some((c) => c.requests.some(([, o]) => o.type === 'sessionCreated')));
    // Relabel it version 3 without its coordination section (the last: tag 8, length 4, four
    // zero counts) and reseal it: the dedup section's version-4 tags are refused.
    const body = bytes.slice(0, bytes.length - 4 - 6);
    assert.deepEqual([...bytes.subarray(bytes.length - 10, bytes.length - 4)], [8, 4, 0, 0, 0, 0]);
    body[4] = 3;
    const v3 = new Uint8Array(body.length + 4);
    v3.set(body);
    new DataView(v3.buffer).setUint32(body.length, crc32(body));
    assert.throws(() => decodeSnapshot(v3), /unknown write outcome tag/);
  });
});
