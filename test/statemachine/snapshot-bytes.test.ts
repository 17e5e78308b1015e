// The snapshot image's bytes are a format (snapshot-format.ts, version 4), not whatever the encoder
// happens to write: a state with every section and every length form (one-, two- and three-byte
// lengths, non-ASCII text, more records than a step) must encode, in one piece and in steps, to
// exactly the bytes the encoder of c00d90e wrote for it (their SHA-256 below). A change of the
// encoder that changes a byte is a new format version, not a refactoring.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { encodeSnapshot, encodeSnapshotAsync, RECORDS_PER_STEP } from '../../src/statemachine/snapshot-codec.js';
import { StateMachine } from '../../src/statemachine/state-machine.js';
import { encodeHaCommand } from '../../src/statemachine/ha-state.js';
import { Health } from '../../src/statemachine/ha-record.js';
import { encodeCommand } from '../../src/statemachine/commands.js';
import { ClusterEventKind } from '../../src/statemachine/cluster-events.js';
import { MemberRole } from '../../src/statemachine/membership.js';
import { CoordLog } from './coord-log.js';

/** SHA-256 and length of the image of everyState(), as c00d90e's encoder wrote it. */
const V4_FINGERPRINT = { sha256: '4fd39d5c0df7d7bb11f938381279ae37e7fefced733f79dc6b52a6d646b80c4d', bytes: 48_787 };

/** A state touching every section of the image, built by applying entries only. */
export function everyState(): StateMachine {
  const log = new CoordLog();
  const members = [
    { id: 'n1', address: '10.0.0.1:7000', role: MemberRole.Voter },
    { id: 'n2', address: '10.0.0.2:7000', role: MemberRole.Voter },
    { id: 'n3', address: '10.0.0.3:7000', role: MemberRole.Learner },
  ];
  log.applyData(encodeCommand({ type: 'bootstrap', clusterId: 'cluster-é', members }));
  const event = {
    kind: ClusterEventKind.Fence,
    at: 1_700_000_000_000,
    nodeId: 'n1',
    term: 3,
    durationMs: 42,
    epoch: 7,
    detail: 'ipmi off',
  };
  log.applyData(encodeCommand({ type: 'recordEvent', event }));
  log.applyData(encodeHaCommand({ type: 'promote', holder: 'n1', term: 2 }));
  log.applyData(encodeHaCommand({ type: 'health', node: 'n2', health: Health.Unhealthy, detail: 'check exited 1: é' }));
  log.applyData(encodeHaCommand({ type: 'healthFailover', from: 'n1', to: 'n2' }));
  log.applyData(encodeHaCommand({ type: 'fenced', holder: 'n1', epoch: 1, by: 'n2' }));
  for (let i = 0; i < 3 * RECORDS_PER_STEP; i++) {
    // Out of order on purpose: the image lists keys sorted.
    const k = (i * 37) % (3 * RECORDS_PER_STEP);
    log.kv({ type: 'put', key: `k/${String(k).padStart(4, '0')}`, value: `v${i}`, request: { clientId: `c${i % 5}`, requestId: `r${i}` } });
  }
  log.kv({ type: 'put', key: 'é𝄞/key', value: '€'.repeat(50), request: { clientId: 'c1', requestId: 'u1' } });
  log.kv({ type: 'put', key: 'long/200', value: 'x'.repeat(200) });
  log.kv({ type: 'put', key: 'long/20000', value: 'y'.repeat(20_000) });
  log.kv({ type: 'delete', key: 'k/0001', request: { clientId: 'c2', requestId: 'd1' } });
  log.kv({ type: 'cas', key: 'k/0002', expectedRevision: 1, value: 'no', request: { clientId: 'c3', requestId: 'x1' } });
  log.kv({ type: 'cas', key: 'cas/new', expectedRevision: 0, value: 'yes', request: { clientId: 'c3', requestId: 'x2' } });
  const [a, b] = [log.session({ owner: 'a', lockDelayMs: 1500 }), log.session({ owner: 'é𝄞', ttlMs: 300_000 })];
  log.acquire('locks/x', a);
  log.acquire('locks/x', b, 'lock', 1, 'bv');
  log.acquire('pool', b, 'semaphore', 2, 'w1');
  log.kv({ type: 'put', key: 'svc/b', value: '1', session: b });
  log.coord({ type: 'sessionCreate', owner: '', ttlMs: 2000, lockDelayMs: 0, request: { clientId: 'cl', requestId: 'r1' } });
  log.kv({ type: 'put', key: 'k', value: '1', ifToken: { name: 'nope', token: 9 }, request: { clientId: 'cl', requestId: 'r2' } });
  log.end(a, 'expired');
  log.applyData(encodeHaCommand({ type: 'pause' }));
  return log.sm;
}

const fingerprint = (bytes: Uint8Array) => ({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });

describe('snapshot image bytes (format version 4)', () => {
  test('a state with every section encodes to the fingerprinted bytes, in one piece and in steps', async () => {
    const sm = everyState();
    assert.deepEqual(fingerprint(sm.snapshot()), V4_FINGERPRINT);
    assert.deepEqual(fingerprint(encodeSnapshot(sm.snapshotImage())), V4_FINGERPRINT);
    assert.deepEqual(fingerprint((await encodeSnapshotAsync(sm.snapshotImage()))!), V4_FINGERPRINT);
  });

  test('restoring the image gives a state that encodes to the same bytes', () => {
    const bytes = everyState().snapshot();
    assert.deepEqual(fingerprint(StateMachine.restore(bytes).snapshot()), V4_FINGERPRINT);
  });
});
