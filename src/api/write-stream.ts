// The server side of KvWrite: many writes in flight on one stream, each answered once applied,
// in whatever order they complete. A unary call costs grpc-js headers, metadata, a deadline and
// a status trailer on both sides; a stream message costs a fraction of that, which is most of a
// small put's CPU (docs/benchmarks.md, "grpc floor"). Each item behaves exactly like the unary
// call (kv-writes.ts); its error answers that item only, as the status the call would have had.
// Acquire and Release ride here too (coordination-service.ts), for the same reason; a waiting
// acquire is held at most STREAM_WAIT_HOLD_MS, and every wait ends when the stream does.
import type { ServerDuplexStream } from '@grpc/grpc-js';
import {
  ERROR_METADATA_KEY,
  InvalidArgumentError,
  PreconditionFailedError,
  LEADER_ADDRESS_METADATA_KEY,
  LEADER_ID_METADATA_KEY,
  isPalisadeError,
  toGrpcStatus,
} from '../errors.js';
import type { KvWriteError } from '../transport/generated/palisade/v1/KvWriteError.js';
import type { KvWriteRequest__Output } from '../transport/generated/palisade/v1/KvWriteRequest.js';
import type { KvWriteResponse } from '../transport/generated/palisade/v1/KvWriteResponse.js';
import type { AcquireRequest__Output } from '../transport/generated/palisade/v1/AcquireRequest.js';
import type { AcquireResponse } from '../transport/generated/palisade/v1/AcquireResponse.js';
import { acquireCall, acquireResponse, coordinationOf, releaseOf } from './coordination-service.js';
import { casKv, deleteKv, putKv } from './kv-writes.js';
import type { ServiceLogger } from './service-logger.js';
import type { NodePort } from './node-port.js';
import { Undecodable } from './undecodable.js';

/** Writes one stream may have in flight; beyond it the stream is paused (HTTP/2 flow control). */
export const MAX_WRITES_IN_FLIGHT = 1024;

/**
 * A waiting acquire on the stream is answered "not granted" after this long (the client then
 * re-issues it): nothing on the stream tells the node that its caller gave up on one item.
 */
export const STREAM_WAIT_HOLD_MS = 10_000;

type Call = ServerDuplexStream<KvWriteRequest__Output | Undecodable, KvWriteResponse>;

/**
 * `authorizeKey` throws (PermissionDeniedError) for a key the caller may not write: that item is
 * answered with the refusal, the stream goes on.
 */
export function serveWriteStream(port: NodePort, call: Call, logger: ServiceLogger | undefined, authorizeKey: (key: string) => void): void {
  let inFlight = 0;
  let paused = false;
  let inputEnded = false;
  let closed = false;
  /** The waiting acquires of this stream: they end when it does. */
  const waits = new Set<AbortController>();
  const endWaits = (): void => {
    for (const w of waits) w.abort(new PreconditionFailedError('the KvWrite stream ended'));
    waits.clear();
  };
  const finishIfDone = (): void => {
    if (inputEnded && inFlight === 0 && !closed) {
      closed = true;
      call.end();
    }
  };
  const answer = (res: KvWriteResponse): void => {
    inFlight--;
    if (!closed && !call.cancelled) call.write(res);
    if (paused && inFlight < MAX_WRITES_IN_FLIGHT / 2) {
      paused = false;
      call.resume();
    }
    finishIfDone();
  };

  call.on('data', (req: KvWriteRequest__Output | Undecodable) => {
    if (closed) return;
    if (req instanceof Undecodable) {
      // Its seq is unknown, so no item can carry the answer: end the stream. The client retries
      // what it still waits for with unary calls (same request ids).
      closed = true;
      call.emit('error', toGrpcStatus(new InvalidArgumentError('KvWrite: a request is not a valid protobuf message')));
      return;
    }
    inFlight++;
    if (inFlight >= MAX_WRITES_IN_FLIGHT && !paused) {
      paused = true;
      call.pause();
    }
    const seq = req.seq;
    runOne(port, req, authorizeKey, waits).then(answer, (err: unknown) => {
      if (!isPalisadeError(err)) logger?.error({ err, rpc: 'KvWrite' }, 'client request failed unexpectedly');
      answer({ seq, error: wireError(err) });
    });
  });
  call.on('end', () => {
    inputEnded = true;
    finishIfDone();
  });
  // A cancelled stream needs nothing more: answers still pending are dropped by answer().
  call.on('error', () => {
    closed = true;
    endWaits();
  });
  call.on('cancelled', endWaits);
  call.on('close', endWaits);
}

async function runOne(
  port: NodePort,
  req: KvWriteRequest__Output,
  authorizeKey: (key: string) => void,
  waits: Set<AbortController>,
): Promise<KvWriteResponse> {
  const item = req.op === 'put' || req.op === 'delete' || req.op === 'cas' ? req[req.op] : null;
  if (item) authorizeKey(item.key);
  // Each answer is built whole, seq included (not spread into another object afterwards).
  const seq = req.seq;
  switch (req.op) {
    case 'put':
      return putKv(port, req.put!).then((put) => ({ seq, put }));
    case 'delete':
      return deleteKv(port, req.delete!).then((del) => ({ seq, delete: del }));
    case 'cas':
      return casKv(port, req.cas!).then((cas) => ({ seq, cas }));
    case 'acquire':
      return acquireItem(port, req.acquire!, waits).then((acquire) => ({ seq, acquire }));
    case 'release':
      return releaseOf(port, req.release!).then((release) => ({ seq, release }));
    default:
      return Promise.reject(new InvalidArgumentError('KvWrite: the request names no operation (put, delete, cas, acquire or release)'));
  }
}

/** As the unary Acquire, but a wait is bounded by `holdMs` and by the stream's life (`waits` is aborted when it ends). */
export async function acquireItem(
  port: NodePort,
  req: AcquireRequest__Output,
  waits: Set<AbortController>,
  holdMs = STREAM_WAIT_HOLD_MS,
): Promise<AcquireResponse> {
  const acquire = acquireCall(req);
  const coordination = coordinationOf(port);
  const wait = new AbortController();
  let held = false;
  const timer = setTimeout(() => {
    held = true;
    wait.abort(new PreconditionFailedError('held for the longest a stream holds a wait'));
  }, holdMs);
  waits.add(wait);
  try {
    return acquireResponse(await coordination.acquire(acquire, wait.signal));
  } catch (err) {
    // Still queued: the session keeps its place, the client asks again.
    if (held) return { granted: false, token: '0', position: 0 };
    throw err;
  } finally {
    clearTimeout(timer);
    waits.delete(wait);
  }
}

/** The status the unary call would have ended with, as a message. */
export function wireError(err: unknown): KvWriteError {
  const s = toGrpcStatus(err);
  const md = (key: string): string => String(s.metadata.get(key)[0] ?? '');
  return {
    code: s.code,
    message: s.details,
    reason: md(ERROR_METADATA_KEY),
    leaderId: md(LEADER_ID_METADATA_KEY),
    leaderAddress: md(LEADER_ADDRESS_METADATA_KEY),
  };
}
