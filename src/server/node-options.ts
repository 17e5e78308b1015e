// The node's options, one table (issue 13). Each row is one option under its config name (the
// embedder's `startNode({ hookTimeoutMs })`): its flag and YAML key, kind, range, default, help
// text and group. The agent's flags, YAML keys and --help, the config input types and the range
// checks of validation are derived from it, so an option is spelled once. What an option means
// (addresses, peers, hook files, the timing rule) is checked by the group's parser.
import type { CheckFunction } from '../ha/health-check.js';
import { FencingMode, OnNoHealthyCandidate } from '../ha/types.js';

export const OptionKind = {
  /** Free text (numbers in YAML are accepted and turned into text). */
  String: 'string',
  /** A whole number ≥ 0. */
  Int: 'int',
  /** "n1=host:port,n2=host:port", or in YAML a map {n1: host:port, ...}. */
  Peers: 'peers',
  /** A switch: a flag without a value; in YAML true or false. */
  Bool: 'bool',
  /** A decimal number ≥ 0 (e.g. a drift bound 0.01). */
  Number: 'number',
} as const;
export type OptionKind = (typeof OptionKind)[keyof typeof OptionKind];

/** Which part of the node config validates the option (and the order of the known keys). */
export const OptionGroup = {
  Node: 'node',
  /** The agent's TLS file flags; an embedder gives them as one `tls` object. */
  Tls: 'tls',
  Ha: 'ha',
  Listen: 'listen',
  Auth: 'auth',
} as const;
export type OptionGroup = (typeof OptionGroup)[keyof typeof OptionGroup];

/** The fields of the embedder's `tls` object, in its order. */
export const TLS_FIELDS = ['certFile', 'keyFile', 'caFile', 'clientCaFile'] as const;
export type TlsField = (typeof TLS_FIELDS)[number];

export interface OptionSpec {
  /** The flag without "--", and the YAML key. */
  readonly flag: string;
  readonly kind: OptionKind;
  readonly group: OptionGroup;
  /** The value's name in --help and in problems ("MS", "HOST:PORT"). */
  readonly placeholder: string;
  readonly help: string;
  /** A valid value, for "e.g." hints. */
  readonly example: string;
  /** Whole numbers: the accepted range, inclusive. */
  readonly min?: number;
  readonly max?: number;
  readonly default?: number | string;
  /** Text options with a fixed set of values. */
  readonly choices?: readonly string[];
  /** How --help shows the default; false when the help text already says it. Absent: `default` as is. */
  readonly helpDefault?: string | false;
  /** TLS flags: the field of the embedder's `tls` object they fill. */
  readonly tlsField?: TlsField;
  /** An old spelling, still accepted: the option of the same `tlsField` without this mark is its new name. */
  readonly deprecated?: true;
  /** An embedding program may pass a function instead of an executable's path. */
  readonly acceptsFunction?: true;
}

const MS = 'MS';
const HOUR_MS = 3_600_000;
const HOOK_TEXT = { kind: OptionKind.String, group: OptionGroup.Ha, placeholder: 'FILE' } as const;
const WHOLE = { kind: OptionKind.Int, placeholder: MS } as const;

