// The agent's settings from both sources, the command-line flags and the YAML file (whose keys
// are the flag names without "--"), as the node's option table defines them. Values are checked
// here for shape only; the node's own validateNodeConfig checks meaning (addresses, ranges, peers
// containing the id, ...).
import {
  NODE_OPTIONS,
  OptionKind,
  TLS_FIELDS,
  optionHelp,
  type OptionName,
  type OptionSpec,
  type OptionValue,
  type TlsField,
} from '../server/node-options.js';

export { OptionKind, TLS_FIELDS, type TlsField };

export interface AgentOptionSpec {
  /** Flag name without "--", and the YAML key. */
  readonly key: string;
  /** Property name in AgentSettings (the node config's name). */
  readonly prop: OptionName;
  readonly kind: OptionKind;
  readonly placeholder: string;
  /** As --help shows it (with the default). */
  readonly help: string;
  /** A valid value, for "e.g." hints. */
  readonly example: string;
  /** TLS files: the field of the node config's `tls` object. */
  readonly tlsField?: TlsField;
  /** An old name of the option with the same `tlsField`. */
  readonly deprecated?: true;
}

/** The agent's settings as given (file and flags merged); not validated beyond shape. */
export type AgentSettings = { [K in OptionName]?: OptionValue<K> };

/** The node's option table (server/node-options.ts) as the agent's flags and YAML keys, in its order. */
export const AGENT_OPTIONS: readonly AgentOptionSpec[] = (Object.keys(NODE_OPTIONS) as OptionName[]).map((prop) => {
  const spec: OptionSpec = NODE_OPTIONS[prop];
  const { flag: key, kind, placeholder, example, tlsField, deprecated } = spec;
  return {
    key,
    prop,
    kind,
    placeholder,
    help: optionHelp(spec),
    example,
    ...(tlsField !== undefined ? { tlsField } : {}),
    ...(deprecated ? { deprecated } : {}),
  };
});

const BY_KEY = new Map(AGENT_OPTIONS.map((o) => [o.key, o]));

export function optionSpec(key: string): AgentOptionSpec | undefined {
  return BY_KEY.get(key);
}

/** The closest known key, for "did you mean" hints (handles camelCase and snake_case spellings). */
export function closestKey(key: string): string | undefined {
  const kebab = key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase();
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
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
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
      if (typeof raw === 'string')
        return raw === '' ? { problem: `${where}: is empty — give ${spec.placeholder}, e.g. ${spec.example}` } : { value: raw };
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
      if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return { value: raw.join(',') };
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
