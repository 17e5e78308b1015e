// The agent's settings, one table for both sources: the command-line flags and the YAML file
// (whose keys are the flag names without "--"). Values are checked here for shape only; the
// node's own validateNodeConfig checks meaning (addresses, ranges, peers containing the id, ...).

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

export interface AgentOptionSpec {
  /** Flag name without "--", and the YAML key. */
  readonly key: string;
  /** Property name in AgentSettings. */
  readonly prop: keyof AgentSettings;
  readonly kind: OptionKind;
  readonly placeholder: string;
  readonly help: string;
  /** A valid value, for "e.g." hints. */
  readonly example: string;
}

/** The agent's settings as given (file and flags merged); not validated beyond shape. */
export interface AgentSettings {
  id?: string;
  listen?: string;
  http?: string;
  dataDir?: string;
  peers?: string | Record<string, string>;
  join?: string;
  cluster?: string;
  heartbeatMs?: number;
  electionTimeoutMs?: number;
  snapshotEntries?: number;
  quotaBytes?: number;
  logLevel?: string;
  clientListen?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
  insecure?: boolean;
  /** Deprecated spellings of tlsCert / tlsKey / tlsCa (still accepted). */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsCaFile?: string;
  onPromote?: string;
  onDemote?: string;
  onFence?: string;
  hookTimeoutMs?: number;
  fencing?: string;
  vip?: string;
  vipInterface?: string;
  priority?: number;
  failback?: boolean;
  noActive?: boolean;
  maxClockDrift?: number;
  check?: string;
  checkIntervalMs?: number;
  checkTimeoutMs?: number;
  checkFall?: number;
  checkRise?: number;
  failoverCooldownMs?: number;
  onNoHealthyCandidate?: string;
  tokenAuthFile?: string;
  metricsListen?: string;
}

