// startNode(): validate, open the data dir, bootstrap / join / restart, then start the one gRPC
// server (peers + clients), the HTTP endpoint, the ticker and the Ready loop. Nothing is
// written before the configuration is known to be valid.
import { randomInt } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpRoutes, startHttp, type HttpEndpoint } from '../api/http.js';
import { CallGuard } from '../api/auth.js';
import { clientService } from '../api/client-service.js';
import { clientServerOptions } from '../api/limits.js';
import { ReloadableTokenTable, followTokenFile } from '../api/token-file.js';
import type { NodeStatus } from '../api/node-port.js';
import { ConfigError } from '../errors.js';
import { checkArpingForVip } from '../ha/arping-flavour.js';
import { HA_PROFILE_PREFIX, readHaProfiles } from '../ha/profiles.js';
import { leaseRenewalMs } from '../ha/timing.js';
import { bootstrapStorage } from '../raft/bootstrap.js';
import { RawNode } from '../raft/raw-node.js';
import { seededRng } from '../raft/rng.js';
import { NONE, type ConfState } from '../raft/types.js';
import { StateMachine } from '../statemachine/state-machine.js';
import { dataDirPaths } from '../storage/data-dir.js';
import { openLevelStorage, type DurableStorage } from '../storage/level-storage.js';
import { DEFAULT_LIMITS } from '../transport/limits.js';
import { TlsFilesError, TlsMaterial } from '../transport/tls.js';
import { PeerTransport } from '../transport/transport.js';
import { ClientListener, PEER_PORT_CLIENT_METHODS } from './client-listener.js';
import { watchCertificates } from './certificate-watch.js';
import { systemClock, type Clock } from './clock.js';
import { validateNodeConfig, type NodeConfig, type NodeConfigInput } from './config.js';
import type { EventSubscription } from './event-stream.js';
import { fetchMembers } from './join.js';
import { PREVOTE_RETRY_TICKS, staggeredElectionTimeout } from './election-order.js';
import { componentLogger, createNodeLogger, type Logger } from './logger.js';
import { HaDriver } from './ha-driver.js';
import type { NodeEvent } from './node-events.js';
import { NodeRuntime } from './node-runtime.js';
import { peerTransportLimits } from './node-limits.js';
import { grpcMemberProbe, RemovalWatch, RemovedFromClusterError } from './removal.js';
import { Ticker } from './ticker.js';

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

export interface StartNodeOptions extends NodeConfigInput {
  /** A pino logger to log through (default: JSON lines on stdout at the config's level). */
  logger?: Logger;
  /** Monotonic + wall clock (tests). */
  clock?: Clock;
}

export async function startNode(input: StartNodeOptions): Promise<PalisadeNode> {
  const { logger: givenLogger, clock: givenClock, ...rest } = input;
  const { config, problems } = validateNodeConfig(rest);
  if (config === undefined) throw new ConfigError(problems);
  // Loaded before anything is written: a key that does not match its certificate is a configuration error.
  let tls: TlsMaterial | undefined;
  try {
    tls = config.tls !== undefined ? TlsMaterial.load(config.tls) : undefined;
  } catch (err) {
    if (err instanceof TlsFilesError) throw new ConfigError([`tls: ${err.message}`]);
    throw err;
  }
  if (!config.peers && !config.join && (await storeIsMissing(config.dataDir))) throw new ConfigError([noMembershipProblem(config)]);
  // A VIP with another program's arping would fail every promotion: refuse before anything starts.
  const arping = config.ha.vip !== undefined ? await checkArpingForVip() : undefined;
  if (arping !== undefined) throw new ConfigError([arping]);

  const root = givenLogger ?? createNodeLogger(config.logLevel, config.id, config.cluster);
  const log = componentLogger(root, 'node');
  const clock = givenClock ?? systemClock;
  const storage = await openLevelStorage({
    dataDir: config.dataDir,
    clusterId: config.cluster,
    nodeId: config.id,
    compaction: { snapshotEntries: config.snapshotEntries, catchUpEntries: Math.min(5000, config.snapshotEntries) },
  });
  const cleanup: (() => Promise<void>)[] = [() => storage.close()];
  try {
    return await assemble(config, tls, storage, root, log, clock, cleanup);
  } catch (err) {
    for (const undo of cleanup.reverse()) await undo().catch(() => {});
    throw err;
  }
}

