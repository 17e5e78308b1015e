// The receiving end of InstallSnapshot, with the limits a sender (buggy or hostile) must not
// get around: nothing is reserved for what a header announces, the data goes to a file as it
// arrives (only a complete, checked snapshot is read back, at most the configured maximum),
// at most one incoming snapshot per sender and a few in all, and a deadline of our own — a
// caller that sets none, or one far away, still cannot hold a slot forever.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Metadata, status as GrpcStatus, type ServerReadableStream, type sendUnaryData } from '@grpc/grpc-js';
import type { InstallSnapshot } from '../raft/messages.js';
import type { NodeId } from '../raft/types.js';
import { isTransportError, toServiceError } from './errors.js';
import type { SnapshotAck } from './generated/palisade/v1/SnapshotAck.js';
import type { SnapshotChunk__Output } from './generated/palisade/v1/SnapshotChunk.js';
import type { TransportLogger } from './logger.js';
import { SnapshotChunkChecker, installSnapshotMessage } from './snapshot-chunks.js';

export interface SnapshotReceiverOptions {
  readonly clusterId: string;
  readonly nodeId: NodeId;
  /** Largest snapshot accepted, as announced and as received. */
  readonly maxSnapshotBytes: number;
  /** Where partial snapshots are written; private to this node, emptied at start. */
  readonly spoolDir: string;
  /** A transfer that has not ended this long after its call began is cut off. */
  readonly timeoutMs: number;
  /** Incoming snapshots at once, all senders together. */
  readonly maxConcurrent: number;
  readonly logger: TransportLogger;
}

/** A limit of this receiver refused the call. */
class SnapshotLimitError extends Error {
  constructor(
    readonly grpcCode: GrpcStatus,
    message: string,
  ) {
    super(message);
  }
}

const SPOOL_SUFFIX = '.snapshot-part';

export class SnapshotReceiver {
  private readonly busy = new Set<NodeId>();
  private prepared: Promise<void> | undefined;

  constructor(private readonly opts: SnapshotReceiverOptions) {
    if (!Number.isSafeInteger(opts.maxConcurrent) || opts.maxConcurrent < 1) throw new RangeError(`maxConcurrent = ${opts.maxConcurrent}`);
    if (!(opts.timeoutMs > 0)) throw new RangeError(`timeoutMs = ${opts.timeoutMs}`);
  }

  /** Senders with a transfer in progress (tests, metrics). */
  get inProgress(): number {
    return this.busy.size;
  }

  /** Creates the spool dir (0700) and deletes what a crashed run left in it. Idempotent. */
  prepare(): Promise<void> {
    this.prepared ??= (async () => {
      await mkdir(this.opts.spoolDir, { recursive: true, mode: 0o700 });
      await chmod(this.opts.spoolDir, 0o700);
      for (const name of await readdir(this.opts.spoolDir)) {
        if (name.endsWith(SPOOL_SUFFIX)) await rm(join(this.opts.spoolDir, name), { force: true });
      }
    })();
    return this.prepared;
  }

  /**
   * Serves one InstallSnapshot call. `checkChunk` runs first on every chunk: it turns what the
   * deserializer produced into a chunk or throws a transport error (garbage, the peer identity
   * rule). `deliver` gets the complete snapshot. Ends the call exactly once.
   */
  serve(
    call: ServerReadableStream<unknown, SnapshotAck>,
    callback: sendUnaryData<SnapshotAck>,
    checkChunk: (wire: unknown) => SnapshotChunk__Output,
    deliver: (m: InstallSnapshot) => void,
  ): void {
    new Transfer(this.opts, this.busy, this.prepare(), call, callback, checkChunk, deliver).run();
  }
}