export const AGENT_OPTIONS: readonly AgentOptionSpec[] = [
  { key: 'id', prop: 'id', kind: OptionKind.String, placeholder: 'ID', help: 'this node\'s id, e.g. n1', example: 'n1' },
  { key: 'listen', prop: 'listen', kind: OptionKind.String, placeholder: 'HOST:PORT', help: 'gRPC address for peers (Raft); also for clients unless --client-listen', example: '127.0.0.1:7101' },
  {
    key: 'client-listen',
    prop: 'clientListen',
    kind: OptionKind.String,
    placeholder: 'HOST:PORT',
    help: 'gRPC address for clients (the CLI, applications); required with TLS (default without TLS: the --listen port)',
    example: '127.0.0.1:7201',
  },
  { key: 'http', prop: 'http', kind: OptionKind.String, placeholder: 'HOST:PORT', help: 'HTTP address for /health, /status, /metrics', example: '127.0.0.1:8101' },
  { key: 'data-dir', prop: 'dataDir', kind: OptionKind.String, placeholder: 'DIR', help: 'where the log, snapshots and identity live', example: './data/n1' },
  {
    key: 'peers',
    prop: 'peers',
    kind: OptionKind.Peers,
    placeholder: 'ID=HOST:PORT,...',
    help: 'initial members, including this node: bootstraps a NEW cluster',
    example: 'n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103',
  },
  { key: 'join', prop: 'join', kind: OptionKind.String, placeholder: 'HOST:PORT', help: 'a member to join through, after `palisade members add`', example: '127.0.0.1:7101' },
  { key: 'cluster', prop: 'cluster', kind: OptionKind.String, placeholder: 'NAME', help: 'cluster name (default "palisade")', example: 'palisade' },
  { key: 'heartbeat-ms', prop: 'heartbeatMs', kind: OptionKind.Int, placeholder: 'MS', help: 'leader heartbeat interval (default 50)', example: '50' },
  {
    key: 'election-timeout-ms',
    prop: 'electionTimeoutMs',
    kind: OptionKind.Int,
    placeholder: 'MS',
    help: 'minimum election timeout (default 300)',
    example: '300',
  },
  {
    key: 'snapshot-entries',
    prop: 'snapshotEntries',
    kind: OptionKind.Int,
    placeholder: 'N',
    help: 'compact the log after this many applied entries (default 10000)',
    example: '10000',
  },
  {
    key: 'quota-bytes',
    prop: 'quotaBytes',
    kind: OptionKind.Int,
    placeholder: 'BYTES',
    help: 'the key-value store\'s quota: writes that would grow it past this are refused (RESOURCE_EXHAUSTED); each key counts its key and value bytes plus 64 (default 268435456 = 256 MiB)',
    example: '268435456',
  },
  { key: 'log-level', prop: 'logLevel', kind: OptionKind.String, placeholder: 'LEVEL', help: 'debug, info, warn or error (default info)', example: 'info' },
  { key: 'tls-ca', prop: 'tlsCa', kind: OptionKind.String, placeholder: 'FILE', help: 'PEM CA bundle that members\' (and by default clients\') certificates chain to', example: './certs/ca.crt' },
  { key: 'tls-cert', prop: 'tlsCert', kind: OptionKind.String, placeholder: 'FILE', help: 'PEM certificate of this node, CN = its id, OU = node (enables TLS; reloaded on SIGHUP or when the file changes)', example: './certs/node-n1.crt' },
  { key: 'tls-key', prop: 'tlsKey', kind: OptionKind.String, placeholder: 'FILE', help: 'PEM private key of --tls-cert', example: './certs/node-n1.key' },
  { key: 'client-ca', prop: 'clientCa', kind: OptionKind.String, placeholder: 'FILE', help: 'PEM CA bundle for client certificates on the client port (default: --tls-ca)', example: './certs/clients-ca.crt' },
  {
    key: 'insecure',
    prop: 'insecure',
    kind: OptionKind.Bool,
    placeholder: '',
    help: 'allow plaintext gRPC on a non-loopback address: anyone who reaches the ports controls the cluster',
    example: 'true',
  },
  { key: 'tls-cert-file', prop: 'tlsCertFile', kind: OptionKind.String, placeholder: 'FILE', help: 'deprecated: use --tls-cert', example: './certs/node-n1.crt' },
  { key: 'tls-key-file', prop: 'tlsKeyFile', kind: OptionKind.String, placeholder: 'FILE', help: 'deprecated: use --tls-key', example: './certs/node-n1.key' },
  { key: 'tls-ca-file', prop: 'tlsCaFile', kind: OptionKind.String, placeholder: 'FILE', help: 'deprecated: use --tls-ca', example: './certs/ca.crt' },
  { key: 'on-promote', prop: 'onPromote', kind: OptionKind.String, placeholder: 'FILE', help: 'executable run when this node becomes active (PALISADE_* environment)', example: '/etc/palisade/promote' },
  { key: 'on-demote', prop: 'onDemote', kind: OptionKind.String, placeholder: 'FILE', help: 'executable run when this node stops being active (also at start-up and on SIGTERM)', example: '/etc/palisade/demote' },
  { key: 'on-fence', prop: 'onFence', kind: OptionKind.String, placeholder: 'FILE', help: 'executable that cuts a previous active off (PALISADE_TARGET); implies --fencing hook', example: '/etc/palisade/fence' },
  { key: 'hook-timeout-ms', prop: 'hookTimeoutMs', kind: OptionKind.Int, placeholder: 'MS', help: 'kill a hook\'s process group after this long (default 5000)', example: '5000' },
  {
    key: 'fencing',
    prop: 'fencing',
    kind: OptionKind.String,
    placeholder: 'MODE',
    help: 'hook (fence before promoting when the previous active did not confirm) or lease (lease expiry only; default without --on-fence)',
    example: 'hook',
  },
  { key: 'vip', prop: 'vip', kind: OptionKind.String, placeholder: 'ADDRESS/PREFIX', help: 'virtual IPv4 address the active node holds, e.g. 10.0.0.50/24', example: '10.0.0.50/24' },
  { key: 'vip-interface', prop: 'vipInterface', kind: OptionKind.String, placeholder: 'IFACE', help: 'interface to add the VIP to', example: 'eth0' },
  { key: 'priority', prop: 'priority', kind: OptionKind.Int, placeholder: 'N', help: 'preference for holding the role: higher wins, and campaigns first when the leader fails (default 0)', example: '10' },
  { key: 'failback', prop: 'failback', kind: OptionKind.Bool, placeholder: '', help: 'take the role back from a lower-priority active node once caught up', example: 'true' },
  { key: 'no-active', prop: 'noActive', kind: OptionKind.Bool, placeholder: '', help: 'a voter that never takes the role (a witness, e.g. a third site)', example: 'true' },
  { key: 'max-clock-drift', prop: 'maxClockDrift', kind: OptionKind.Number, placeholder: 'RATIO', help: 'bound on clock rate error used in the lease (default 0.01 = 1%)', example: '0.01' },
  {
    key: 'check',
    prop: 'check',
    kind: OptionKind.String,
    placeholder: 'FILE',
    help: 'executable that checks the service (exit 0 = healthy; PALISADE_ROLE=active|replica); an unhealthy active hands the role to a healthy node',
    example: '/etc/palisade/check',
  },
  { key: 'check-interval-ms', prop: 'checkIntervalMs', kind: OptionKind.Int, placeholder: 'MS', help: 'run the check this often (default 1000)', example: '1000' },
  { key: 'check-timeout-ms', prop: 'checkTimeoutMs', kind: OptionKind.Int, placeholder: 'MS', help: 'kill the check\'s process group after this long: a failure (default: the interval)', example: '1000' },
  { key: 'check-fall', prop: 'checkFall', kind: OptionKind.Int, placeholder: 'N', help: 'consecutive failures that make the node unhealthy (default 3)', example: '3' },
  { key: 'check-rise', prop: 'checkRise', kind: OptionKind.Int, placeholder: 'N', help: 'consecutive successes that make it healthy again (default 2)', example: '2' },
  {
    key: 'failover-cooldown-ms',
    prop: 'failoverCooldownMs',
    kind: OptionKind.Int,
    placeholder: 'MS',
    help: 'at most one automatic health failover per this long (default 30000)',
    example: '30000',
  },
  {
    key: 'on-no-healthy-candidate',
    prop: 'onNoHealthyCandidate',
    kind: OptionKind.String,
    placeholder: 'keep|demote',
    help: 'an unhealthy active with no healthy node to take over: keep the role (default; status says degraded) or demote',
    example: 'keep',
  },
  {
    key: 'token-auth-file',
    prop: 'tokenAuthFile',
    kind: OptionKind.String,
    placeholder: 'FILE',
    help: 'bearer tokens for clients without a certificate: lines "NAME ROLE TOKEN" (ROLE reader|operator|admin; TOKEN or sha256:HEX); reloaded when it changes',
    example: '/etc/palisade/tokens',
  },
  {
    key: 'metrics-listen',
    prop: 'metricsListen',
    kind: OptionKind.String,
    placeholder: 'HOST:PORT',
    help: 'serve /status and /metrics here instead of on --http (which keeps /primary, /replica, /health for load balancers)',
    example: '127.0.0.1:9101',
  },
];