async function assemble(
  config: NodeConfig,
  tls: TlsMaterial | undefined,
  storage: DurableStorage,
  root: Logger,
  log: Logger,
  clock: Clock,
  cleanup: (() => Promise<void>)[],
): Promise<PalisadeNode> {
  const empty = storage.lastIndex() === 0 && storage.snapshot().metadata.index === 0 && storage.initialState().hardState.term === 0;
  const addressBook = new Map<string, string>();
  if (!empty) {
    if (config.peers || config.join) log.info({ dataDir: storage.dataDir }, 'data dir holds cluster state: ignoring peers/join, restarting from it');
  } else if (config.peers) {
    bootstrapStorage(storage, { voters: [...config.peers.keys()].sort(), learners: [] }, config.peers);
    await storage.flush();
    for (const [id, address] of config.peers) addressBook.set(id, address);
    log.info({ peers: Object.fromEntries(config.peers) }, 'bootstrapped a new cluster');
  } else if (config.join) {
    const members = await fetchMembers({
      endpoint: config.join,
      ...(tls ? { tls } : {}),
      onRetry: (attempt, err) => log.warn({ attempt, join: config.join, err: err.message }, 'join endpoint not answering, retrying'),
    });
    for (const m of members) addressBook.set(m.id, m.address);
    if (!members.some((m) => m.id === config.id)) {
      log.warn({ members: members.map((m) => m.id) }, 'this node is not a member yet: add it with `palisade members add` first');
    }
    log.info({ join: config.join, members: members.length }, 'joining an existing cluster');
  } else {
    throw new ConfigError([noMembershipProblem(config)]);
  }

  const snapshot = storage.snapshot();
  const sm = snapshot.metadata.index > 0 ? StateMachine.restore(snapshot.data) : StateMachine.create();
  for (const m of sm.members()) if (m.address !== '') addressBook.set(m.id, m.address);
  const plan = config.ticks;
  // The runtime replaces its state machine on a snapshot: read the profiles from whichever is current.
  let currentSm = (): StateMachine => sm;
  const raw = new RawNode({
    id: config.id,
    electionTick: plan.electionTick,
    heartbeatTick: plan.heartbeatTick,
    // Followers answer the rounds in between only when something changed (idle CPU, issue 20).
    // The round-trip allowance is one heartbeat, as in the timing rule (ha-config.ts).
    quorumAckTicks: Math.round(leaseRenewalMs(config.ha.timing, config.ha.timing.heartbeatMs) / plan.tickMs),
    storage,
    rng: seededRng(randomInt(2 ** 31)),
    electionTimeout: staggeredElectionTimeout(() => readHaProfiles(currentSm().list(HA_PROFILE_PREFIX)), () => currentSm().ha.health),
    // The first-ranked follower campaigns at the minimum timeout, when a voter whose ticks run
    // a little behind may still ignore it: asking again beats waiting a whole timeout.
    preVoteRetryTicks: PREVOTE_RETRY_TICKS,
    applied: snapshot.metadata.index,
    logger: componentLogger(root, 'raft'),
  });

  let resolveStopped!: (r: { error?: unknown }) => void;
  const stopped = new Promise<{ error?: unknown }>((resolve) => (resolveStopped = resolve));
  let node: RunningNode | undefined;
  const runtime = new NodeRuntime({ config, raw, storage, sm, clock, logger: componentLogger(root, 'node') }, (err) => {
    void node?.shutdown(err);
  });
  currentSm = () => runtime.stateMachine;
  const transport = new PeerTransport({
    clusterId: config.cluster,
    nodeId: config.id,
    listen: config.listen,
    peers: addressBook,
    ...(tls ? { tls } : {}),
    // TLS: only a current member's own certificate speaks Raft. A node that joins knows no
    // configuration until the leader's log or snapshot arrives: until then, the members it was told.
    isMember: (id) => raw.isMember(id) || (hasNoMembers(raw.confState()) && addressBook.has(id)),
    logger: componentLogger(root, 'transport'),
    reportUnreachable: (id) => runtime.reportUnreachable(id),
    reportSnapshot: (id, ok) => runtime.reportSnapshot(id, ok),
    snapshotDir: join(storage.dataDir, 'snapshots-incoming'),
    limits: peerTransportLimits(config.listeners.clientListen === undefined, config.quotaBytes),
  });
  const svc = clientService(runtime, clientGuard(config, componentLogger(root, 'api'), cleanup, stopped), componentLogger(root, 'api'));
  const clientListener = new ClientListener({
    transport,
    service: svc,
    ...(config.listeners.clientListen !== undefined ? { clientListen: config.listeners.clientListen } : {}),
    ...(tls ? { tls } : {}),
    serverOptions: {
      ...clientServerOptions(),
      'grpc.keepalive_time_ms': DEFAULT_LIMITS.keepaliveMs,
      'grpc.keepalive_timeout_ms': DEFAULT_LIMITS.keepaliveTimeoutMs,
    },
    logger: componentLogger(root, 'api'),
  });
  transport.onMessage((m) => runtime.step(m));
  const address = await transport.start();
  cleanup.push(() => transport.stop());
  const clientAddress = await clientListener.start(address);
  cleanup.push(() => clientListener.stop());
  if (config.listeners.exposedPlaintext) {
    log.warn(
      { listen: config.listen, clientListen: config.listeners.clientListen },
      'INSECURE: plaintext gRPC on a non-loopback address (--insecure): anyone who reaches these ports can forge Raft messages and drive the cluster',
    );
  }
  const stopWatching = tls ? watchCertificates(tls, componentLogger(root, 'tls')) : () => {};
  cleanup.push(async () => stopWatching());
  let driver: HaDriver | undefined;
  const ticker = new Ticker({
    tickMs: plan.tickMs,
    clock,
    onTick: () => {
      const tick = runtime.tick();
      driver?.tick();
      return tick;
    },
    // A follower sleeps until its election timeout, a leader until its next heartbeat, unless
    // the HA layer has something due sooner (the active node's lease check).
    quietTicks: () => Math.min(raw.quietTicks(), driver?.quietTicks() ?? 0),
  });
  runtime.attach(transport, ticker);
  driver = new HaDriver(
    config,
    {
      raw,
      stateMachine: () => runtime.stateMachine,
      role: () => runtime.role(),
      kick: () => runtime.loop.kick(),
      timeOfTick: (tick) => ticker.timeOfTick(tick),
      waitFor: (check, timeoutMs, onTimeout) => runtime.waitFor(check, timeoutMs, onTimeout),
      leaderHint: () => runtime.leaderHint(),
      lastHeard: () => runtime.lastHeardFrom,
      put: async (key, value) => {
        await runtime.write({ type: 'put', key, value });
      },
      replan: () => ticker.replan(),
      beginTransfer: (to) => runtime.beginTransfer(to),
    },
    clock,
    componentLogger(root, 'ha'),
  );
  const ha = driver;
  runtime.ha = ha;
  runtime.afterReady = (rd) => ha.afterReady(rd);
  runtime.beforeReadyHook = () => ha.beforeReady();
  cleanup.push(() => ha.stop());
  const removal = new RemovalWatch({
    local: () => runtime.localMembership(),
    hasLeader: () => runtime.hasLiveLeader(),
    monotonicMs: () => clock.monotonicMs(),
    // Rare on purpose: only a node without a leader for this long asks, and asking is cheap.
    intervalMs: Math.max(1000, 3 * config.electionTimeoutMs),
    probe: grpcMemberProbe(tls),
    onRemoved: (provedBy) => runtime.markRemoved(provedBy),
    onProbeError: (address, err) => log.debug({ address, err: (err as Error).message }, 'removal check: member did not answer'),
  });
  cleanup.push(async () => removal.stop());

  let http: HttpEndpoint | undefined;
  const httpPort = {
    status: () => runtime.status(),
    metricsText: () => runtime.metricsText(),
    running: () => !runtime.isStopping && !runtime.loop.isStopped,
    ha,
  };
  if (config.http) {
    http = await startHttp(config.http, httpPort, config.auth.metricsListen !== undefined ? HttpRoutes.Probes : HttpRoutes.All);
    cleanup.push(() => http!.close());
  }
  if (config.auth.metricsListen !== undefined) {
    const management = await startHttp(config.auth.metricsListen, httpPort, HttpRoutes.Management);
    cleanup.push(() => management.close());
    void stopped.then(() => management.close());
    log.info({ metrics: management.address }, '/status and /metrics served on their own listener');
  }
  node = new RunningNode(config, runtime, ha, transport, { clientListener, tls, stopWatching }, ticker, removal, storage, http, address, log, stopped, resolveStopped);
  const running = node;
  runtime.onRemoved((provedBy) => void running.leaveAfterRemoval(provedBy));
  ha.start();
  ticker.start();
  removal.start();
  runtime.loop.kick();
  log.info({ address, clientAddress, http: http?.address, tls: tls?.summary(), ...plan, restarted: !empty }, 'node started');
  return node;
}