/** Every option, in the order of --help and of the YAML keys listed in problems; one option a line, to read as a table. */
// prettier-ignore
export const NODE_OPTIONS = {
  id: { flag: 'id', kind: OptionKind.String, group: OptionGroup.Node, placeholder: 'ID', help: "this node's id, e.g. n1", example: 'n1' },
  listen: { flag: 'listen', kind: OptionKind.String, group: OptionGroup.Node, placeholder: 'HOST:PORT', help: 'gRPC address for peers (Raft); also for clients unless --client-listen', example: '127.0.0.1:7101' },
  clientListen: { flag: 'client-listen', kind: OptionKind.String, group: OptionGroup.Listen, placeholder: 'HOST:PORT', help: 'gRPC address for clients (the CLI, applications); required with TLS (default without TLS: the --listen port)', example: '127.0.0.1:7201' },
  http: { flag: 'http', kind: OptionKind.String, group: OptionGroup.Node, placeholder: 'HOST:PORT', help: 'HTTP address for /health, /status, /metrics', example: '127.0.0.1:8101' },
  dataDir: { flag: 'data-dir', kind: OptionKind.String, group: OptionGroup.Node, placeholder: 'DIR', help: 'where the log, snapshots and identity live', example: './data/n1' },
  peers: { flag: 'peers', kind: OptionKind.Peers, group: OptionGroup.Node, placeholder: 'ID=HOST:PORT,...', help: 'initial members, including this node: bootstraps a NEW cluster', example: 'n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103' },
  join: { flag: 'join', kind: OptionKind.String, group: OptionGroup.Node, placeholder: 'HOST:PORT', help: 'a member to join through, after `palisade members add`', example: '127.0.0.1:7101' },
  cluster: { flag: 'cluster', kind: OptionKind.String, group: OptionGroup.Node, placeholder: 'NAME', help: 'cluster name', example: 'palisade', default: 'palisade', helpDefault: '"palisade"' },
  heartbeatMs: { flag: 'heartbeat-ms', ...WHOLE, group: OptionGroup.Node, help: 'leader heartbeat interval', example: '50', min: 1, max: 10_000, default: 50 },
  electionTimeoutMs: { flag: 'election-timeout-ms', ...WHOLE, group: OptionGroup.Node, help: 'minimum election timeout', example: '300', min: 10, max: 60_000, default: 300 },
  snapshotEntries: { flag: 'snapshot-entries', ...WHOLE, placeholder: 'N', group: OptionGroup.Node, help: 'compact the log after at least this many applied entries', example: '10000', min: 1, max: 100_000_000, default: 10_000 },
  quotaBytes: { flag: 'quota-bytes', ...WHOLE, placeholder: 'BYTES', group: OptionGroup.Node, help: "the key-value store's quota: writes that would grow it past this are refused (RESOURCE_EXHAUSTED); each key counts its key and value bytes plus 64", example: '268435456', min: 4096, max: 64 * 1024 ** 3, default: 256 * 1024 * 1024, helpDefault: '268435456 = 256 MiB' },
  logLevel: { flag: 'log-level', kind: OptionKind.String, group: OptionGroup.Node, placeholder: 'LEVEL', help: 'debug, info, warn or error', example: 'info', default: 'info', choices: ['debug', 'info', 'warn', 'error'] },
  tlsCa: { flag: 'tls-ca', kind: OptionKind.String, group: OptionGroup.Tls, placeholder: 'FILE', help: "PEM CA bundle that members' (and by default clients') certificates chain to", example: './certs/ca.crt', tlsField: 'caFile' },
  tlsCert: { flag: 'tls-cert', kind: OptionKind.String, group: OptionGroup.Tls, placeholder: 'FILE', help: 'PEM certificate of this node, CN = its id, OU = node (enables TLS; reloaded on SIGHUP or when the file changes)', example: './certs/node-n1.crt', tlsField: 'certFile' },
  tlsKey: { flag: 'tls-key', kind: OptionKind.String, group: OptionGroup.Tls, placeholder: 'FILE', help: 'PEM private key of --tls-cert', example: './certs/node-n1.key', tlsField: 'keyFile' },
  clientCa: { flag: 'client-ca', kind: OptionKind.String, group: OptionGroup.Tls, placeholder: 'FILE', help: 'PEM CA bundle for client certificates on the client port (default: --tls-ca)', example: './certs/clients-ca.crt', tlsField: 'clientCaFile' },
  insecure: { flag: 'insecure', kind: OptionKind.Bool, group: OptionGroup.Listen, placeholder: '', help: 'allow plaintext gRPC on a non-loopback address: anyone who reaches the ports controls the cluster', example: 'true' },
  // The old names of --tls-cert, --tls-key and --tls-ca, still accepted (the agent refuses both spellings with different files).
  tlsCertFile: { flag: 'tls-cert-file', kind: OptionKind.String, group: OptionGroup.Tls, placeholder: 'FILE', help: 'deprecated: use --tls-cert', example: './certs/node-n1.crt', tlsField: 'certFile', deprecated: true },
  tlsKeyFile: { flag: 'tls-key-file', kind: OptionKind.String, group: OptionGroup.Tls, placeholder: 'FILE', help: 'deprecated: use --tls-key', example: './certs/node-n1.key', tlsField: 'keyFile', deprecated: true },
  tlsCaFile: { flag: 'tls-ca-file', kind: OptionKind.String, group: OptionGroup.Tls, placeholder: 'FILE', help: 'deprecated: use --tls-ca', example: './certs/ca.crt', tlsField: 'caFile', deprecated: true },
  onPromote: { flag: 'on-promote', ...HOOK_TEXT, help: 'executable run when this node becomes active (PALISADE_* environment)', example: '/etc/palisade/promote' },
  onDemote: { flag: 'on-demote', ...HOOK_TEXT, help: 'executable run when this node stops being active (also at start-up and on SIGTERM)', example: '/etc/palisade/demote' },
  onFence: { flag: 'on-fence', ...HOOK_TEXT, help: 'executable that cuts a previous active off (PALISADE_TARGET); implies --fencing hook', example: '/etc/palisade/fence' },
  hookTimeoutMs: { flag: 'hook-timeout-ms', ...WHOLE, group: OptionGroup.Ha, help: "kill a hook's process group after this long", example: '5000', min: 1, max: HOUR_MS, default: 5000 },
  fencing: { flag: 'fencing', kind: OptionKind.String, group: OptionGroup.Ha, placeholder: 'MODE', help: 'hook (fence before promoting when the previous active did not confirm) or lease (lease expiry only; default without --on-fence)', example: 'hook', choices: [FencingMode.Hook, FencingMode.Lease] },
  vip: { flag: 'vip', kind: OptionKind.String, group: OptionGroup.Ha, placeholder: 'ADDRESS/PREFIX', help: 'virtual IPv4 address the active node holds, e.g. 10.0.0.50/24', example: '10.0.0.50/24' },
  vipInterface: { flag: 'vip-interface', kind: OptionKind.String, group: OptionGroup.Ha, placeholder: 'IFACE', help: 'interface to add the VIP to', example: 'eth0' },
  priority: { flag: 'priority', ...WHOLE, placeholder: 'N', group: OptionGroup.Ha, help: 'preference for holding the role: higher wins, and campaigns first when the leader fails', example: '10', min: 0, max: 1_000_000, default: 0 },
  failback: { flag: 'failback', kind: OptionKind.Bool, group: OptionGroup.Ha, placeholder: '', help: 'take the role back from a lower-priority active node once caught up', example: 'true' },
  noActive: { flag: 'no-active', kind: OptionKind.Bool, group: OptionGroup.Ha, placeholder: '', help: 'a voter that never takes the role (a witness, e.g. a third site)', example: 'true' },
  maxClockDrift: { flag: 'max-clock-drift', kind: OptionKind.Number, group: OptionGroup.Ha, placeholder: 'RATIO', help: 'bound on clock rate error used in the lease', example: '0.01', default: 0.01, helpDefault: '0.01 = 1%' },
  check: { ...HOOK_TEXT, flag: 'check', help: 'executable that checks the service (exit 0 = healthy; PALISADE_ROLE=active|replica); an unhealthy active hands the role to a healthy node', example: '/etc/palisade/check', acceptsFunction: true },
  checkIntervalMs: { flag: 'check-interval-ms', ...WHOLE, group: OptionGroup.Ha, help: 'run the check this often', example: '1000', min: 10, max: HOUR_MS, default: 1000 },
  // No default of its own: the interval.
  checkTimeoutMs: { flag: 'check-timeout-ms', ...WHOLE, group: OptionGroup.Ha, help: "kill the check's process group after this long: a failure (default: the interval)", example: '1000', min: 1, max: HOUR_MS },
  // In keepalived's spirit (track_script fall/rise).
  checkFall: { flag: 'check-fall', ...WHOLE, placeholder: 'N', group: OptionGroup.Ha, help: 'consecutive failures that make the node unhealthy', example: '3', min: 1, max: 1000, default: 3 },
  checkRise: { flag: 'check-rise', ...WHOLE, placeholder: 'N', group: OptionGroup.Ha, help: 'consecutive successes that make it healthy again', example: '2', min: 1, max: 1000, default: 2 },
  failoverCooldownMs: { flag: 'failover-cooldown-ms', ...WHOLE, group: OptionGroup.Ha, help: 'at most one automatic health failover per this long', example: '30000', min: 0, max: 86_400_000, default: 30_000 },
  onNoHealthyCandidate: { flag: 'on-no-healthy-candidate', kind: OptionKind.String, group: OptionGroup.Ha, placeholder: 'keep|demote', help: 'an unhealthy active with no healthy node to take over: keep the role (default; status says degraded) or demote', example: 'keep', default: OnNoHealthyCandidate.Keep, helpDefault: false, choices: [OnNoHealthyCandidate.Keep, OnNoHealthyCandidate.Demote] },
  tokenAuthFile: { flag: 'token-auth-file', kind: OptionKind.String, group: OptionGroup.Auth, placeholder: 'FILE', help: 'bearer tokens for clients without a certificate: lines "NAME ROLE TOKEN" (ROLE reader|operator|admin; TOKEN or sha256:HEX); reloaded when it changes', example: '/etc/palisade/tokens' },
  metricsListen: { flag: 'metrics-listen', kind: OptionKind.String, group: OptionGroup.Auth, placeholder: 'HOST:PORT', help: 'serve /status and /metrics here instead of on --http (which keeps /primary, /replica, /health for load balancers)', example: '127.0.0.1:9101' },
} as const satisfies Record<string, OptionSpec>;

