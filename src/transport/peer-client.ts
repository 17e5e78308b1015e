// The sending side towards ONE peer: a bounded queue, one long-lived `Stream` call that carries
// everything queued since the previous write as one batch, back-pressure from write()/'drain',
// reconnection with jittered exponential back-off, and snapshots on their own calls.
//
// State changes go through transition() only:  connecting → streaming → backoff → connecting …
// and any state → closed (terminal).
import {
  connectivityState as Connectivity,
  status as GrpcStatus,
  type ChannelCredentials,
  type ChannelOptions,
  type Client,
  type ClientWritableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import type { InstallSnapshot, Message, MessageType } from '../raft/messages.js';
import type { Rng } from '../raft/rng.js';
import type { NodeId } from '../raft/types.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { encodeBatch } from './codec.js';
import type { PeerBatch } from './generated/palisade/v1/PeerBatch.js';
import type { SnapshotChunk } from './generated/palisade/v1/SnapshotChunk.js';
import type { RaftPeerClient } from './generated/palisade/v1/RaftPeer.js';
import type { TransportLimits } from './limits.js';
import type { TransportLogger } from './logger.js';
import { loadRaftProto } from './raft-proto.js';
import { SendQueue, estimateSize } from './send-queue.js';
import { snapshotChunks } from './snapshot-chunks.js';
import type { Timers } from './timers.js';

export type PeerState = 'connecting' | 'streaming' | 'backoff' | 'closed';

/** Why a message was not sent. Every drop is counted; Raft recovers from all of them. */
export type DropReason =
  /** The queue was full (peer slow or away): the oldest queued message made room. */
  | 'queueFull'
  /** Bigger than the gRPC message limit. */
  | 'tooLarge'
  /** A snapshot to this peer was already in flight (the core re-sends when it needs to). */
  | 'snapshotBusy'
  /** Queued when the peer was closed (transport stopped or peer removed). */
  | 'closed';

export interface PeerStats {
  readonly state: PeerState;
  readonly queued: number;
  readonly sentBatches: number;
  readonly sentMessages: number;
  /** Times write() reported a full buffer and the stream waited for 'drain' (back-pressure). */
  readonly stalls: number;
  /** Streams established (the first connection included). */
  readonly connects: number;
  /** Consecutive failed attempts since the last successful connection. */
  readonly failures: number;
  readonly snapshotsSent: number;
  readonly snapshotsFailed: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  readonly droppedByType: Readonly<Partial<Record<MessageType, number>>>;
  /** The reason of the last failure, for status output. */
  readonly lastError: string;
}

export interface PeerClientOptions {
  readonly clusterId: string;
  readonly nodeId: NodeId;
  readonly peerId: NodeId;
  readonly address: string;
  readonly credentials: ChannelCredentials;
  readonly channelOptions: ChannelOptions;
  readonly limits: TransportLimits;
  readonly backoff: BackoffOptions;
  readonly rng: Rng;
  readonly timers: Timers;
  readonly logger: TransportLogger;
  readonly onUnreachable: (peer: NodeId) => void;
  readonly onSnapshotStatus: (peer: NodeId, ok: boolean) => void;
}

/** Statuses with which a peer refuses us on purpose: retrying soon will not help. */
const REFUSALS: ReadonlySet<number> = new Set([
  GrpcStatus.FAILED_PRECONDITION,
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.UNIMPLEMENTED,
  GrpcStatus.UNAUTHENTICATED,
  GrpcStatus.PERMISSION_DENIED,
]);

export class PeerClient {
  private current: PeerState = 'connecting';
  private readonly queue: SendQueue;
  private readonly backoff: Backoff;
  private client: RaftPeerClient | undefined;
  private call: ClientWritableStream<PeerBatch> | undefined;
  /** Bumped on every (re)connection and on close: callbacks of older calls are ignored. */
  private generation = 0;
  private blocked = false;
  private flushScheduled = false;
  private overflowing = false;
  private timer: unknown;
  private snapshotInFlight = false;
  private readonly snapshotCalls = new Set<{ cancel(): void }>();
  private counters = { sentBatches: 0, sentMessages: 0, stalls: 0, connects: 0, snapshotsSent: 0, snapshotsFailed: 0 };
  private readonly dropped: Record<DropReason, number> = { queueFull: 0, tooLarge: 0, snapshotBusy: 0, closed: 0 };
  private readonly droppedByType: Partial<Record<MessageType, number>> = {};
  private lastError = '';
  /** The last failure was a refusal (the peer answered and said no): only the back-off retries it. */
  private refused = false;
  /** heardFrom() cut a wait short since the last successful connection (once per failure streak). */
  private woken = false;

  constructor(private readonly opts: PeerClientOptions) {
    this.queue = new SendQueue(opts.limits.queueMessages);
    this.backoff = new Backoff(opts.backoff, opts.rng);
    this.connect();
  }

  get state(): PeerState {
    return this.current;
  }

  isClosed(): boolean {
    return this.current === 'closed';
  }

  get address(): string {
    return this.opts.address;
  }

  stats(): PeerStats {
    return {
      state: this.current,
      queued: this.queue.length,
      ...this.counters,
      failures: this.backoff.attempts,
      dropped: { ...this.dropped },
      droppedByType: { ...this.droppedByType },
      lastError: this.lastError,
    };
  }

  send(m: Message): void {
    if (this.current === 'closed') {
      this.drop(m, 'closed');
      return;
    }
    if (m.type === 'installSnapshot') {
      this.sendSnapshot(m);
      return;
    }
    if (estimateSize(m) > this.opts.limits.maxMessageBytes) {
      this.drop(m, 'tooLarge');
      this.opts.logger.warn({ peer: this.opts.peerId, type: m.type }, 'message larger than maxMessageBytes dropped');
      return;
    }
    const dropped = this.queue.push(m);
    if (dropped !== undefined) {
      this.drop(dropped, 'queueFull');
      // Once per overflow episode: the leader stops pipelining to this peer and probes instead.
      if (!this.overflowing) {
        this.overflowing = true;
        this.opts.logger.warn({ peer: this.opts.peerId, state: this.current }, 'send queue full, dropping oldest messages');
        this.opts.onUnreachable(this.opts.peerId);
      }
    }
    this.scheduleFlush();
  }

  /**
   * A valid message from this peer arrived: it is up again (a restarted node's first batch), so a
   * connection waiting out its back-off (up to maxMs) is tried now. Once per failure streak, so a
   * peer that reaches us while we cannot reach it keeps the back-off.
   */
  heardFrom(): void {
    if (this.current !== 'backoff' || this.refused || this.woken) return;
    this.woken = true;
    if (this.timer !== undefined) this.opts.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.opts.logger.debug({ peer: this.opts.peerId, address: this.opts.address }, 'peer is back: reconnecting now');
    this.connect();
  }

  close(): void {
    if (this.current === 'closed') return;
    this.transition('closed', 'closed');
    this.generation++;
    if (this.timer !== undefined) this.opts.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.call?.cancel();
    this.call = undefined;
    this.client?.close();
    this.client = undefined;
    for (const c of this.snapshotCalls) c.cancel();
    const n = this.queue.clear();
    this.dropped.closed += n;
  }

  // ---------------------------------------------------------------- stream

  private transition(to: PeerState, reason: string): void {
    const from = this.current;
    if (from === to || from === 'closed') return;
    this.current = to;
    this.opts.logger.debug({ peer: this.opts.peerId, from, to, reason }, 'peer stream state');
  }

  private newClient(): RaftPeerClient {
    const { RaftPeer } = loadRaftProto().palisade.v1;
    return new RaftPeer(this.opts.address, this.opts.credentials, this.opts.channelOptions);
  }

  private connect(): void {
    this.transition('connecting', 'connect');
    const gen = ++this.generation;
    const client = this.newClient();
    this.client = client;
    whenReady(client, this.opts.limits.connectTimeoutMs, (err) => {
      if (gen !== this.generation) return;
      if (err !== undefined) this.fail(`cannot connect to ${this.opts.address}: ${err.message}`);
      else this.openStream(gen, client);
    });
  }

  private openStream(gen: number, client: RaftPeerClient): void {
    const call = client.stream((err: ServiceError | null) => {
      if (gen !== this.generation) return;
      if (err) this.fail(`stream to ${this.opts.address} ended: ${err.details || err.message}`, err.code);
      else this.fail(`${this.opts.peerId} closed the stream`);
    });
    // Errors also arrive through the callback above; this keeps an 'error' event from throwing.
    call.on('error', () => {});
    this.call = call;
    this.blocked = false;
    this.counters.connects++;
    this.backoff.reset();
    this.woken = false;
    this.transition('streaming', 'connected');
    this.flush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.current !== 'streaming') return;
    this.flushScheduled = true;
    // Everything sent in this turn of the event loop (one Ready) goes out as one batch.
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const call = this.call;
    if (this.current !== 'streaming' || call === undefined) return;
    while (!this.blocked && this.queue.length > 0) {
      const messages = this.queue.take(this.opts.limits.batchBytes);
      const batch = encodeBatch(this.opts.clusterId, this.opts.nodeId, this.opts.peerId, messages);
      const more = call.write(batch);
      this.counters.sentBatches++;
      this.counters.sentMessages += messages.length;
      if (!more) {
        // Back-pressure: HTTP/2 flow control has the peer's window full. Queue (bounded) until drained.
        this.blocked = true;
        this.counters.stalls++;
        call.once('drain', () => {
          if (this.call !== call) return;
          this.blocked = false;
          this.flush();
        });
      }
    }
    if (this.queue.length === 0) this.overflowing = false;
  }

  private fail(reason: string, code?: number): void {
    if (this.current === 'closed') return;
    this.generation++;
    this.call?.cancel();
    this.call = undefined;
    this.client?.close();
    this.client = undefined;
    this.lastError = reason;
    const refused = code !== undefined && REFUSALS.has(code);
    this.refused = refused;
    const delay = refused ? this.backoff.max() : this.backoff.next();
    const log = { peer: this.opts.peerId, address: this.opts.address, reason, retryInMs: delay, attempt: this.backoff.attempts };
    if (refused) this.opts.logger.error(log, 'peer refused our stream');
    else if (this.backoff.attempts === 1) this.opts.logger.info(log, 'peer unreachable, reconnecting');
    else this.opts.logger.debug(log, 'peer still unreachable');
    this.opts.onUnreachable(this.opts.peerId);
    this.transition('backoff', reason);
    this.timer = this.opts.timers.setTimeout(() => {
      this.timer = undefined;
      if (this.current === 'backoff') this.connect();
    }, delay);
  }

  private drop(m: Message, reason: DropReason): void {
    this.dropped[reason]++;
    this.droppedByType[m.type] = (this.droppedByType[m.type] ?? 0) + 1;
  }

  // ---------------------------------------------------------------- snapshots

  /**
   * One snapshot at a time, on its own connection: a large transfer must not delay the
   * heartbeats queued on the stream behind it. The core learns the outcome via onSnapshotStatus.
   */
  private sendSnapshot(m: InstallSnapshot): void {
    if (this.snapshotInFlight) {
      this.drop(m, 'snapshotBusy');
      return;
    }
    this.snapshotInFlight = true;
    void this.transferSnapshot(m).then((ok) => {
      this.snapshotInFlight = false;
      if (this.current === 'closed') return;
      if (ok) this.counters.snapshotsSent++;
      else this.counters.snapshotsFailed++;
      this.opts.onSnapshotStatus(this.opts.peerId, ok);
      if (!ok) this.opts.onUnreachable(this.opts.peerId);
    });
  }

  private async transferSnapshot(m: InstallSnapshot): Promise<boolean> {
    const client = this.newClient();
    let call: ClientWritableStream<SnapshotChunk> | undefined;
    const handle = { cancel: () => (call ? call.cancel() : client.close()) };
    this.snapshotCalls.add(handle);
    const log = { peer: this.opts.peerId, index: m.snapshot.metadata.index, bytes: m.snapshot.data.length };
    try {
      await new Promise<void>((resolve, reject) =>
        whenReady(client, this.opts.limits.connectTimeoutMs, (err) => (err ? reject(err) : resolve())),
      );
      if (this.isClosed()) return false;
      let c!: ClientWritableStream<SnapshotChunk>;
      const result = new Promise<void>((resolve, reject) => {
        c = client.installSnapshot({ deadline: Date.now() + this.opts.limits.snapshotTimeoutMs }, (err: ServiceError | null) =>
          err ? reject(err) : resolve(),
        );
      });
      call = c;
      result.catch(() => {}); // observed below; this only keeps an early failure from being "unhandled"
      c.on('error', () => {});
      const ended = result.then(() => {
        throw new Error('peer answered before the snapshot was complete');
      });
      ended.catch(() => {});
      for (const chunk of snapshotChunks(this.opts.clusterId, m, this.opts.limits.snapshotChunkBytes)) {
        if (this.isClosed()) {
          c.cancel();
          return false;
        }
        if (!c.write(chunk)) await Promise.race([new Promise((r) => c.once('drain', r)), ended]);
      }
      c.end();
      await result;
      this.opts.logger.info(log, 'snapshot sent');
      return true;
    } catch (err) {
      const e = err as Partial<ServiceError>;
      this.opts.logger.warn({ ...log, err: e.details || e.message }, 'snapshot transfer failed');
      return false;
    } finally {
      this.snapshotCalls.delete(handle);
      client.close();
    }
  }
}

/**
 * Calls back once the client's channel is READY, or with an error as soon as the connection
 * attempt fails or the deadline passes. A failed attempt is reported at once instead of waiting
 * through grpc-js's own reconnect back-off: ours (with the injected rng) is the only one.
 */
export function whenReady(client: Client, timeoutMs: number, cb: (err?: Error) => void): void {
  const channel = client.getChannel();
  const deadline = Date.now() + timeoutMs;
  const check = (): void => {
    let state: Connectivity;
    try {
      state = channel.getConnectivityState(true);
    } catch (err) {
      cb(err as Error); // the client was closed meanwhile
      return;
    }
    if (state === Connectivity.READY) cb();
    else if (state === Connectivity.TRANSIENT_FAILURE) cb(new Error('connection failed'));
    else if (state === Connectivity.SHUTDOWN) cb(new Error('client closed'));
    else channel.watchConnectivityState(state, deadline, (err) => (err ? cb(new Error(`not connected within ${timeoutMs} ms`)) : check()));
  };
  check();
}
