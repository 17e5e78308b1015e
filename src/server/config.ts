// Node configuration: what an operator (flags, YAML) or an embedding program gives, checked
// once, all problems reported together, each saying how to fix it. Nothing is opened or
// written before the config is valid.
import { existsSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { parseAuthSettings, type AuthConfig } from './auth-config.js';
import { parseHaSettings, type HaSettings, type HaSettingsInput } from './ha-config.js';
import { parseListenSettings, type ListenConfig } from './listen-config.js';
import { CONFIG_KEYS, NODE_OPTIONS, OptionGroup, isChoice, optionDefault, wholeOption, type OptionInputs } from './node-options.js';

export { ConfigError };
export type { HaSettings, HaSettingsInput };

export const LOG_LEVELS = NODE_OPTIONS.logLevel.choices;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  /** CA bundle for client certificates on the client port (default: caFile), as etcd's --client-ca. */
  readonly clientCaFile?: string;
}

/** The node's tick length and the Raft core's tick counts. */
export interface TickPlan {
  readonly tickMs: number;
  readonly heartbeatTick: number;
  readonly electionTick: number;
}

/** A validated, normalized configuration. */
export interface NodeConfig {
  readonly id: string;
  /** host:port of the peer (Raft) gRPC server; also the client API's unless listeners.clientListen. */
  readonly listen: string;
  /** The client API's own port, and plaintext allowed off loopback (server/listen-config.ts). */
  readonly listeners: ListenConfig;
  /** host:port for HTTP /health /status /metrics. */
  readonly http?: string;
  readonly dataDir: string;
  /** id → host:port; bootstraps a NEW cluster (includes `id`). */
  readonly peers?: ReadonlyMap<string, string>;
  /** host:port of a member to learn the cluster from (a node added with `members add`). */
  readonly join?: string;
  /** Cluster name = cluster id: a node only talks to nodes of its own cluster. */
  readonly cluster: string;
  readonly heartbeatMs: number;
  /** Minimum election timeout. */
  readonly electionTimeoutMs: number;
  /** Tick length and the core's tick counts for these milliseconds (tickPlan), worked out once. */
  readonly ticks: TickPlan;
  readonly snapshotEntries: number;
  /** The key-value store's quota (--quota-bytes): writes that would grow it further are refused. */
  readonly quotaBytes: number;
  readonly logLevel: LogLevel;
  readonly tls?: TlsFiles;
  /** Client authentication (token file) and the management HTTP listener (server/auth-config.ts). */
  readonly auth: AuthConfig;
  /** The active role: hooks, fencing mode, VIP, priority, witness, timing (server/ha-config.ts). */
  readonly ha: HaSettings;
}

/** What an embedder (or the agent) gives: the option table's fields, and the TLS files as one object. */
export interface NodeConfigInput extends OptionInputs<
  typeof OptionGroup.Node | typeof OptionGroup.Ha | typeof OptionGroup.Listen | typeof OptionGroup.Auth
> {
  tls?: Partial<TlsFiles>;
}

export const CONFIG_DEFAULTS = {
  cluster: optionDefault('cluster'),
  heartbeatMs: optionDefault('heartbeatMs'),
  electionTimeoutMs: optionDefault('electionTimeoutMs'),
  snapshotEntries: optionDefault('snapshotEntries'),
  quotaBytes: optionDefault('quotaBytes'),
  logLevel: optionDefault('logLevel'),
} as const;

const ID_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const KNOWN_KEYS: ReadonlySet<string> = new Set(CONFIG_KEYS);

/** Returns ALL problems at once ("field: what is wrong — how to fix it"); `config` only when there are none. */
export function validateNodeConfig(input: NodeConfigInput): { config?: NodeConfig; problems: string[] } {
  const problems: string[] = [];
  if (typeof input !== 'object' || input === null) {
    return { problems: ['config: not an object — pass an object with at least id, listen, dataDir'] };
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) problems.push(`${key}: unknown setting — remove it (known: ${[...KNOWN_KEYS].join(', ')})`);
  }
  const where = parsePlacement(input, problems);
  const raft = parseRaftSettings(input, problems);
  const tls = parseTls(input.tls, problems);
  const isHostPort = (field: string, s: string): boolean => addressProblem(field, s, true, problems);
  // TLS asked for but its files wrong: already a problem; do not add the plaintext one.
  const listeners = parseListenSettings(
    input,
    { listen: where.listenOk ? where.listen : undefined, tls: input.tls !== undefined },
    isHostPort,
    problems,
  );
  const auth = parseAuthSettings(input, isHostPort, problems);
  const ha = parseHaSettings(
    input,
    raft.ticks !== undefined ? { ...raft.ticks, electionTimeoutMs: raft.electionTimeoutMs! } : undefined,
    problems,
  );

  const { id, listen, dataDir, http, peers, join } = where;
  const { cluster, heartbeatMs, electionTimeoutMs, snapshotEntries, quotaBytes, logLevel, ticks } = raft;
  if (problems.length > 0 || id === undefined || listen === undefined || dataDir === undefined) return { problems };
  if (
    heartbeatMs === undefined ||
    electionTimeoutMs === undefined ||
    snapshotEntries === undefined ||
    quotaBytes === undefined ||
    ticks === undefined ||
    ha === undefined
  )
    return { problems };
  const config: NodeConfig = {
    id,
    listen,
    listeners,
    ...(http !== undefined ? { http } : {}),
    dataDir,
    ...(peers !== undefined ? { peers } : {}),
    ...(join !== undefined ? { join } : {}),
    cluster,
    heartbeatMs,
    electionTimeoutMs,
    ticks,
    snapshotEntries,
    quotaBytes,
    logLevel,
    ...(tls !== undefined ? { tls } : {}),
    auth,
    ha,
  };
  return { config, problems };
}