/** One call: its chunks are handled strictly in order, each only after the previous write ended. */
class Transfer {
  private readonly checker: SnapshotChunkChecker;
  private from: NodeId | undefined;
  private file: FileHandle | undefined;
  private path: string | undefined;
  private work: Promise<void>;
  private done = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: SnapshotReceiverOptions,
    private readonly busy: Set<NodeId>,
    prepared: Promise<void>,
    private readonly call: ServerReadableStream<unknown, SnapshotAck>,
    private readonly callback: sendUnaryData<SnapshotAck>,
    private readonly checkChunk: (wire: unknown) => SnapshotChunk__Output,
    private readonly deliver: (m: InstallSnapshot) => void,
  ) {
    this.checker = new SnapshotChunkChecker(opts);
    this.work = prepared;
  }

  run(): void {
    this.timer = setTimeout(
      () => void this.fail(new SnapshotLimitError(GrpcStatus.DEADLINE_EXCEEDED, `snapshot not received within ${this.opts.timeoutMs} ms`)),
      this.opts.timeoutMs,
    );
    this.timer.unref?.();
    this.call.on('data', (wire: unknown) => {
      if (this.done) return;
      // Back-pressure: nothing more is read (HTTP/2 flow control stops the sender) until this chunk is on disk.
      this.call.pause();
      this.enqueue(async () => {
        await this.chunk(wire);
        if (!this.done) this.call.resume();
      });
    });
    this.call.on('end', () => this.enqueue(() => this.complete()));
    this.call.on('error', (err: Error) => {
      this.opts.logger.debug({ rpc: 'InstallSnapshot', err: err.message }, 'snapshot stream error');
      void this.fail(undefined);
    });
    this.call.on('cancelled', () => void this.fail(undefined));
  }

  private enqueue(step: () => Promise<void>): void {
    this.work = this.work.then(() => (this.done ? undefined : step())).catch((err: unknown) => this.fail(err));
  }

  private async chunk(wire: unknown): Promise<void> {
    const c = this.checker.check(this.checkChunk(wire));
    if (c.part === 'header') {
      await this.begin(c.from);
      return;
    }
    if (c.data.length > 0) await this.file!.write(c.data);
  }

  private async begin(from: NodeId): Promise<void> {
    if (this.busy.has(from)) {
      throw new SnapshotLimitError(
        GrpcStatus.RESOURCE_EXHAUSTED,
        `a snapshot from "${from}" is already being received; one at a time per sender`,
      );
    }
    if (this.busy.size >= this.opts.maxConcurrent) {
      throw new SnapshotLimitError(
        GrpcStatus.RESOURCE_EXHAUSTED,
        `${this.busy.size} snapshots are already being received (at most ${this.opts.maxConcurrent})`,
      );
    }
    this.busy.add(from);
    this.from = from;
    this.path = join(this.opts.spoolDir, `${safeName(from)}-${randomBytes(6).toString('hex')}${SPOOL_SUFFIX}`);
    const path = this.path;
    const file = await open(path, 'wx+', 0o600);
    if (this.done) {
      // The call ended (cancelled, timed out) while the file was being opened: release() ran
      // before there was a file to close, so close and remove it here.
      await file.close().catch(() => {});
      await rm(path, { force: true }).catch(() => {});
      return;
    }
    this.file = file;
  }

  private async complete(): Promise<void> {
    const { header, from } = this.checker.end();
    // Read back only now: the bytes arrived and fit the limit.
    const data = new Uint8Array(header.size);
    let off = 0;
    while (off < data.length) {
      const { bytesRead } = await this.file!.read(data, off, data.length - off, off);
      if (bytesRead === 0) throw new Error(`snapshot spool file ${this.path} is shorter than the ${header.size} bytes written`);
      off += bytesRead;
    }
    await this.release();
    if (this.done) return;
    this.deliver(installSnapshotMessage(this.opts.nodeId, from, header, data));
    this.finish(undefined);
  }

  private async fail(err: unknown): Promise<void> {
    this.finish(err);
    await this.release();
  }

  /** Ends the call once: OK when `err` is undefined, otherwise its status. */
  private finish(err: unknown): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    if (err === undefined) {
      this.callback(null, {});
      return;
    }
    if (err instanceof SnapshotLimitError) {
      this.opts.logger.warn({ rpc: 'InstallSnapshot', from: this.from, err: err.message }, 'snapshot refused');
      this.callback({ code: err.grpcCode, details: err.message, metadata: new Metadata() });
    } else if (isTransportError(err)) {
      this.opts.logger.warn({ rpc: 'InstallSnapshot', code: err.code, err: err.message }, 'rejected peer traffic');
      this.callback(toServiceError(err));
    } else {
      this.opts.logger.error({ rpc: 'InstallSnapshot', err: String(err) }, 'snapshot receive failed');
      this.callback({ code: GrpcStatus.INTERNAL, details: `internal error: ${String(err)}`, metadata: new Metadata() });
    }
  }

  /** Closes and deletes the spool file and frees the sender's slot; safe to call twice. */
  private async release(): Promise<void> {
    const file = this.file;
    const path = this.path;
    this.file = undefined;
    this.path = undefined;
    if (this.from !== undefined) this.busy.delete(this.from);
    this.from = undefined;
    await file?.close().catch(() => {});
    if (path !== undefined) await rm(path, { force: true }).catch(() => {});
  }
}

/** A node id as a file name part (ids are checked by the codec, but a name must never hold a path). */
function safeName(id: string): string {
  return id.replace(/[^a-z0-9_-]/gi, '_').slice(0, 64);
}