const BY_KEY = new Map(AGENT_OPTIONS.map((o) => [o.key, o]));

export function optionSpec(key: string): AgentOptionSpec | undefined {
  return BY_KEY.get(key);
}

/** The closest known key, for "did you mean" hints (handles camelCase and snake_case spellings). */
export function closestKey(key: string): string | undefined {
  const kebab = key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/_/g, '-').toLowerCase();
  if (BY_KEY.has(kebab)) return kebab;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of BY_KEY.keys()) {
    const d = editDistance(kebab, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= Math.max(2, Math.floor(kebab.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * One raw value (a flag's string or a YAML scalar/map) → its typed form, or a problem saying
 * how to fix it. `where` prefixes the problem ("--heartbeat-ms" or "agent.yaml:3:14: heartbeat-ms").
 */
export function coerceOption(
  spec: AgentOptionSpec,
  raw: unknown,
  where: string,
): { value?: string | number | boolean | Record<string, string>; problem?: string } {
  switch (spec.kind) {
    case OptionKind.String:
      if (typeof raw === 'string') return raw === '' ? { problem: `${where}: is empty — give ${spec.placeholder}, e.g. ${spec.example}` } : { value: raw };
      if (typeof raw === 'number' && Number.isFinite(raw)) return { value: String(raw) };
      return { problem: `${where}: expected ${spec.placeholder}, got ${describe(raw)} — e.g. ${spec.example}` };
    case OptionKind.Int: {
      if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return { value: raw };
      if (typeof raw === 'string' && /^[0-9]+$/.test(raw.trim()) && Number.isSafeInteger(Number(raw))) return { value: Number(raw) };
      return { problem: `${where}: expected a whole number (${spec.placeholder}), got ${describe(raw)} — e.g. ${spec.example}` };
    }
    case OptionKind.Peers: {
      if (typeof raw === 'string') return { value: raw };
      if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
        const out: Record<string, string> = {};
        for (const [id, addr] of Object.entries(raw as Record<string, unknown>)) {
          if (typeof addr !== 'string' || addr === '') {
            return { problem: `${where}: peer "${id}" needs an address HOST:PORT, got ${describe(addr)}` };
          }
          out[id] = addr;
        }
        return { value: out };
      }
      if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return { value: (raw as string[]).join(',') };
      return { problem: `${where}: expected a map of ID: HOST:PORT or "ID=HOST:PORT,...", got ${describe(raw)}` };
    }
    case OptionKind.Bool:
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === 'false') return { value: raw === 'true' };
      return { problem: `${where}: expected true or false, got ${describe(raw)}` };
    case OptionKind.Number: {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
      if (Number.isFinite(n) && n >= 0) return { value: n };
      return { problem: `${where}: expected a number (${spec.placeholder}), got ${describe(raw)} — e.g. ${spec.example}` };
    }
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return `"${v}"`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${String(v)}`;
}
