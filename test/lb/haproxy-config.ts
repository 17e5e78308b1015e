// Reads the shipped cluster-examples/haproxy.cfg for the load-balancer tests: the check timings of
// each backend (for the timing rule) and its server lines, and renders a runnable copy in which
// only listed addresses and ports are replaced — so the file under test is the shipped one.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// Resolved here rather than taken from process-cluster.ts, so the failover benchmark can use this
// module without that one's signal handlers.
export const SHIPPED_HAPROXY_CFG = resolve(import.meta.dirname, '../../cluster-examples/haproxy.cfg');

export interface HaproxyServer {
  readonly name: string;
  /** host:port the traffic goes to. */
  readonly address: string;
  /** Where the health check goes: `addr` (default: the server's host) and `port`. */
  readonly checkHost: string;
  readonly checkPort: number;
}

/** The check settings of one backend, in milliseconds; unset fastinter/downinter fall back to inter, as in HAProxy. */
export interface BackendChecks {
  readonly name: string;
  readonly interMs: number;
  readonly fastinterMs: number;
  readonly downinterMs: number;
  readonly fall: number;
  readonly rise: number;
  /** `timeout check` (backend, else defaults); HAProxy uses inter when it is unset. */
  readonly timeoutCheckMs: number;
  readonly shutdownSessionsOnDown: boolean;
  readonly httpCheck: string | undefined;
  readonly servers: readonly HaproxyServer[];
}

interface Section {
  readonly kind: string;
  readonly name: string;
  readonly lines: readonly string[][];
}

function sections(text: string): Section[] {
  const out: { kind: string; name: string; lines: string[][] }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const words = line.split(/\s+/);
    if (['global', 'defaults', 'frontend', 'backend', 'listen'].includes(words[0]))
      out.push({ kind: words[0], name: words[1] ?? '', lines: [] });
    else if (out.length === 0) throw new Error(`haproxy config: "${line}" comes before any section`);
    else out[out.length - 1].lines.push(words);
  }
  return out;
}

/** HAProxy time: a number with an optional unit (us, ms, s, m, h, d); no unit means ms. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|h|d)?$/.exec(s);
  if (m === null) throw new Error(`haproxy config: "${s}" is not a time (e.g. 50ms, 2s)`);
  const unit = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
  return Number(m[1]) * unit;
}

/** Keyword arguments of a server or default-server line ("inter 50ms fall 2 ..."), with bare flags as "". */
function keywords(words: readonly string[]): Map<string, string> {
  const takesValue = new Set([
    'inter',
    'fastinter',
    'downinter',
    'fall',
    'rise',
    'addr',
    'port',
    'on-marked-down',
    'on-marked-up',
    'weight',
    'maxconn',
  ]);
  const out = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (takesValue.has(w)) {
      const v = words[++i];
      if (v === undefined) throw new Error(`haproxy config: "${w}" without a value in "${words.join(' ')}"`);
      out.set(w, v);
    } else out.set(w, '');
  }
  return out;
}

function count(map: Map<string, string>, key: string, fallback: number): number {
  const v = map.get(key);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`haproxy config: ${key} ${v} is not a positive whole number`);
  return n;
}

/** Every backend of the config with its check settings and servers. */
export function backendChecks(text: string): BackendChecks[] {
  const all = sections(text);
  const timeoutCheckOf = (s: Section | undefined): number | undefined => {
    const l = s?.lines.find((w) => w[0] === 'timeout' && w[1] === 'check');
    return l === undefined ? undefined : parseDuration(l[2]);
  };
  const defaults = all.find((s) => s.kind === 'defaults');
  const defaultServerOf = (s: Section | undefined) => keywords(s?.lines.find((w) => w[0] === 'default-server')?.slice(1) ?? []);
  return all
    .filter((s) => s.kind === 'backend')
    .map((b) => {
      const ds = new Map([...defaultServerOf(defaults), ...defaultServerOf(b)]);
      const interMs = parseDuration(ds.get('inter') ?? '2s');
      const servers = b.lines
        .filter((w) => w[0] === 'server')
        .map((w) => {
          const kw = new Map([...ds, ...keywords(w.slice(3))]);
          const address = w[2] ?? '';
          const host = address.slice(0, address.lastIndexOf(':'));
          const port = Number(kw.get('port') ?? address.slice(address.lastIndexOf(':') + 1));
          return { name: w[1] ?? '', address, checkHost: kw.get('addr') ?? host, checkPort: port };
        });
      const httpchk = b.lines.find((w) => w[0] === 'option' && w[1] === 'httpchk');
      return {
        name: b.name,
        interMs,
        fastinterMs: ds.has('fastinter') ? parseDuration(ds.get('fastinter')!) : interMs,
        downinterMs: ds.has('downinter') ? parseDuration(ds.get('downinter')!) : interMs,
        fall: count(ds, 'fall', 3),
        rise: count(ds, 'rise', 2),
        timeoutCheckMs: timeoutCheckOf(b) ?? timeoutCheckOf(defaults) ?? interMs,
        shutdownSessionsOnDown: ds.get('on-marked-down') === 'shutdown-sessions',
        httpCheck: httpchk?.slice(2).join(' '),
        servers,
      };
    });
}

export function readShippedConfig(): string {
  return readFileSync(SHIPPED_HAPROXY_CFG, 'utf8');
}

/**
 * Replaces each `from` with its `to` everywhere in the text, as a whole token (not inside a
 * longer word or number). Every `from` must occur: a substitution that no longer matches the
 * shipped file is an error, not a silent no-op.
 */
export function substitute(text: string, replacements: ReadonlyArray<readonly [from: string, to: string]>): string {
  let out = text;
  for (const [from, to] of replacements) {
    const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`(?<![\\w.:*])${escaped}(?![\\w.:])`, 'g');
    if (!re.test(out)) throw new Error(`"${from}" does not occur in the text to render (did the example change?)`);
    out = out.replace(re, to);
  }
  return out;
}