class RunningNode implements PalisadeNode {
  readonly id: string;
  readonly httpAddress?: string;
  readonly clientAddress: string;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly config: NodeConfig,
    private readonly runtime: NodeRuntime,
    private readonly ha: HaDriver,
    private readonly transport: PeerTransport,
    private readonly edge: { readonly clientListener: ClientListener; readonly tls: TlsMaterial | undefined; readonly stopWatching: () => void },
    private readonly ticker: Ticker,
    private readonly removal: RemovalWatch,
    private readonly storage: DurableStorage,
    private readonly http: HttpEndpoint | undefined,
    readonly address: string,
    private readonly log: Logger,
    readonly stopped: Promise<{ readonly error?: unknown }>,
    private readonly resolveStopped: (r: { error?: unknown }) => void,
  ) {
    this.id = config.id;
    this.clientAddress = edge.clientListener.address;
    if (http) this.httpAddress = http.address;
  }

  status(): NodeStatus {
    return this.runtime.status();
  }

  reloadCertificates(): { readonly changed: boolean } {
    if (this.edge.tls === undefined) return { changed: false };
    const changed = this.edge.tls.reload();
    if (changed) this.log.info({ certificate: this.edge.tls.summary() }, 'TLS certificates reloaded: new connections use them');
    return { changed };
  }

  events(): EventSubscription<NodeEvent> {
    return this.runtime.events.subscribe();
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
    const err = new RemovedFromClusterError(this.id, this.config.cluster, provedBy);
    if (this.stopping === undefined) this.log.error({ provedBy }, err.message);
    return this.shutdown(err);
  }

  private async close(error: unknown): Promise<void> {
    this.removal.stop();
    this.runtime.beginStop();
    // Demote first (the VIP and the service go down), even after a fatal error; then hand over.
    await this.ha.shutdown(error === undefined);
    if (error === undefined) await this.handOverLeadership();
    this.ticker.stop();
    await this.ha.stop();
    await this.runtime.loop.stop();
    this.runtime.failPending();
    await this.http?.close().catch(() => {});
    this.edge.stopWatching();
    await this.edge.clientListener.stop().catch(() => {});
    await this.transport.stop().catch(() => {});
    await this.runtime.snapshotSettled(); // aborts at its next step: beginStop() was called
    let closeError: unknown;
    await this.storage.close().catch((err: unknown) => (closeError = err));
    this.log.info({ error: error === undefined ? undefined : String(error) }, 'node stopped');
    this.resolveStopped(error !== undefined ? { error } : closeError !== undefined ? { error: closeError } : {});
  }

  /**
   * Stops abruptly, as kill -9 would (tests and demos): no demotion, no hand-over. Hooks
   * already running are left alone.
   */
  async crash(): Promise<void> {
    this.stopping ??= (async () => {
      this.ha.abandon();
      this.removal.stop();
      this.ticker.stop();
      this.runtime.beginStop();
      await this.runtime.loop.stop();
      this.runtime.failPending();
      await this.http?.close().catch(() => {});
      this.edge.stopWatching();
    await this.edge.clientListener.stop().catch(() => {});
    await this.transport.stop().catch(() => {});
      await this.runtime.snapshotSettled();
      await this.storage.close().catch(() => {});
      this.log.info('node crashed (simulated)');
      this.resolveStopped({});
    })();
    return this.stopping;
  }

  /** A leader hands over to the most caught-up voter first, so the cluster does not wait out an election. */
  private async handOverLeadership(): Promise<void> {
    const raw = this.runtime.raw;
    const st = raw.status();
    if (st.state !== 'leader' || st.progress === undefined) return;
    let best: { id: string; match: number; active: boolean } | undefined;
    // Prefer a voter that may take the active role (reachable, caught up, not --no-active).
    const eligible = this.ha.stopTarget();
    if (eligible !== undefined) best = { id: eligible, match: st.progress.get(eligible)?.match ?? 0, active: true };
    else for (const [id, pr] of st.progress) {
      if (id === this.id || pr.isLearner) continue;
      const better = !best || (pr.recentActive && !best.active) || (pr.recentActive === best.active && pr.match > best.match);
      if (better) best = { id, match: pr.match, active: pr.recentActive };
    }
    if (best === undefined) return;
    this.log.info({ to: best.id, term: st.term }, 'stopping: transferring leadership');
    try {
      this.runtime.beginTransfer(best.id);
      await this.runtime.waitFor(
        () => {
          const lead = raw.basicStatus().lead;
          return lead !== NONE && lead !== this.id;
        },
        2 * this.config.electionTimeoutMs,
        () => new Error('no new leader in time'),
      );
      const now = raw.basicStatus();
      this.log.info({ leader: now.lead, term: now.term }, 'leadership handed over');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'leadership transfer before stop did not finish; stopping anyway');
    }
  }
}

