// The coordination calls at the gRPC edge (src/api/coordination-service.ts) over a fake
// CoordinationPort: bad names, TTLs, limits, kinds, session ids and guards are INVALID_ARGUMENT
// before anything reaches the node; defaults (TTL 0, a lock's limit) are filled in; the
// typed refusals leave as FAILED_PRECONDITION with their reason; a waiting Acquire whose caller
// goes away aborts the wait; Observe sends the holders now, then each change.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status as GrpcStatus, type ClientReadableStream } from '@grpc/grpc-js';
import type { AcquireCall, CoordinationPort, HoldersChange, SessionCreate } from '../../src/api/coordination-port.js';
import { NotHolderError } from '../../src/errors.js';
import type { ObserveEvent__Output } from '../../src/transport/generated/palisade/v1/ObserveEvent.js';
import { call, errorCode, rawClient, waitUntil } from '../server/helpers.js';
import { fakePort, serveDuringTests } from './serve-port.js';

const seen: { creates: SessionCreate[]; acquires: AcquireCall[]; aborted: number; writes: unknown[] } = {
  creates: [],
  acquires: [],
  aborted: 0,
  writes: [],
};
let notify: ((c: HoldersChange) => void) | undefined;
let observing = 0;

const coordination: CoordinationPort = {
  createSession: async (req) => {
    seen.creates.push(req);
    return { session: '12', ttlMs: req.ttlMs, duplicate: false };
  },
  keepAlive: async () => ({ ttlMs: 5000 }),
  closeSession: async () => ({ closed: true }),
  sessions: () => [],
  acquire: (req, signal) => {
    seen.acquires.push(req);
    if (!req.wait) return Promise.resolve({ granted: false, position: 2 });
    return new Promise((_resolve, reject) =>
      signal.addEventListener('abort', () => {
        seen.aborted++;
        reject(new Error('aborted'));
      }),
    );
  },
  release: async () => ({ released: false }),
  proclaim: () => Promise.reject(new NotHolderError('session 12 does not lead "e" with token 9')),
  queues: () => [],
  observe: (_name, onChange) => {
    observing++;
    onChange({ holders: [], index: 7 });
    notify = onChange;
    return () => {
      observing--;
      notify = undefined;
    };
  },
};

const address = serveDuringTests(
  fakePort({
    coordination,
    write: async (cmd) => {
      seen.writes.push(cmd);
      return { outcome: { type: 'put', revision: 3 }, duplicate: false };
    },
  }),
);

const invalid = (err: unknown): boolean => errorCode(err).code === GrpcStatus.INVALID_ARGUMENT;

describe('coordination calls at the edge', () => {
  test('bad fields are INVALID_ARGUMENT before the node sees them', async () => {
    const c = rawClient(address());
    const bad: [string, object][] = [
      ['SessionCreate', { ttlMs: 999 }],
      ['SessionCreate', { ttlMs: 300_001 }],
      ['SessionCreate', { ttlMs: 5000, lockDelayMs: 60_001 }],
      ['SessionCreate', { owner: 'x'.repeat(257) }],
      ['SessionKeepAlive', { sessionId: '' }],
      ['SessionKeepAlive', { sessionId: '012' }],
      ['SessionClose', { sessionId: 'abc' }],
      ['Acquire', { name: '', sessionId: '12', kind: 'lock' }],
      ['Acquire', { name: 'n'.repeat(1025), sessionId: '12', kind: 'lock' }],
      ['Acquire', { name: 'a', sessionId: '12', kind: 'mutex' }],
      ['Acquire', { name: 'a', sessionId: '12', kind: 'lock', limit: 2 }],
      ['Acquire', { name: 'a', sessionId: '12', kind: 'semaphore', limit: 0 }],
      ['Acquire', { name: 'a', sessionId: '12', kind: 'semaphore', limit: 1025 }],
      ['Release', { name: 'a', sessionId: '-1' }],
      ['Proclaim', { name: 'a', sessionId: '12', token: '9007199254740993', value: 'v' }],
      ['KvPut', { key: 'k', value: 'v', sessionId: 'x' }],
      ['KvPut', { key: 'k', value: 'v', ifToken: { name: 'a', token: '0' } }],
      ['KvDelete', { key: 'k', ifToken: { name: '', token: '4' } }],
    ];
    try {
      for (const [method, req] of bad) await assert.rejects(call(c, method, req), invalid, `${method} ${JSON.stringify(req)}`);
      assert.equal(seen.creates.length + seen.acquires.length + seen.writes.length, 0, 'nothing reached the node');
    } finally {
      c.close();
    }
  });

  test('defaults are filled in: TTL 0 is 10 s, a lock or election has one slot; guards and bindings reach the write', async () => {
    const c = rawClient(address());
    try {
      const r = await call<{ sessionId: string; ttlMs: number }>(c, 'SessionCreate', { owner: 'me' });
      assert.deepEqual(r, { sessionId: '12', ttlMs: 10_000, duplicate: false });
      await call(c, 'Acquire', { name: 'e', sessionId: '12', kind: 'election', value: 'v' });
      assert.deepEqual(seen.acquires.at(-1), { name: 'e', session: '12', kind: 'election', limit: 1, value: 'v', wait: false });
      await call(c, 'KvPut', { key: 'k', value: 'v', sessionId: '12', ifToken: { name: 'e', token: '40' } });
      assert.deepEqual(seen.writes.at(-1), { type: 'put', key: 'k', value: 'v', session: '12', ifToken: { name: 'e', token: 40 } });
    } finally {
      c.close();
    }
  });

  test('a refusal leaves as FAILED_PRECONDITION with its reason', async () => {
    const c = rawClient(address());
    try {
      await assert.rejects(call(c, 'Proclaim', { name: 'e', sessionId: '12', token: '9', value: 'v' }), (err) => {
        const { code, reason } = errorCode(err);
        return code === GrpcStatus.FAILED_PRECONDITION && reason === 'NOT_HOLDER';
      });
    } finally {
      c.close();
    }
  });

  test('a waiting Acquire whose caller goes away (deadline) aborts the wait on the node', async () => {
    const c = rawClient(address());
    try {
      const before = seen.aborted;
      await assert.rejects(call(c, 'Acquire', { name: 'w', sessionId: '12', kind: 'lock', wait: true }, 300), (err) => {
        return errorCode(err).code === GrpcStatus.DEADLINE_EXCEEDED;
      });
      await waitUntil('the wait aborted', () => seen.aborted > before);
    } finally {
      c.close();
    }
  });

  test('Observe: the holders now, then each change; cancelling unsubscribes', async () => {
    const c = rawClient(address());
    const events: ObserveEvent__Output[] = [];
    const stream: ClientReadableStream<ObserveEvent__Output> = c.Observe({ name: 'e' });
    stream.on('data', (e: ObserveEvent__Output) => events.push(e));
    stream.on('error', () => {});
    try {
      await waitUntil('the first event', () => events.length === 1 && notify !== undefined);
      assert.deepEqual(events[0], { holders: [], index: '7' });
      notify!({ holders: [{ session: '12', owner: 'me', token: 40, value: 'v' }], index: 9 });
      await waitUntil('the change', () => events.length === 2);
      assert.deepEqual(events[1], { holders: [{ sessionId: '12', owner: 'me', token: '40', value: 'v' }], index: '9' });
      stream.cancel();
      await waitUntil('unsubscribed', () => observing === 0);
      await assert.rejects(
        new Promise((resolve, reject) => {
          const s = c.Observe({ name: '' });
          s.on('data', resolve);
          s.on('error', reject);
        }),
        invalid,
      );
    } finally {
      c.close();
    }
  });
});