/** Who the node is, where it listens and keeps its data, and which cluster it founds or joins. */
function parsePlacement(input: NodeConfigInput, problems: string[]) {
  const id = requiredString(input.id, 'id', 'e.g. id: n1', problems);
  if (id !== undefined && !ID_RE.test(id)) {
    problems.push(
      `id: "${id}" is not a valid node id — use 1–63 characters: lowercase letters, digits, "-" or "_", starting with a letter or digit`,
    );
  }
  const listen = requiredString(input.listen, 'listen', 'e.g. listen: 127.0.0.1:7101', problems);
  const listenOk = listen !== undefined && addressProblem('listen', listen, true, problems);
  const http = optionalAddress(input.http, 'http', '127.0.0.1:8101', true, problems);
  const dataDir = requiredString(input.dataDir, 'dataDir', 'e.g. dataDir: ./data/n1', problems);

  const peers = parsePeers(input.peers, problems);
  if (peers !== undefined && id !== undefined && ID_RE.test(id) && !peers.has(id)) {
    problems.push(
      `peers: does not include this node "${id}" — add ${id}=<its host:port> (every founding member lists all of them, itself included)`,
    );
  }
  const join = optionalAddress(input.join, 'join', '127.0.0.1:7101', false, problems);
  if (peers !== undefined && join !== undefined) {
    problems.push('peers, join: both given — use peers to found a new cluster, or join to enter an existing one, not both');
  }
  return { id, listen, listenOk, http, dataDir, peers, join };
}

/** The cluster name, Raft timing and log settings; `ticks` only when the timing is sane. */
function parseRaftSettings(input: NodeConfigInput, problems: string[]) {
  let cluster: string = CONFIG_DEFAULTS.cluster;
  if (input.cluster !== undefined) {
    if (typeof input.cluster !== 'string' || !ID_RE.test(input.cluster)) {
      problems.push(
        `cluster: "${String(input.cluster)}" is not a valid cluster name — use 1–63 characters: lowercase letters, digits, "-" or "_"`,
      );
    } else cluster = input.cluster;
  }
  const heartbeatMs = wholeOption('heartbeatMs', input.heartbeatMs, problems);
  const electionTimeoutMs = wholeOption('electionTimeoutMs', input.electionTimeoutMs, problems);
  const timingSane = heartbeatMs !== undefined && electionTimeoutMs !== undefined && electionTimeoutMs >= 2 * heartbeatMs;
  if (heartbeatMs !== undefined && electionTimeoutMs !== undefined && !timingSane) {
    problems.push(
      `electionTimeoutMs: ${electionTimeoutMs} is less than twice heartbeatMs (${heartbeatMs}) — followers would start elections ` +
        `between heartbeats; raise electionTimeoutMs to at least ${2 * heartbeatMs} (5–10× heartbeatMs is usual)`,
    );
  }
  const snapshotEntries = wholeOption('snapshotEntries', input.snapshotEntries, problems);
  const quotaBytes = wholeOption('quotaBytes', input.quotaBytes, problems);

  let logLevel: LogLevel = CONFIG_DEFAULTS.logLevel;
  if (input.logLevel !== undefined) {
    if (!isChoice('logLevel', input.logLevel)) {
      problems.push(`logLevel: "${String(input.logLevel)}" is not a log level — use one of ${LOG_LEVELS.join(', ')}`);
    } else logLevel = input.logLevel;
  }
  // The one place the tick plan is worked out; the node and the HA timing rule use this one.
  const ticks = timingSane ? tickPlan({ heartbeatMs, electionTimeoutMs }) : undefined;
  return { cluster, heartbeatMs, electionTimeoutMs, snapshotEntries, quotaBytes, logLevel, ticks };
}

/** Tick length and the core's tick counts derived from the config's milliseconds. */
export function tickPlan(config: Pick<NodeConfig, 'heartbeatMs' | 'electionTimeoutMs'>): TickPlan {
  // 10 ms ticks keep timer overhead low; a faster heartbeat needs finer ticks.
  const tickMs = Math.max(1, Math.min(10, Math.floor(config.heartbeatMs / 2)));
  const heartbeatTick = Math.max(1, Math.round(config.heartbeatMs / tickMs));
  const electionTick = Math.max(heartbeatTick + 1, Math.round(config.electionTimeoutMs / tickMs));
  return { tickMs, heartbeatTick, electionTick };
}

