// PeerTransport: what a node uses to talk Raft with its peers over gRPC. It owns the RaftPeer
// server (receiving) and one PeerClient per peer (sending), converts at the edge so the core
// only sees src/raft messages, and reports unreachable peers and snapshot outcomes back to the
// core (RawNode.reportUnreachable / reportSnapshot).
import { randomBytes, randomInt } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, type ChannelOptions, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Message } from '../raft/messages.js';
import { seededRng, type Rng } from '../raft/rng.js';
import type { NodeId } from '../raft/types.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { DEFAULT_LIMITS, type TransportLimits } from './limits.js';
import { silentTransportLogger, type TransportLogger } from './logger.js';
import { PeerClient, type PeerStats } from './peer-client.js';
import { createPeerService, tolerantDefinition } from './peer-server.js';
import { loadRaftProto } from './raft-proto.js';
import { SnapshotReceiver } from './snapshot-receiver.js';
import { realTimers, type Timers } from './timers.js';
import { tlsMaterial, type TlsMaterial, type TlsSource } from './tls.js';
import { ServerCredentials, credentials } from '@grpc/grpc-js';

export interface PeerTransportOptions {
  readonly clusterId: string;
  readonly nodeId: NodeId;
  /** host:port to serve on; port 0 picks a free port (see `address` after start()). */
  readonly listen: string;
  /** Peer id → host:port. This node's own id, if present, is ignored. */
  readonly peers: ReadonlyMap<NodeId, string>;
  /** TLS on the peer port (mTLS, with the identity rule of peer-identity.ts); absent: plaintext. */
  readonly tls?: TlsSource;
  /**
   * TLS on: whether a certificate's node id is a current member. Default: the ids of this
   * transport's address book (the real node passes its Raft configuration).
   */
  readonly isMember?: (id: NodeId) => boolean;
  readonly logger?: TransportLogger;
  /** Sending to `id` failed or is backing up (wire to RawNode.reportUnreachable). */
  readonly reportUnreachable?: (id: NodeId) => void;
  /** A snapshot to `id` was delivered (ok) or not (wire to RawNode.reportSnapshot). */
  readonly reportSnapshot?: (id: NodeId, ok: boolean) => void;
  /** Jitter source for reconnect back-off (default: randomly seeded). */
  readonly rng?: Rng;
  readonly timers?: Timers;
  readonly backoff?: Partial<BackoffOptions>;
  readonly limits?: Partial<TransportLimits>;
  /**
   * Where incoming snapshots are written while they arrive (the node passes a directory in its
   * data dir). Default: a fresh temporary directory, removed at stop().
   */
  readonly snapshotDir?: string;
}

export interface TransportStats {
  /** Messages delivered to the handler. */
  readonly received: number;
  /** Messages for which no peer address is known, or sent before start / after stop. */
  readonly undeliverable: number;
  readonly peers: ReadonlyMap<NodeId, PeerStats>;
}

export type MessageHandler = (m: Message) => void;

/** What the transport learns about sending to a peer (for RawNode.reportUnreachable / reportSnapshot). */
export interface PeerReports {
  unreachable(id: NodeId): void;
  snapshot(id: NodeId, ok: boolean): void;
}

type Phase = 'new' | 'starting' | 'running' | 'stopped';

export class PeerTransport {
  private readonly limits: TransportLimits;
  private readonly backoff: BackoffOptions;
  private readonly logger: TransportLogger;
  private readonly rng: Rng;
  private readonly addresses = new Map<NodeId, string>();
  private readonly clients = new Map<NodeId, PeerClient>();
  private readonly server: Server;
  private readonly snapshots: SnapshotReceiver;
  /** The default snapshot dir, which stop() removes; undefined when the caller gave one. */
  private readonly ownSnapshotDir: string | undefined;
  private tls: TlsMaterial | undefined;
  private handler: MessageHandler | undefined;
  private reports: PeerReports;
  private phase: Phase = 'new';
  private bound = '';
  private received = 0;
  private undeliverable = 0;

