// Palisade's own /metrics, scraped before and after a phase: how many Readies, fsynced batches
// and how much Ready-loop time one put cost on each member. Only unlabelled samples are kept.

export const WATCHED = [
  'palisade_proposals_total',
  'palisade_applied_entries_total',
  'palisade_ready_total',
  'palisade_ready_loop_duration_seconds_sum',
  'palisade_ready_persist_duration_seconds_count',
  'palisade_ready_persist_duration_seconds_sum',
  'palisade_transport_received_total',
  'palisade_snapshots_taken_total',
] as const;

export type MetricsSnapshot = Readonly<Record<string, number>>;

export function parsePrometheus(text: string): MetricsSnapshot {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+) (\S+)$/.exec(line);
    if (m !== null) out[m[1]] = Number(m[2]);
  }
  return out;
}

export async function scrape(httpAddress: string): Promise<MetricsSnapshot> {
  const res = await fetch(`http://${httpAddress}/metrics`, { signal: AbortSignal.timeout(2000) });
  return parsePrometheus(await res.text());
}

/** Per-put costs on one member between two snapshots. */
export interface PerPut {
  readonly readiesPerPut: number;
  readonly persistsPerPut: number;
  readonly meanPersistMs: number;
  /** Share of the phase's wall time the Ready loop was busy (persist + send + apply + advance). */
  readonly readyLoopBusyPercent: number;
  readonly persistBusyPercent: number;
  /** Snapshots the member took during the phase (each encodes its whole image). */
  readonly snapshots: number;
}

export function perPut(before: MetricsSnapshot, after: MetricsSnapshot, puts: number, seconds: number): PerPut {
  const d = (k: (typeof WATCHED)[number]) => (after[k] ?? 0) - (before[k] ?? 0);
  const r = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
  const persists = d('palisade_ready_persist_duration_seconds_count');
  return {
    readiesPerPut: r(d('palisade_ready_total') / puts),
    persistsPerPut: r(persists / puts),
    meanPersistMs: r(persists > 0 ? (d('palisade_ready_persist_duration_seconds_sum') * 1000) / persists : 0, 3),
    readyLoopBusyPercent: r((d('palisade_ready_loop_duration_seconds_sum') / seconds) * 100, 1),
    persistBusyPercent: r((d('palisade_ready_persist_duration_seconds_sum') / seconds) * 100, 1),
    snapshots: d('palisade_snapshots_taken_total'),
  };
}

/** Peer messages a member has received and sent since it started (sent: summed over its peers). */
export interface PeerMessageCounts {
  readonly received: number;
  readonly sent: number;
}

export function peerMessageCounts(text: string): PeerMessageCounts {
  let received = 0;
  let sent = 0;
  for (const line of text.split('\n')) {
    const r = /^palisade_transport_received_total (\S+)$/.exec(line);
    if (r !== null) received = Number(r[1]);
    const s = /^palisade_transport_peer_sent_messages\{[^}]*\} (\S+)$/.exec(line);
    if (s !== null) sent += Number(s[1]);
  }
  return { received, sent };
}

export async function scrapePeerMessages(httpAddress: string): Promise<PeerMessageCounts> {
  const res = await fetch(`http://${httpAddress}/metrics`, { signal: AbortSignal.timeout(2000) });
  return peerMessageCounts(await res.text());
}
