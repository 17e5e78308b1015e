// The data dir: where the LevelDB store lives, who may use it, and which cluster and node it
// belongs to. LevelDB's own LOCK file (an fcntl lock, also tracked per process) is the data
// dir lock, so a second agent on the same dir fails at open, in this process or another one.
import { chmod, mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Level } from 'level';
import { CodecError, decodeIdentity, encodeIdentity, type Identity } from './codec.js';
import {
  CorruptStateError,
  CorruptStoreError,
  DataDirLockedError,
  ForeignClusterError,
  ForeignNodeError,
  StorageOpenError,
} from './errors.js';
import { IDENTITY_KEY } from './keys.js';

export type Store = Level<Uint8Array, Uint8Array>;

export interface DataDirPaths {
  /** Absolute, so that messages name it unambiguously. */
  readonly dataDir: string;
  /** The LevelDB directory inside the data dir. */
  readonly storeDir: string;
  readonly lockFile: string;
  /** Snapshot image files (snapshot-files.ts). */
  readonly snapDir: string;
}

export function dataDirPaths(dataDir: string): DataDirPaths {
  const abs = resolve(dataDir);
  const storeDir = join(abs, 'raft');
  return { dataDir: abs, storeDir, lockFile: join(storeDir, 'LOCK'), snapDir: join(abs, 'snap') };
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The most specific file a LevelDB error message names, or the store dir. */
function fileNamedIn(message: string, storeDir: string): string {
  const m = /[^\s:]*\/?(?:\d{6}\.(?:ldb|log|sst)|MANIFEST-\d+|CURRENT)\b/.exec(message);
  if (m === null) return storeDir;
  return m[0].startsWith('/') ? m[0] : join(storeDir, m[0].replace(/^.*\//, ''));
}

/**
 * Maps an error LevelDB raised (at open or on a read) to ours. classic-level wraps open
 * failures in LEVEL_DATABASE_NOT_OPEN with the real reason as `cause`.
 */
export function storeError(err: unknown, paths: DataDirPaths): Error {
  const inner = errorCode(err) === 'LEVEL_DATABASE_NOT_OPEN' && (err as Error).cause !== undefined ? (err as Error).cause : err;
  const message = errorMessage(inner);
  switch (errorCode(inner)) {
    case 'LEVEL_LOCKED':
      return new DataDirLockedError(paths.dataDir, paths.lockFile, err);
    case 'LEVEL_CORRUPTION':
      return new CorruptStoreError(paths.dataDir, fileNamedIn(message, paths.storeDir), message, err);
    case 'LEVEL_IO_ERROR': {
      // A read past the end of a mapped table file reports EINVAL: the file is shorter than
      // the MANIFEST says, i.e. truncated. Other I/O failures on a named data file (EIO) are
      // damage too; only the operator-fixable ones (permissions, space, fd limits) are not.
      const file = fileNamedIn(message, paths.storeDir);
      if (file !== paths.storeDir && !/Permission denied|No space left|Too many open files/.test(message)) {
        const detail = message.includes('Invalid argument') ? `${message} (the file is truncated)` : message;
        return new CorruptStoreError(paths.dataDir, file, detail, err);
      }
      return new StorageOpenError(paths.dataDir, message, err);
    }
    default:
      // Opened without createIfMissing because files exist, but CURRENT (the pointer to the
      // live MANIFEST) is gone: creating a new store here would discard the old one's files.
      if (message.includes('does not exist (create_if_missing is false)')) {
        return new CorruptStoreError(paths.dataDir, join(paths.storeDir, 'CURRENT'), 'the file is missing', err);
      }
      return new StorageOpenError(paths.dataDir, message, err);
  }
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return true;
    throw err;
  }
}

/**
 * Opens (creating only when there is nothing yet) the LevelDB store of a data dir. A store is
 * created only in an empty or missing directory, so a damaged store never gets silently
 * replaced by a fresh one.
 */
/**
 * LevelDB's memory, sized for how we use it: every read after start-up is answered from the
 * in-memory log view (log-cache.ts), so a block cache only helps the one scan at restart; and a
 * Ready batch is a few KiB, so a 1 MiB memtable still absorbs hundreds of them per L0 flush.
 * (The defaults, 8 MiB cache and 4 MiB write buffer — twice that while a memtable flushes —
 * hold up to 16 MiB of native memory per node for no benefit to us.)
 */
export const STORE_MEMORY = Object.freeze({ cacheSize: 1 << 20, writeBufferSize: 1 << 20 });

/** The data dir holds the cluster's whole state: only the agent's own user may read it. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Tightens the data dir, the store dir and the files already in it (an older version, or a dir
 * an installer made with a wider mode). LevelDB creates its later files with the process umask,
 * which `palisade agent` sets to 077; an embedding program sets its own.
 */
async function makePrivate(paths: DataDirPaths): Promise<void> {
  await chmod(paths.dataDir, PRIVATE_DIR_MODE);
  let names: string[];
  try {
    names = await readdir(paths.storeDir);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return;
    throw err;
  }
  await chmod(paths.storeDir, PRIVATE_DIR_MODE);
  await chmodFiles(paths.storeDir, names, PRIVATE_FILE_MODE);
}

/**
 * chmod of each listed file that still exists. The store is open by then, and LevelDB's
 * background compaction may delete a listed file before we reach it: a file that is gone needs
 * no tightening, and failing the start for it would make a restart fail at random.
 */
export async function chmodFiles(dir: string, names: readonly string[], mode: number): Promise<void> {
  for (const name of names) {
    try {
      await chmod(join(dir, name), mode);
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err;
    }
  }
}

export async function openStore(paths: DataDirPaths): Promise<Store> {
  let fresh: boolean;
  try {
    await mkdir(paths.dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    fresh = await isEmptyOrMissing(paths.storeDir);
  } catch (err) {
    throw new StorageOpenError(paths.dataDir, errorMessage(err), err);
  }
  const db: Store = new Level<Uint8Array, Uint8Array>(paths.storeDir, { keyEncoding: 'view', valueEncoding: 'view' });
  try {
    await db.open({ createIfMissing: fresh, errorIfExists: false, ...STORE_MEMORY });
  } catch (err) {
    throw storeError(err, paths);
  }
  try {
    await makePrivate(paths);
  } catch (err) {
    await db.close().catch(() => {});
    throw new StorageOpenError(paths.dataDir, `cannot make the data dir private: ${errorMessage(err)}`, err);
  }
  return db;
}

async function isEmptyStore(db: Store): Promise<boolean> {
  for await (const _key of db.keys({ limit: 1 })) return false;
  return true;
}

/**
 * Checks that the store belongs to `want`, or claims an empty store for it (one sync write,
 * before anything else is stored). A store with data but no identity is damaged: an agent
 * that crashed while creating it never wrote anything else.
 */
export async function claimIdentity(db: Store, paths: DataDirPaths, want: Identity): Promise<void> {
  let stored: Uint8Array | undefined;
  try {
    stored = await db.get(IDENTITY_KEY);
    if (stored === undefined && (await isEmptyStore(db))) {
      await db.put(IDENTITY_KEY, encodeIdentity(want), { sync: true });
      return;
    }
  } catch (err) {
    throw storeError(err, paths);
  }
  if (stored === undefined) throw new CorruptStateError(paths.dataDir, 'identity record', 'it is missing but the store holds data');
  let id: Identity;
  try {
    id = decodeIdentity(stored);
  } catch (err) {
    if (err instanceof CodecError) throw new CorruptStateError(paths.dataDir, 'identity record', err.reason, err);
    throw err;
  }
  if (id.clusterId !== want.clusterId) throw new ForeignClusterError(paths.dataDir, id.clusterId, want.clusterId);
  if (id.nodeId !== want.nodeId) throw new ForeignNodeError(paths.dataDir, id.nodeId, want.nodeId);
}