  constructor(private readonly opts: PeerTransportOptions) {
    if (opts.clusterId.length === 0) throw new Error('PeerTransport: clusterId must not be empty');
    if (opts.nodeId.length === 0) throw new Error('PeerTransport: nodeId must not be empty');
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.logger = opts.logger ?? silentTransportLogger;
    this.rng = opts.rng ?? seededRng(randomInt(2 ** 31));
    this.reports = { unreachable: (id) => opts.reportUnreachable?.(id), snapshot: (id, ok) => opts.reportSnapshot?.(id, ok) };
    for (const [id, address] of opts.peers) if (id !== opts.nodeId) this.addresses.set(id, address);
    const isMember = opts.isMember ?? ((id: NodeId) => this.addresses.has(id));
    this.ownSnapshotDir =
      opts.snapshotDir === undefined ? join(tmpdir(), `palisade-snapshots-${randomBytes(8).toString('hex')}`) : undefined;
    this.snapshots = new SnapshotReceiver({
      clusterId: opts.clusterId,
      nodeId: opts.nodeId,
      maxSnapshotBytes: this.limits.maxSnapshotBytes,
      spoolDir: opts.snapshotDir ?? this.ownSnapshotDir!,
      timeoutMs: this.limits.snapshotTimeoutMs,
      maxConcurrent: this.limits.maxIncomingSnapshots,
      logger: this.logger,
    });
    this.server = new Server({
      'grpc.max_concurrent_streams': this.limits.maxStreamsPerConnection,
      'grpc.max_receive_message_length': this.limits.maxMessageBytes,
      'grpc.max_send_message_length': this.limits.maxMessageBytes,
      'grpc.keepalive_time_ms': this.limits.keepaliveMs,
      'grpc.keepalive_timeout_ms': this.limits.keepaliveTimeoutMs,
    });
    this.server.addService(
      tolerantDefinition(loadRaftProto().palisade.v1.RaftPeer.service),
      createPeerService({
        clusterId: opts.clusterId,
        nodeId: opts.nodeId,
        snapshots: this.snapshots,
        logger: this.logger,
        ...(opts.tls !== undefined ? { identity: { isMember } } : {}),
        deliver: (messages) => this.deliver(messages),
      }),
    );
  }

  /** The host:port actually bound (valid after start()). */
  get address(): string {
    return this.bound;
  }

  /**
   * Serves another gRPC service on the same server (the node's client API shares the peer
   * port). Only before start().
   */
  addService(service: ServiceDefinition, implementation: UntypedServiceImplementation): void {
    if (this.phase !== 'new') throw new Error(`PeerTransport.addService() called when ${this.phase}`);
    this.server.addService(service, implementation);
  }

