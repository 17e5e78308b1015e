// startNode(): validate, open the data dir, bootstrap / join / restart, build the node's parts
// in one direction, then start the one gRPC server (peers + clients), the HTTP endpoint, the
// ticker and the Ready loop. Nothing is written before the configuration is known to be valid.
import { randomInt } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpRoutes, startHttp, type HttpEndpoint } from '../api/http.js';
import { CallGuard } from '../api/auth.js';
import { clientService } from '../api/client-service.js';
import { clientServerOptions } from '../api/limits.js';
import { ReloadableTokenTable, followTokenFile } from '../api/token-file.js';
import { ConfigError } from '../errors.js';
import { checkArpingForVip } from '../ha/arping-flavour.js';
import { HA_PROFILE_PREFIX, readHaProfiles } from '../ha/profiles.js';
import { leaseRenewalMs } from '../ha/timing.js';
import { bootstrapStorage } from '../raft/bootstrap.js';
import { RawNode } from '../raft/raw-node.js';
import { seededRng } from '../raft/rng.js';
import type { ConfState } from '../raft/types.js';
import { DEFAULT_COMPACTION_POLICY } from '../storage/compaction.js';
import { dataDirPaths } from '../storage/data-dir.js';
import { openLevelStorage, type DurableStorage } from '../storage/level-storage.js';
import { DEFAULT_LIMITS } from '../transport/limits.js';
import { TlsFilesError, TlsMaterial } from '../transport/tls.js';
import { PeerTransport } from '../transport/transport.js';
import { AppliedState } from './applied-state.js';
import { ApplyWaiters } from './apply-waiters.js';
import { ClientApi } from './client-api.js';
import { ClientListener, PEER_PORT_CLIENT_METHODS } from './client-listener.js';
import { watchCertificates } from './certificate-watch.js';
import { systemClock, type Clock } from './clock.js';
import { CONFIG_DEFAULTS, validateNodeConfig, type NodeConfig, type NodeConfigInput } from './config.js';
import { fetchMembers } from './join.js';
import { PREVOTE_RETRY_TICKS, staggeredElectionTimeout } from './election-order.js';
import { attachCoordination } from './coordination-host.js';
import { componentLogger, createNodeLogger, type Logger } from './logger.js';
import { HaDriver } from './ha-driver.js';
import { MembershipOps } from './membership-ops.js';
import { NodeHost } from './node-host.js';
import { peerTransportLimits } from './node-limits.js';
import { grpcMemberProbe, RemovalWatch } from './removal.js';
import { RequestGuard } from './request-guard.js';
import { RunningNode, type PalisadeNode } from './running-node.js';
import { StoreQuota } from './store-quota.js';
import { WritePath } from './write-path.js';

export type { PalisadeNode } from './running-node.js';

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
  const openStart = clock.monotonicMs();
  const storage = await openLevelStorage({
    dataDir: config.dataDir,
    clusterId: config.cluster,
    nodeId: config.id,
    compaction: {
      ...DEFAULT_COMPACTION_POLICY,
      snapshotEntries: config.snapshotEntries,
      catchUpEntries: Math.min(DEFAULT_COMPACTION_POLICY.catchUpEntries, config.snapshotEntries),
    },
  });
  const openMs = clock.monotonicMs() - openStart;
  const cleanup: (() => Promise<void>)[] = [() => storage.close()];
  try {
    return await assemble({ config, tls, storage, openMs, root, log, clock, cleanup });
  } catch (err) {
    for (const undo of cleanup.reverse()) await undo().catch(() => {});
    throw err;
  }
}

/** Everything assemble() builds on. */
interface Foundation {
  readonly config: NodeConfig;
  readonly tls: TlsMaterial | undefined;
  readonly storage: DurableStorage;
  /** Time to open the store and read it back (the snapshot's image and the log, checked). */
  readonly openMs: number;
  readonly root: Logger;
  readonly log: Logger;
  readonly clock: Clock;
  /** Undo steps for a start that fails part-way, run in reverse. */
  readonly cleanup: (() => Promise<void>)[];
}

/**
 * Builds the node in one direction — storage → state machine and core → transport → Ready-loop
 * host → write path → HA driver → client API and services — each part given what it needs at
 * construction, then starts it.
 */
