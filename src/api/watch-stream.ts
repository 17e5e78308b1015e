// The server side of KvWatch: one watch of the node's state machine per call, its events
// written with back-pressure, a bounded number of watches per peer (limits.ts), and an
// overflow or compaction told to the client as WatchCompactedError so it resumes elsewhere.
import type { ServerWritableStream } from '@grpc/grpc-js';
import { InvalidArgumentError, WatchCompactedError, isPalisadeError, toGrpcStatus } from '../errors.js';
import type { KvWatchEvent } from '../transport/generated/palisade/v1/KvWatchEvent.js';
import type { KvWatchRequest__Output } from '../transport/generated/palisade/v1/KvWatchRequest.js';
import { checkKey, u64, wireKv } from './kv-writes.js';
import type { WatchSlots } from './limits.js';
import type { NodePort } from './node-port.js';
import type { ServiceLogger } from './service-logger.js';
import { Undecodable } from './undecodable.js';

export async function serveWatchStream(
  port: NodePort,
  call: ServerWritableStream<KvWatchRequest__Output | Undecodable, KvWatchEvent>,
  logger: ServiceLogger | undefined,
  slots: WatchSlots,
): Promise<void> {
  let release = (): void => {};
  const fail = (err: unknown): void => {
    release();
    if (!isPalisadeError(err)) logger?.warn({ err }, 'watch ended with an error');
    call.emit('error', toGrpcStatus(err));
  };
  const req = call.request;
  if (req instanceof Undecodable) return fail(new InvalidArgumentError('KvWatch: request is not a valid protobuf message'));
  let watch;
  try {
    if (req.prefix !== '') checkKey(req.prefix, 'prefix');
    release = slots.acquire(call.getPeer());
    watch = port.watch({ prefix: req.prefix, fromRevision: u64(req.fromRevision, 'from_revision') });
  } catch (err) {
    return fail(err);
  }
  const end = (): void => {
    release();
    watch.cancel();
  };
  call.on('cancelled', end);
  call.on('close', end);
  try {
    for await (const e of watch) {
      const msg: KvWatchEvent =
        e.type === 'put'
          ? { type: 'put', kv: wireKv(e.kv), revision: e.revision }
          : {
              type: 'delete',
              kv: { key: e.key, value: '', createRevision: 0, modRevision: e.revision, version: 0 },
              revision: e.revision,
            };
      // Back-pressure: a watcher that cannot keep up overflows its bounded buffer and is told so.
      if (!call.write(msg)) await new Promise((resolve) => call.once('drain', resolve));
    }
    release();
    call.end();
  } catch (err) {
    // WatchOverflowError / WatchCompactedError from the hub: tell the client where to resume.
    const e = err as { code?: string; message?: string };
    if (e.code === 'SM_WATCH_OVERFLOW' || e.code === 'SM_WATCH_COMPACTED') {
      return fail(new WatchCompactedError(e.message ?? 'watch ended', { cause: err }));
    }
    fail(err);
  }
}
