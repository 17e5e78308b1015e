// What a serializable read promises (client ReadOptions.serializable: "answer from the node's
// applied state, without a ReadIndex round (may be stale)"), checked against the writes the
// clients saw acknowledged. Each read reports the store revision R it was served at and the
// key's value and modRevision m there. It must show the key as of some committed revision R:
// - a value some client wrote (invoked before the read returned); if that put was
//   acknowledged, at the revision its answer gave (m), and m ≤ R;
// - no acknowledged put of the key with a revision in (m, R] (the state at R would show it);
//   an absent key: none with a revision ≤ R;
// - served by one node within one process life, R never goes back: a later read (invoked after
//   an earlier one returned) has R at least as large (applied state only grows in a life; a
//   restart may come back to a lower commit index, so lives are compared only with themselves).
// Values must be unique per put (the process tests write `client.n`), and keys are never deleted.

export interface PutRecord {
  readonly key: string;
  readonly value: string;
  readonly call: number;
  /** Store revision of the acknowledgement; undefined: outcome unknown. */
  readonly revision: number | undefined;
}

export interface SerializableRead {
  readonly node: string;
  /** The node's process life (incremented by each restart). */
  readonly life: number;
  readonly key: string;
  readonly call: number;
  readonly ret: number;
  /** The store revision the read was served at. */
  readonly revision: number;
  readonly value: string | null;
  readonly modRevision: number;
}

/** Every broken promise, one line each (empty: all reads kept theirs). */
export function serializableViolations(puts: readonly PutRecord[], reads: readonly SerializableRead[]): string[] {
  const out: string[] = [];
  const byValue = new Map<string, PutRecord>();
  for (const p of puts) byValue.set(`${p.key}\u0000${p.value}`, p);
  const acked = puts.filter((p) => p.revision !== undefined);
  for (const r of reads) {
    const what = `serializable get ${r.key} on ${r.node} (life ${r.life}) = ${r.value ?? 'absent'} @m${r.modRevision}/R${r.revision}`;
    if (r.value !== null) {
      const w = byValue.get(`${r.key}\u0000${r.value}`);
      if (w === undefined || w.call > r.ret) {
        out.push(`${what}: no client wrote that value before the read returned`);
        continue;
      }
      if (w.revision !== undefined && w.revision !== r.modRevision) out.push(`${what}: the put was acknowledged at revision ${w.revision}`);
      if (r.modRevision > r.revision) out.push(`${what}: modRevision past the revision it was served at`);
    }
    const newer = acked.find((p) => p.key === r.key && p.revision! <= r.revision && (r.value === null || p.revision! > r.modRevision));
    if (newer !== undefined)
      out.push(`${what}: the put of ${newer.value} acknowledged at revision ${newer.revision} is missing from revision ${r.revision}`);
  }
  const byLife = new Map<string, SerializableRead[]>();
  for (const r of reads) {
    const k = `${r.node}#${r.life}`;
    byLife.set(k, [...(byLife.get(k) ?? []), r]);
  }
  for (const [life, rs] of byLife) {
    for (const a of rs) {
      const back = rs.find((b) => b.call > a.ret && b.revision < a.revision);
      if (back !== undefined) out.push(`${life}: a read at revision ${back.revision} invoked after one at revision ${a.revision} returned`);
    }
  }
  return out;
}
