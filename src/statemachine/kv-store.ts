// The configuration key-value store, with etcd's revision model: a global revision that
// grows by one for every applied mutation, and per key its create revision, last
// modification revision and version. Reads never change state; failed compare-and-sets
// and deletes of missing keys are not mutations (no new revision, no event).
import { KvEventType, KvHistory, DEFAULT_HISTORY_LIMITS } from './kv-history.js';
import type { HistoryLimits, KeyValue, KvEvent } from './kv-history.js';
import { compareKeys } from './key-order.js';

export interface PutResult {
  /** The store's revision after the put (= the key's new modRevision). */
  readonly revision: number;
}

export interface DeleteResult {
  /** The store's revision after the call (unchanged when nothing was deleted). */
  readonly revision: number;
  readonly deleted: boolean;
}

export interface CasResult {
  readonly succeeded: boolean;
  /** The store's revision after the call. */
  readonly revision: number;
  /** The key's modRevision after the call; 0 if it does not exist (tells a loser why). */
  readonly modRevision: number;
}

/**
 * Keys palisade itself keeps in the store (the HA profiles under `palisade/ha/nodes/`). The node
 * reads them on its own (the active node's failback check, every election-timeout redraw), so
 * they are also indexed apart: listing them never scans the operator's keys, however many.
 */
export const SYSTEM_PREFIX = 'palisade/';

/** Bookkeeping a key costs beyond its bytes (revisions, map entry), so many tiny keys also count. */
export const KEY_OVERHEAD_BYTES = 64;

/** What a key with this value counts for in the store's size (and the --quota-bytes quota). */
export function storedBytes(key: string, value: string): number {
  return KEY_OVERHEAD_BYTES + Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
}

export class KvStore {
  private readonly data = new Map<string, KeyValue>();
  /** Σ storedBytes over the live keys. */
  private bytesValue = 0;
  /** The subset of `data` under SYSTEM_PREFIX. */
  private readonly system = new Map<string, KeyValue>();
  private rev = 0;

  constructor(readonly history: KvHistory = new KvHistory(DEFAULT_HISTORY_LIMITS)) {}

  get revision(): number {
    return this.rev;
  }

  get size(): number {
    return this.data.size;
  }

  /** The live keys' size as storedBytes counts it (history not included: it has its own bound). */
  get bytes(): number {
    return this.bytesValue;
  }

  get(key: string): KeyValue | undefined {
    return this.data.get(key);
  }

  /** Every key, in no particular order (a copy: cheap, where list() sorts). */
  records(): KeyValue[] {
    return [...this.data.values()];
  }

  /** Keys starting with `prefix`, in UTF-8 byte order; at most `limit` of them. */
  list(prefix = '', limit = Infinity): KeyValue[] {
    const out: KeyValue[] = [];
    const source = prefix.startsWith(SYSTEM_PREFIX) ? this.system : this.data;
    for (const kv of source.values()) if (kv.key.startsWith(prefix)) out.push(kv);
    out.sort((a, b) => compareKeys(a.key, b.key));
    return out.length > limit ? out.slice(0, limit) : out;
  }

  put(key: string, value: string): PutResult {
    const revision = this.rev + 1;
    const prev = this.data.get(key);
    const kv: KeyValue = {
      key,
      value,
      createRevision: prev?.createRevision ?? revision,
      modRevision: revision,
      version: (prev?.version ?? 0) + 1,
    };
    this.data.set(key, kv);
    this.bytesValue += storedBytes(key, value) - (prev !== undefined ? storedBytes(key, prev.value) : 0);
    if (key.startsWith(SYSTEM_PREFIX)) this.system.set(key, kv);
    this.commit({ type: KvEventType.Put, revision, kv });
    return { revision };
  }

  delete(key: string): DeleteResult {
    const prev = this.data.get(key);
    if (prev === undefined) return { revision: this.rev, deleted: false };
    const revision = this.rev + 1;
    this.data.delete(key);
    this.bytesValue -= storedBytes(key, prev.value);
    this.system.delete(key);
    this.commit({ type: KvEventType.Delete, revision, key });
    return { revision, deleted: true };
  }

  /** Put only if the key's modRevision is `expectedRevision` (0: only if it does not exist). */
  cas(key: string, expectedRevision: number, value: string): CasResult {
    const current = this.data.get(key)?.modRevision ?? 0;
    if (current !== expectedRevision) return { succeeded: false, revision: this.rev, modRevision: current };
    const { revision } = this.put(key, value);
    return { succeeded: true, revision, modRevision: revision };
  }

  private commit(e: KvEvent): void {
    this.rev = e.revision;
    this.history.push(e);
  }

  /** For restore only: rebuild from a snapshot's parts (keys in any order). */
  static fromParts(revision: number, kvs: readonly KeyValue[], limits: HistoryLimits, events: readonly KvEvent[]): KvStore {
    const h = new KvHistory(limits, events.length > 0 ? events[0].revision - 1 : revision);
    for (const e of events) h.push(e);
    if (h.oldestRevision + h.length !== revision + 1) throw new Error(`kv history does not end at revision ${revision}`);
    const s = new KvStore(h);
    s.rev = revision;
    for (const kv of kvs) {
      s.data.set(kv.key, kv);
      s.bytesValue += storedBytes(kv.key, kv.value);
      if (kv.key.startsWith(SYSTEM_PREFIX)) s.system.set(kv.key, kv);
    }
    return s;
  }
}