  /** Registers the one handler that receives peers' messages, in arrival order per peer. */
  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }

  /** Registers where send failures and snapshot outcomes go (replaces the options' callbacks). */
  onPeerReports(reports: PeerReports): void {
    this.reports = reports;
  }

  /** Binds the server and opens a stream to every peer. Resolves with the bound host:port. */
  async start(): Promise<string> {
    if (this.phase !== 'new') throw new Error(`PeerTransport.start() called when ${this.phase}`);
    this.phase = 'starting';
    let port: number;
    try {
      // Loaded here: a missing or mismatched file fails the start with a message naming it.
      this.tls = this.opts.tls === undefined ? undefined : tlsMaterial(this.opts.tls);
      await this.snapshots.prepare();
      const creds = this.tls?.peerServerCredentials() ?? ServerCredentials.createInsecure();
      port = await new Promise<number>((resolve, reject) =>
        this.server.bindAsync(this.opts.listen, creds, (err, p) => (err ? reject(err) : resolve(p))),
      );
    } catch (err) {
      this.phase = 'stopped';
      this.server.forceShutdown();
      throw new Error(`peer transport cannot listen on ${this.opts.listen}: ${(err as Error).message}`, { cause: err });
    }
    this.bound = `${hostOf(this.opts.listen)}:${port}`;
    if (this.isStopped()) {
      this.server.forceShutdown();
      throw new Error('PeerTransport stopped while starting');
    }
    this.phase = 'running';
    for (const id of this.addresses.keys()) this.openClient(id);
    this.logger.info(
      { node: this.opts.nodeId, cluster: this.opts.clusterId, address: this.bound, tls: this.tls !== undefined },
      'peer transport listening',
    );
    return this.bound;
  }

  /** Queues messages for their peers; returns at once (never blocks the Ready loop). */
  send(messages: readonly Message[]): void {
    for (const m of messages) {
      const client = this.clients.get(m.to);
      if (client === undefined) {
        this.undeliverable++;
        this.logger.debug({ to: m.to, type: m.type, phase: this.phase }, 'no stream for message recipient, dropped');
        continue;
      }
      client.send(m);
    }
  }

  /** Adds a peer or changes its address (membership changes); the stream (re)opens at once. */
  setPeer(id: NodeId, address: string): void {
    if (id === this.opts.nodeId || this.addresses.get(id) === address) return;
    this.addresses.set(id, address);
    this.clients.get(id)?.close();
    this.clients.delete(id);
    if (this.phase === 'running') this.openClient(id);
  }

  removePeer(id: NodeId): void {
    this.addresses.delete(id);
    this.clients.get(id)?.close();
    this.clients.delete(id);
  }

  /** Snapshots being received now. */
  get incomingSnapshots(): number {
    return this.snapshots.inProgress;
  }

  stats(): TransportStats {
    const peers = new Map<NodeId, PeerStats>();
    for (const [id, c] of this.clients) peers.set(id, c.stats());
    return { received: this.received, undeliverable: this.undeliverable, peers };
  }

  /** Closes every stream and the server. In-flight messages are dropped (Raft tolerates it). */
  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    this.phase = 'stopped';
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    // Peers' streams to us are long-lived and would keep a graceful shutdown waiting forever.
    this.server.forceShutdown();
    if (this.ownSnapshotDir !== undefined) await rm(this.ownSnapshotDir, { recursive: true, force: true }).catch(() => {});
    this.logger.info({ node: this.opts.nodeId }, 'peer transport stopped');
  }

  private isStopped(): boolean {
    return this.phase === 'stopped';
  }

  private openClient(id: NodeId): void {
    const address = this.addresses.get(id);
    if (address === undefined) return;
    this.clients.set(
      id,
      new PeerClient({
        clusterId: this.opts.clusterId,
        nodeId: this.opts.nodeId,
        peerId: id,
        address,
        credentials: this.tls?.peerChannelCredentials(id) ?? credentials.createInsecure(),
        channelOptions: this.channelOptions(),
        limits: this.limits,
        backoff: this.backoff,
        rng: this.rng,
        timers: this.opts.timers ?? realTimers,
        logger: this.logger,
        onUnreachable: (peer) => this.reports.unreachable(peer),
        onSnapshotStatus: (peer, ok) => this.reports.snapshot(peer, ok),
      }),
    );
  }

  private channelOptions(): ChannelOptions {
    return {
      // A new client is a new connection: our back-off, not a shared subchannel's, decides retries.
      'grpc.use_local_subchannel_pool': 1,
      'grpc.enable_retries': 0,
      'grpc.max_send_message_length': this.limits.maxMessageBytes,
      'grpc.max_receive_message_length': this.limits.maxMessageBytes,
      'grpc.keepalive_time_ms': this.limits.keepaliveMs,
      'grpc.keepalive_timeout_ms': this.limits.keepaliveTimeoutMs,
      'grpc.keepalive_permit_without_calls': 1,
      ...this.tls?.channelOptions(),
    };
  }

  private deliver(messages: readonly Message[]): void {
    if (this.phase !== 'running') return;
    // A batch comes from one sender; our connection to it may be waiting out a back-off.
    const from = messages[0]?.from;
    if (from !== undefined) this.clients.get(from)?.heardFrom();
    for (const m of messages) {
      const handler = this.handler;
      if (handler === undefined) {
        this.undeliverable++;
        continue;
      }
      this.received++;
      try {
        handler(m);
      } catch (err) {
        // The handler is the node's own code: log loudly, but one bad step must not cut the stream.
        this.logger.error({ from: m.from, type: m.type, err: String(err) }, 'message handler threw');
      }
    }
  }
}

/** "127.0.0.1:0" → "127.0.0.1", "[::1]:0" → "[::1]", "0.0.0.0:0" → "0.0.0.0". */
function hostOf(listen: string): string {
  const i = listen.lastIndexOf(':');
  return i < 0 ? listen : listen.slice(0, i);
}
