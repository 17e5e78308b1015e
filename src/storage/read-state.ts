// Reads everything a restart needs back from the store and checks it before the core sees
// any of it: every record's checksum, entry keys against the indexes inside their values, a
// log without gaps starting right after the log-start record, and a commit index the log
// actually reaches (etcd panics on the same at restart: the log was truncated or lost).
import { EMPTY_HARD_STATE, EMPTY_SNAPSHOT, type Entry, type Snapshot } from '../raft/types.js';
import { CodecError, decodeEntry, decodeHardState, decodeLogStart, decodeSnapshotRecord, type LogStart } from './codec.js';
import { storeError, type DataDirPaths, type Store } from './data-dir.js';
import { CorruptEntryError, CorruptSnapshotFileError, CorruptStateError, StorageError } from './errors.js';
import { readSnapshotFile, SnapshotFileDamage } from './snapshot-files.js';
import { ENTRY_KEYS_FROM, ENTRY_KEYS_TO, HARD_STATE_KEY, LOG_START_KEY, SNAPSHOT_KEY, entryKeyIndex } from './keys.js';
import type { DurableState } from './log-cache.js';

function decodeRecord<T>(paths: DataDirPaths, record: string, decode: (b: Uint8Array) => T, buf: Uint8Array): T {
  try {
    return decode(buf);
  } catch (err) {
    if (err instanceof CodecError) throw new CorruptStateError(paths.dataDir, record, err.reason, err);
    throw err;
  }
}

/** Entries read from the store per call: one await per batch, not one per entry (a log can hold tens of thousands). */
const ENTRY_BATCH = 1000;

async function readEntries(db: Store, paths: DataDirPaths, start: LogStart): Promise<Entry[]> {
  const entries: Entry[] = [];
  const it = db.iterator({ gte: ENTRY_KEYS_FROM, lt: ENTRY_KEYS_TO });
  try {
    for (let batch = await it.nextv(ENTRY_BATCH); batch.length > 0; batch = await it.nextv(ENTRY_BATCH)) {
      for (const [key, value] of batch) entries.push(checkedEntry(paths, key, value, start.index + 1 + entries.length, start));
    }
  } finally {
    await it.close();
  }
  return entries;
}

/** The entry stored under `key`, which must be the `expected` index of the log. */
function checkedEntry(paths: DataDirPaths, key: Uint8Array, value: Uint8Array, expected: number, start: LogStart): Entry {
  const index = entryKeyIndex(key);
  if (index === undefined) {
    throw new CorruptStateError(paths.dataDir, 'Raft log', `malformed entry key ${Buffer.from(key).toString('hex')}`);
  }
  let e: Entry;
  try {
    e = decodeEntry(value);
  } catch (err) {
    if (err instanceof CodecError) throw new CorruptEntryError(paths.dataDir, index, err.reason, err);
    throw err;
  }
  if (e.index !== index) throw new CorruptEntryError(paths.dataDir, index, `the value holds entry ${e.index}`);
  if (index < expected) {
    throw new CorruptStateError(paths.dataDir, 'Raft log', `entry ${index} is stored, but the log starts after entry ${start.index}`);
  }
  if (index > expected) {
    throw new CorruptStateError(paths.dataDir, 'Raft log', `entries ${expected}..${index - 1} are missing`);
  }
  return e;
}

/** The snapshot the record describes, its image read from its file (or, version 1, from the record). */
async function readSnapshot(
  paths: DataDirPaths,
  record: Uint8Array | undefined,
): Promise<{ snapshot: Snapshot; file: string | undefined }> {
  if (record === undefined) return { snapshot: EMPTY_SNAPSHOT, file: undefined };
  const stored = decodeRecord(paths, 'snapshot', decodeSnapshotRecord, record);
  if (stored.kind === 'inline') return { snapshot: stored.snapshot, file: undefined };
  const { metadata, file } = stored;
  if (file === undefined) return { snapshot: { metadata, data: new Uint8Array(0) }, file: undefined };
  try {
    return { snapshot: { metadata, data: await readSnapshotFile(paths.snapDir, file, metadata) }, file: file.name };
  } catch (err) {
    if (err instanceof SnapshotFileDamage) throw new CorruptSnapshotFileError(paths.dataDir, err.file, err.reason, err);
    throw err;
  }
}

export async function readDurableState(db: Store, paths: DataDirPaths): Promise<DurableState> {
  try {
    const [hs, snap, ls] = await db.getMany([HARD_STATE_KEY, SNAPSHOT_KEY, LOG_START_KEY]);
    const hardState = hs === undefined ? EMPTY_HARD_STATE : decodeRecord(paths, 'hard state', decodeHardState, hs);
    const { snapshot, file: snapshotFile } = await readSnapshot(paths, snap);
    // Written on every compaction and snapshot install; absent means nothing was ever compacted.
    const logStart = ls === undefined ? { index: 0, term: 0 } : decodeRecord(paths, 'log start record', decodeLogStart, ls);
    const entries = await readEntries(db, paths, logStart);
    const lastIndex = logStart.index + entries.length;
    if (hardState.commit > lastIndex) {
      throw new CorruptStateError(
        paths.dataDir,
        'hard state',
        `the commit index ${hardState.commit} is beyond the last log entry ${lastIndex}: committed entries were lost`,
      );
    }
    return { hardState, snapshot, snapshotFile, logStart, entries };
  } catch (err) {
    if (err instanceof StorageError || !isLevelError(err)) throw err;
    throw storeError(err, paths);
  }
}

function isLevelError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('LEVEL_');
}