type Options = typeof NODE_OPTIONS;
export type OptionName = keyof Options;
/** The options that take a whole number (they have a range). */
export type WholeOptionName = { [K in OptionName]: Options[K]['kind'] extends typeof OptionKind.Int ? K : never }[OptionName];

/** What an embedder (or the agent, as text) may give for an option of this kind. */
type InputOf<S extends OptionSpec> = S extends { acceptsFunction: true }
  ? string | CheckFunction
  : S['kind'] extends typeof OptionKind.Int | typeof OptionKind.Number
    ? number | string
    : S['kind'] extends typeof OptionKind.Bool
      ? boolean | string
      : S['kind'] extends typeof OptionKind.Peers
        ? string | ReadonlyMap<string, string> | Readonly<Record<string, string>>
        : string;

/** The options of some groups as the config's input fields (all optional). */
export type OptionInputs<G extends OptionGroup> = {
  -readonly [K in OptionName as Options[K]['group'] extends G ? K : never]?: InputOf<Options[K]>;
};

/** An option's value once its shape is checked (the agent's flags and YAML). */
export type OptionValue<K extends OptionName> = Options[K]['kind'] extends typeof OptionKind.Int | typeof OptionKind.Number
  ? number
  : Options[K]['kind'] extends typeof OptionKind.Bool
    ? boolean
    : Options[K]['kind'] extends typeof OptionKind.Peers
      ? string | Record<string, string>
      : string;

