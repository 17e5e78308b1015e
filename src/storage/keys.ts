// The key layout of the LevelDB store. One leading tag byte per record kind; entry keys add the
// index as a big-endian u64, so LevelDB's bytewise order is log order and a range scan over
// [entryKey(lo), entryKey(hi)) reads exactly the entries lo..hi-1.

export const KeyTag = {
  /** Cluster id, node id and format version of this data dir. */
  Identity: 0x01,
  /** Term, vote, commit. */
  HardState: 0x02,
  /** The newest snapshot (metadata and state-machine image). */
  Snapshot: 0x03,
  /** Index and term of the last compacted entry: term(firstIndex-1) must survive a restart. */
  LogStart: 0x04,
  /** Log entries: tag + big-endian u64 index. */
  Entry: 0x10,
} as const;
export type KeyTag = (typeof KeyTag)[keyof typeof KeyTag];

export const IDENTITY_KEY = Uint8Array.of(KeyTag.Identity);
export const HARD_STATE_KEY = Uint8Array.of(KeyTag.HardState);
export const SNAPSHOT_KEY = Uint8Array.of(KeyTag.Snapshot);
export const LOG_START_KEY = Uint8Array.of(KeyTag.LogStart);

const ENTRY_KEY_LENGTH = 9;

/** Bounds of a range scan over every entry key. */
export const ENTRY_KEYS_FROM = Uint8Array.of(KeyTag.Entry);
export const ENTRY_KEYS_TO = Uint8Array.of(KeyTag.Entry + 1);

export function entryKey(index: number): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`invalid log index ${index}`);
  const key = new Uint8Array(ENTRY_KEY_LENGTH);
  key[0] = KeyTag.Entry;
  // Big-endian, as setBigUint64 would write it, without a BigInt or a DataView per key (one per
  // stored entry). A Uint8Array keeps the low 8 bits of what is assigned.
  const hi = Math.floor(index / 0x1_0000_0000);
  const lo = index >>> 0;
  key[1] = hi >>> 24;
  key[2] = hi >>> 16;
  key[3] = hi >>> 8;
  key[4] = hi;
  key[5] = lo >>> 24;
  key[6] = lo >>> 16;
  key[7] = lo >>> 8;
  key[8] = lo;
  return key;
}

/** The index in an entry key, or undefined when `key` is not a well-formed entry key. */
export function entryKeyIndex(key: Uint8Array): number | undefined {
  if (key.length !== ENTRY_KEY_LENGTH || key[0] !== KeyTag.Entry) return undefined;
  const index = new DataView(key.buffer, key.byteOffset, key.byteLength).getBigUint64(1);
  return index <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(index) : undefined;
}
