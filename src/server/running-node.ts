// A started node as its embedder sees it (PalisadeNode): status, events, certificate reload,
// and the orderly stop — demote, hand the leadership over, then close every part in the
// reverse order of its start.
import type { HttpEndpoint } from '../api/http.js';
import type { NodeStatus } from '../api/node-port.js';
import { NONE } from '../raft/types.js';
import type { DurableStorage } from '../storage/level-storage.js';
import { ShuttingDownError } from '../errors.js';
import type { TlsMaterial } from '../transport/tls.js';
import type { PeerTransport } from '../transport/transport.js';
import type { ClientApi } from './client-api.js';
import type { ClientListener } from './client-listener.js';
import type { NodeConfig } from './config.js';
import type { EventSubscription } from './event-stream.js';
import type { HaDriver } from './ha-driver.js';
import type { Logger } from './logger.js';
import type { NodeEvent } from './node-events.js';
import type { NodeHost } from './node-host.js';
import { RemovedFromClusterError, type RemovalWatch } from './removal.js';

export interface PalisadeNode {
  readonly id: string;
  /** Bound peer (Raft) gRPC host:port (port 0 → the real port). */
  readonly address: string;
  /** Bound client API host:port: its own port with clientListen, else `address`. */
  readonly clientAddress: string;
  readonly httpAddress?: string;
  status(): NodeStatus;
  /**
   * Re-reads the TLS files (SIGHUP does this in the agent; the node also notices file changes by
   * itself). New connections use the new certificate; open ones keep theirs. Throws TlsFilesError
   * naming the file when the new files are not a valid set: the old ones stay in use.
   */
  reloadCertificates(): { readonly changed: boolean };
  /** Events as an async iterable; a slow consumer never stalls the node (bounded buffer, drops counted). */
  events(): AsyncIterable<NodeEvent>;
  /** Graceful stop: a leader first transfers leadership (bounded wait), then closes everything. */
  stop(): Promise<void>;
  /**
   * Settles when the node has stopped: by stop(), or on its own after a fatal error (a failed
   * disk write), in which case `error` is set and the process should exit non-zero.
   */
  readonly stopped: Promise<{ readonly error?: unknown }>;
}

/** The parts a running node closes, in the order it closes them. */
export interface RunningParts {
  readonly config: NodeConfig;
  readonly host: NodeHost;
  readonly ha: HaDriver;
  readonly api: ClientApi;
  readonly removal: RemovalWatch;
  readonly http: HttpEndpoint | undefined;
  readonly tls: TlsMaterial | undefined;
  readonly stopWatchingCertificates: () => void;
  readonly clientListener: ClientListener;
  readonly transport: PeerTransport;
  readonly storage: DurableStorage;
  readonly address: string;
  readonly log: Logger;
  /** Settles once the node stopped (parts built before the node close when it does). */
  readonly stopped: Promise<{ readonly error?: unknown }>;
  readonly resolveStopped: (r: { error?: unknown }) => void;
}

export class RunningNode implements PalisadeNode {
  readonly id: string;
  readonly address: string;
  readonly httpAddress?: string;
  readonly clientAddress: string;
  readonly stopped: Promise<{ readonly error?: unknown }>;
  private readonly resolveStopped: (r: { error?: unknown }) => void;
  private stopping: Promise<void> | undefined;

  constructor(private readonly parts: RunningParts) {
    this.id = parts.config.id;
    this.address = parts.address;
    this.clientAddress = parts.clientListener.address;
    if (parts.http) this.httpAddress = parts.http.address;
    this.stopped = parts.stopped;
    this.resolveStopped = parts.resolveStopped;
    parts.host.onFatal((err) => void this.shutdown(err));
    parts.host.peers.onRemoved((provedBy) => void this.leaveAfterRemoval(provedBy));
  }

  status(): NodeStatus {
    return this.parts.api.status();
  }

  reloadCertificates(): { readonly changed: boolean } {
    const { tls, log } = this.parts;
    if (tls === undefined) return { changed: false };
    const changed = tls.reload();
    if (changed) log.info({ certificate: tls.summary() }, 'TLS certificates reloaded: new connections use them');
    return { changed };
  }