function requiredString(v: unknown, field: string, example: string, problems: string[]): string | undefined {
  if (v === undefined || v === '') {
    problems.push(`${field}: missing — set it (${example})`);
    return undefined;
  }
  if (typeof v !== 'string') {
    problems.push(`${field}: must be a string — ${example}`);
    return undefined;
  }
  return v;
}

function optionalAddress(v: unknown, field: string, example: string, portZeroOk: boolean, problems: string[]): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') {
    problems.push(`${field}: must be a host:port string — e.g. ${field}: ${example}`);
    return undefined;
  }
  return addressProblem(field, v, portZeroOk, problems) ? v : undefined;
}

/** True when `s` is a usable host:port; pushes a problem otherwise. */
function addressProblem(field: string, s: string, portZeroOk: boolean, problems: string[]): boolean {
  const i = s.lastIndexOf(':');
  const host = i < 0 ? '' : s.slice(0, i);
  const portText = i < 0 ? '' : s.slice(i + 1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  const hostOk = host !== '' && !/\s/.test(host) && (!host.includes(':') || (host.startsWith('[') && host.endsWith(']')));
  const portOk = Number.isInteger(port) && port <= 65535 && (portZeroOk || port > 0);
  if (hostOk && portOk) return true;
  problems.push(`${field}: "${s}" is not host:port — e.g. 127.0.0.1:7101 (IPv6 as [::1]:7101)`);
  return false;
}

function parsePeers(v: NodeConfigInput['peers'], problems: string[]): Map<string, string> | undefined {
  if (v === undefined || v === '') return undefined;
  let pairs: [string, string][];
  if (typeof v === 'string') {
    pairs = [];
    for (const part of v.split(',').map((p) => p.trim())) {
      const eq = part.indexOf('=');
      if (part === '' || eq < 0) {
        problems.push(`peers: "${part}" is not id=host:port — write peers as n1=127.0.0.1:7101,n2=127.0.0.1:7102,...`);
        continue;
      }
      pairs.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
    }
  } else if (v instanceof Map) {
    pairs = [...(v as Map<unknown, unknown>)].map(([k, a]) => [String(k), typeof a === 'string' ? a : String(a)]);
  } else if (typeof v === 'object' && v !== null) {
    pairs = Object.entries(v as Record<string, unknown>).map(([k, a]) => [k, typeof a === 'string' ? a : String(a)]);
  } else {
    problems.push('peers: must be "id=host:port,..." or a map of id → host:port');
    return undefined;
  }
  const out = new Map<string, string>();
  const before = problems.length;
  for (const [pid, address] of pairs) {
    if (!ID_RE.test(pid)) problems.push(`peers: "${pid}" is not a valid node id — use lowercase letters, digits, "-" or "_"`);
    if (out.has(pid)) problems.push(`peers: node "${pid}" is listed twice — list each node once`);
    addressProblem(`peers.${pid}`, address, false, problems);
    out.set(pid, address);
  }
  const seen = new Map<string, string>();
  for (const [pid, address] of out) {
    const other = seen.get(address);
    if (other !== undefined) problems.push(`peers: "${other}" and "${pid}" share the address ${address} — give each node its own port`);
    seen.set(address, pid);
  }
  if (out.size === 0 && problems.length === before) problems.push('peers: empty — list every founding member as id=host:port');
  return out;
}

function parseTls(v: Partial<TlsFiles> | undefined, problems: string[]): TlsFiles | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null) {
    problems.push('tls: must be an object with certFile, keyFile and caFile (and optionally clientCaFile)');
    return undefined;
  }
  let clientCaFile: string | undefined;
  if (v.clientCaFile !== undefined) {
    if (typeof v.clientCaFile !== 'string' || v.clientCaFile === '') problems.push('tls.clientCaFile: must be the path of a PEM CA bundle');
    else if (!existsSync(v.clientCaFile)) problems.push(`tls.clientCaFile: file "${v.clientCaFile}" does not exist — check the path`);
    else clientCaFile = v.clientCaFile;
  }
  const files: Partial<Record<keyof TlsFiles, string>> = {};
  for (const k of ['certFile', 'keyFile', 'caFile'] as const) {
    const f = v[k];
    if (typeof f !== 'string' || f === '') {
      problems.push(`tls.${k}: missing — TLS needs certFile, keyFile and caFile (PEM files)`);
    } else if (!existsSync(f)) {
      problems.push(`tls.${k}: file "${f}" does not exist — check the path`);
    } else files[k] = f;
  }
  const { certFile, keyFile, caFile } = files;
  return certFile && keyFile && caFile ? { certFile, keyFile, caFile, ...(clientCaFile !== undefined ? { clientCaFile } : {}) } : undefined;
}