/** The config input's field names, grouped: the node's, then `tls`, then the HA, listener and auth options. */
export const CONFIG_KEYS: readonly string[] = [
  ...namesOf(OptionGroup.Node),
  'tls',
  ...namesOf(OptionGroup.Ha),
  ...namesOf(OptionGroup.Listen),
  ...namesOf(OptionGroup.Auth),
];

function namesOf(group: OptionGroup): OptionName[] {
  return (Object.keys(NODE_OPTIONS) as OptionName[]).filter((name) => NODE_OPTIONS[name].group === group);
}

/** Whether `v` is one of the option's values. */
export function isChoice<K extends OptionName>(name: K, v: unknown): v is Options[K] extends { choices: readonly (infer C)[] } ? C : never {
  const choices: readonly string[] = (NODE_OPTIONS[name] as OptionSpec).choices ?? [];
  return typeof v === 'string' && choices.includes(v);
}

/** The default of an option that has one, typed. */
export function optionDefault<K extends OptionName>(name: K): Options[K] extends { default: infer D } ? D : never {
  return (NODE_OPTIONS[name] as OptionSpec).default as Options[K] extends { default: infer D } ? D : never;
}

/** The help text as --help shows it: the default appended unless the text says it. */
export function optionHelp(spec: OptionSpec): string {
  const shown = spec.helpDefault ?? (spec.default !== undefined ? String(spec.default) : false);
  return shown === false ? spec.help : `${spec.help} (default ${shown})`;
}

/**
 * The one check of a whole-number option: absent or empty → `dflt` (the option's default unless
 * given), else a safe integer in the option's range, as a number or its decimal text.
 */
export function wholeOption(name: WholeOptionName, v: unknown, problems: string[], dflt?: number): number | undefined {
  const spec: OptionSpec = NODE_OPTIONS[name];
  const fallback = dflt ?? (spec.default as number);
  const min = spec.min!;
  const max = spec.max!;
  if (v === undefined || v === '') return fallback;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) {
    problems.push(`${name}: ${JSON.stringify(v)} is not a whole number from ${min} to ${max} — e.g. ${name}: ${fallback}`);
    return undefined;
  }
  return n;
}