async function assemble(f: Foundation): Promise<PalisadeNode> {
  const { config, tls, storage, root, log, clock } = f;
  const { addressBook, restarted } = await establishMembership(f);
  const state = AppliedState.load(storage, restarted ? { log, clock, openMs: f.openMs } : undefined);
  for (const m of state.current.members()) if (m.address !== '') addressBook.set(m.id, m.address);
  const raw = newCore(f, state);
  const transport = newTransport(f, raw, addressBook);
  const waiters = new ApplyWaiters();
  const host = new NodeHost({
    config,
    tickMs: config.ticks.tickMs,
    raw,
    storage,
    state,
    transport,
    waiters,
    clock,
    logger: componentLogger(root, 'node'),
  });
  const guard = new RequestGuard(host, config.electionTimeoutMs);
  const quota = new StoreQuota(config.quotaBytes ?? CONFIG_DEFAULTS.quotaBytes);
  const writes = new WritePath(host, waiters, guard, quota);
  const ha = newHaDriver(f, host, writes);
  const coordination = attachCoordination({
    host,
    writes,
    guard,
    clock,
    tickMs: config.ticks.tickMs,
    electionTimeoutMs: config.electionTimeoutMs,
    logger: componentLogger(root, 'coordination'),
  });
  const api = new ClientApi({
    config,
    host,
    transport,
    guard,
    writes,
    membership: new MembershipOps(host, waiters, guard, config.electionTimeoutMs),
    quota,
    ha,
    coordination,
    monotonicMs: () => clock.monotonicMs(),
  });
  const node = await startServices(f, { host, ha, api, transport });
  ha.start();
  host.start();
  log.info(
    { address: node.address, clientAddress: node.clientAddress, http: node.httpAddress, tls: tls?.summary(), ...config.ticks, restarted },
    'node started',
  );
  return node;
}