/** Who may call the client API (api/auth.ts): certificates with TLS, tokens with a token file. */
function clientGuard(config: NodeConfig, log: Logger, cleanup: (() => Promise<void>)[], stopped: Promise<unknown>): CallGuard {
  let tokens: ReloadableTokenTable | undefined;
  if (config.auth.tokenAuthFile !== undefined) {
    const table = new ReloadableTokenTable(config.auth.tokenAuthFile);
    const stop = followTokenFile(
      table,
      (users) => log.info({ file: table.path, users }, 'token file reloaded'),
      (err) => log.error({ file: table.path, err: err.message }, 'token file invalid or deleted: no token is accepted until a valid version is back (certificates still work)'),
    );
    cleanup.push(async () => stop());
    void stopped.then(stop);
    tokens = table;
  }
  const guard = new CallGuard({
    certificates: config.tls !== undefined,
    ...(tokens !== undefined ? { tokens } : {}),
    // Without TLS the nodes have no credentials, yet one that joins or checks its removal reads these.
    ...(config.tls === undefined && tokens !== undefined ? { anonymousMethods: PEER_PORT_CLIENT_METHODS } : {}),
  });
  if (guard.open) log.warn({ listen: config.listen }, 'client API without authentication (no TLS, no token file): whoever reaches the port is admin');
  return guard;
}

function hasNoMembers(cs: ConfState): boolean {
  return cs.voters.length === 0 && cs.learners.length === 0;
}

async function storeIsMissing(dataDir: string): Promise<boolean> {
  try {
    return (await readdir(dataDirPaths(dataDir).storeDir)).length === 0;
  } catch {
    return true;
  }
}

function noMembershipProblem(config: NodeConfig): string {
  return (
    `peers, join: data dir ${config.dataDir} holds no cluster state and neither is given — ` +
    'give peers (id=host:port,...) to found a new cluster, or join (host:port of a member) after `palisade members add`'
  );
}