  events(): EventSubscription<NodeEvent> {
    return this.parts.host.events.subscribe();
  }

  stop(): Promise<void> {
    return this.shutdown(undefined);
  }

  shutdown(error: unknown): Promise<void> {
    this.stopping ??= this.close(error);
    return this.stopping;
  }

  /**
   * A member proved this node is no longer in the cluster: stop with RemovedFromClusterError
   * (the agent exits with its own code), as etcd does. Nothing to hand over: only a node that
   * heard from no leader for a while looks, so it is not the leader.
   */
  leaveAfterRemoval(provedBy: string): Promise<void> {
    const err = new RemovedFromClusterError(this.id, this.parts.config.cluster, provedBy);
    if (this.stopping === undefined) this.parts.log.error({ provedBy }, err.message);
    return this.shutdown(err);
  }

  private async close(error: unknown): Promise<void> {
    const { host, ha, log } = this.parts;
    this.parts.removal.stop();
    host.beginStop();
    // Demote first (the VIP and the service go down), even after a fatal error; then hand over.
    await ha.shutdown(error === undefined);
    if (error === undefined) await this.handOverLeadership();
    host.stopTicking();
    await ha.stop();
    const closeError = await this.closeParts();
    log.info({ error: error === undefined ? undefined : String(error) }, 'node stopped');
    this.resolveStopped(error !== undefined ? { error } : closeError !== undefined ? { error: closeError } : {});
  }

  /** The loop, the pending requests, the listeners, the transport, then the storage; the storage's close error. */
  private async closeParts(): Promise<unknown> {
    const { host } = this.parts;
    await host.loop.stop();
    host.failPending(new ShuttingDownError(this.id));
    await this.parts.http?.close().catch(() => {});
    this.parts.stopWatchingCertificates();
    await this.parts.clientListener.stop().catch(() => {});
    await this.parts.transport.stop().catch(() => {});
    await host.snapshotSettled(); // aborts at its next step: beginStop() was called
    let closeError: unknown;
    await this.parts.storage.close().catch((err: unknown) => (closeError = err));
    return closeError;
  }

  /**
   * Stops abruptly, as kill -9 would (tests and demos): no demotion, no hand-over. Hooks
   * already running are left alone.
   */
  async crash(): Promise<void> {
    this.stopping ??= (async () => {
      this.parts.ha.abandon();
      this.parts.removal.stop();
      this.parts.host.stopTicking();
      this.parts.host.beginStop();
      await this.closeParts();
      this.parts.log.info('node crashed (simulated)');
      this.resolveStopped({});
    })();
    return this.stopping;
  }

  /** A leader hands over to the most caught-up voter first, so the cluster does not wait out an election. */
  private async handOverLeadership(): Promise<void> {
    const { host, log } = this.parts;
    const raw = host.raw;
    const st = raw.status();
    if (st.state !== 'leader' || st.progress === undefined) return;
    let best: { id: string; match: number; active: boolean } | undefined;
    // Prefer a voter that may take the active role (reachable, caught up, not --no-active).
    const eligible = this.parts.ha.stopTarget();
    if (eligible !== undefined) best = { id: eligible, match: st.progress.get(eligible)?.match ?? 0, active: true };
    else
      for (const [id, pr] of st.progress) {
        if (id === this.id || pr.isLearner) continue;
        const better = !best || (pr.recentActive && !best.active) || (pr.recentActive === best.active && pr.match > best.match);
        if (better) best = { id, match: pr.match, active: pr.recentActive };
      }
    if (best === undefined) return;
    log.info({ to: best.id, term: st.term }, 'stopping: transferring leadership');
    try {
      host.beginTransfer(best.id);
      await host.waitFor(
        () => {
          const lead = raw.basicStatus().lead;
          return lead !== NONE && lead !== this.id;
        },
        2 * this.parts.config.electionTimeoutMs,
        () => new Error('no new leader in time'),
      );
      const now = raw.basicStatus();
      log.info({ leader: now.lead, term: now.term }, 'leadership handed over');
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'leadership transfer before stop did not finish; stopping anyway');
    }
  }
}