/** Bootstrap a new cluster, learn the members to join, or restart from the data dir. */
async function establishMembership({
  config,
  tls,
  storage,
  log,
}: Foundation): Promise<{ addressBook: Map<string, string>; restarted: boolean }> {
  const restarted = !(storage.lastIndex() === 0 && storage.snapshot().metadata.index === 0 && storage.initialState().hardState.term === 0);
  const addressBook = new Map<string, string>();
  if (restarted) {
    if (config.peers || config.join)
      log.info({ dataDir: storage.dataDir }, 'data dir holds cluster state: ignoring peers/join, restarting from it');
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
  return { addressBook, restarted };
}

function newCore({ config, storage, root }: Foundation, state: AppliedState): RawNode {
  return new RawNode({
    id: config.id,
    electionTick: config.ticks.electionTick,
    heartbeatTick: config.ticks.heartbeatTick,
    // Followers answer the rounds in between only when something changed (idle CPU, issue 20).
    // The round-trip allowance is one heartbeat, as in the timing rule (ha-config.ts).
    quorumAckTicks: Math.round(leaseRenewalMs(config.ha.timing, config.ha.timing.heartbeatMs) / config.ticks.tickMs),
    storage,
    rng: seededRng(randomInt(2 ** 31)),
    // Read from the current state machine: a restored snapshot replaces it.
    electionTimeout: staggeredElectionTimeout(
      () => readHaProfiles(state.current.list(HA_PROFILE_PREFIX)),
      () => state.current.ha.health,
    ),
    // The first-ranked follower campaigns at the minimum timeout, when a voter whose ticks run
    // a little behind may still ignore it: asking again beats waiting a whole timeout.
    preVoteRetryTicks: PREVOTE_RETRY_TICKS,
    applied: storage.snapshot().metadata.index,
    logger: componentLogger(root, 'raft'),
  });
}

function newTransport({ config, tls, storage, root }: Foundation, raw: RawNode, addressBook: ReadonlyMap<string, string>): PeerTransport {
  return new PeerTransport({
    clusterId: config.cluster,
    nodeId: config.id,
    listen: config.listen,
    peers: addressBook,
    ...(tls ? { tls } : {}),
    // TLS: only a current member's own certificate speaks Raft. A node that joins knows no
    // configuration until the leader's log or snapshot arrives: until then, the members it was told.
    isMember: (id) => raw.isMember(id) || (hasNoMembers(raw.confState()) && addressBook.has(id)),
    logger: componentLogger(root, 'transport'),
    snapshotDir: join(storage.dataDir, 'snapshots-incoming'),
    limits: peerTransportLimits(config.listeners.clientListen === undefined, config.quotaBytes),
  });
}

/** The active-role layer: it follows the Ready loop and writes its profile through the write path. */
function newHaDriver({ config, root, clock, cleanup }: Foundation, host: NodeHost, writes: WritePath): HaDriver {
  const driver = new HaDriver(
    config,
    {
      raw: host.raw,
      stateMachine: () => host.stateMachine,
      role: () => host.role(),
      kick: () => host.loop.kick(),
      timeOfTick: (tick) => host.timeOfTick(tick),
      waitFor: (check, timeoutMs, onTimeout) => host.waitFor(check, timeoutMs, onTimeout),
      leaderHint: () => host.leaderHint(),
      lastHeard: () => host.peers.lastHeardFrom,
      put: async (key, value) => {
        await writes.write({ type: 'put', key, value });
      },
      replan: () => host.replan(),
      beginTransfer: (to) => host.beginTransfer(to),
    },
    clock,
    componentLogger(root, 'ha'),
  );
  host.observe(driver);
  cleanup.push(() => driver.stop());
  return driver;
}

/** The gRPC listeners, the certificate watch, the removal watch and HTTP; the running node. */
async function startServices(
  f: Foundation,
  core: { host: NodeHost; ha: HaDriver; api: ClientApi; transport: PeerTransport },
): Promise<RunningNode> {
  const { config, tls, root, log, clock, cleanup } = f;
  const { host, ha, api, transport } = core;
  let resolveStopped!: (r: { error?: unknown }) => void;
  const stopped = new Promise<{ error?: unknown }>((resolve) => (resolveStopped = resolve));
  const clientListener = new ClientListener({
    transport,
    service: clientService(api, clientGuard(config, componentLogger(root, 'api'), cleanup, stopped), componentLogger(root, 'api')),
    ...(config.listeners.clientListen !== undefined ? { clientListen: config.listeners.clientListen } : {}),
    ...(tls ? { tls } : {}),
    serverOptions: {
      ...clientServerOptions(),
      'grpc.keepalive_time_ms': DEFAULT_LIMITS.keepaliveMs,
      'grpc.keepalive_timeout_ms': DEFAULT_LIMITS.keepaliveTimeoutMs,
    },
    logger: componentLogger(root, 'api'),
  });
  const address = await transport.start();
  cleanup.push(() => transport.stop());
  await clientListener.start(address);
  cleanup.push(() => clientListener.stop());
  if (config.listeners.exposedPlaintext) {
    log.warn(
      { listen: config.listen, clientListen: config.listeners.clientListen },
      'INSECURE: plaintext gRPC on a non-loopback address (--insecure): anyone who reaches these ports can forge Raft messages and drive the cluster',
    );
  }
  const stopWatchingCertificates = tls ? watchCertificates(tls, componentLogger(root, 'tls')) : () => {};
  cleanup.push(async () => stopWatchingCertificates());
  const removal = new RemovalWatch({
    local: () => host.peers.localMembership(host.stateMachine.members()),
    hasLeader: () => host.hasLiveLeader(),
    monotonicMs: () => clock.monotonicMs(),
    // Rare on purpose: only a node without a leader for this long asks, and asking is cheap.
    intervalMs: Math.max(1000, 3 * config.electionTimeoutMs),
    probe: grpcMemberProbe(tls),
    onRemoved: (provedBy) => host.peers.markRemoved(provedBy),
    onProbeError: (address, err) => log.debug({ address, err: (err as Error).message }, 'removal check: member did not answer'),
  });
  cleanup.push(async () => removal.stop());
  const http = await startHttpEndpoints(f, { host, ha, api }, stopped);
  const node = new RunningNode({
    config,
    host,
    ha,
    api,
    removal,
    http,
    tls,
    stopWatchingCertificates,
    clientListener,
    transport,
    storage: f.storage,
    address,
    log,
    stopped,
    resolveStopped,
  });
  removal.start();
  return node;
}

/** /status, /metrics and the probes; with metricsListen, /status and /metrics on their own listener. */
async function startHttpEndpoints(
  { config, log, cleanup }: Foundation,
  parts: { host: NodeHost; ha: HaDriver; api: ClientApi },
  stopped: Promise<unknown>,
): Promise<HttpEndpoint | undefined> {
  const { host, ha, api } = parts;
  const httpPort = {
    status: () => api.status(),
    metricsText: () => api.metricsText(),
    running: () => host.serving,
    ha,
  };
  let http: HttpEndpoint | undefined;
  if (config.http) {
    const endpoint = await startHttp(config.http, httpPort, config.auth.metricsListen !== undefined ? HttpRoutes.Probes : HttpRoutes.All);
    cleanup.push(() => endpoint.close());
    http = endpoint;
  }
  if (config.auth.metricsListen !== undefined) {
    const management = await startHttp(config.auth.metricsListen, httpPort, HttpRoutes.Management);
    cleanup.push(() => management.close());
    void stopped.then(() => management.close());
    log.info({ metrics: management.address }, '/status and /metrics served on their own listener');
  }
  return http;
}

/** Who may call the client API (api/auth.ts): certificates with TLS, tokens with a token file. */
function clientGuard(config: NodeConfig, log: Logger, cleanup: (() => Promise<void>)[], stopped: Promise<unknown>): CallGuard {
  let tokens: ReloadableTokenTable | undefined;
  if (config.auth.tokenAuthFile !== undefined) {
    const table = new ReloadableTokenTable(config.auth.tokenAuthFile);
    const stop = followTokenFile(
      table,
      (users) => log.info({ file: table.path, users }, 'token file reloaded'),
      (err) =>
        log.error(
          { file: table.path, err: err.message },
          'token file invalid or deleted: no token is accepted until a valid version is back (certificates still work)',
        ),
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
  if (guard.open)
    log.warn({ listen: config.listen }, 'client API without authentication (no TLS, no token file): whoever reaches the port is admin');
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
