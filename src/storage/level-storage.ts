// The durable Raft storage of a real node: LevelDB behind an in-memory view. The core reads
// the view synchronously; each Ready becomes exactly one LevelDB batch written with
// `sync: true`, and persistReady() resolves only once that batch is on disk, so the caller
// sends the Ready's messages after it (Raft §5.1/§5.2: a vote or an acknowledged entry
// must survive a crash). The one exception is a Ready that only moves the commit index
// (mustSync false): its hard state waits, staged, for the next batch, flush or close.
// A snapshot's image goes to a file of its own (snapshot-files.ts), and the batch carries the
// record naming it; an image made by this node is written before its record is staged, while
// Readies go on. Restart reads everything back and checks it (read-state.ts).
import type { WritableStorage } from '../raft/memory-storage.js';
import type { Ready } from '../raft/ready.js';
import type { InitialState } from '../raft/storage.js';
import type { ConfState, Entry, HardState, Snapshot } from '../raft/types.js';
import {
  DEFAULT_COMPACTION_POLICY,
  planCompaction,
  validateCompactionPolicy,
  type CompactionPlan,
  type CompactionPolicy,
} from './compaction.js';
import { AppliedLogBytes } from './applied-log-bytes.js';
import { encodeSnapshotRecord, type SnapshotFileRef } from './codec.js';
import { claimIdentity, dataDirPaths, openStore, type DataDirPaths, type Store } from './data-dir.js';
import { StorageClosedError, StorageOpenError, StorageWriteError } from './errors.js';
import { SNAPSHOT_KEY } from './keys.js';
import { LogCache, type StoreOp } from './log-cache.js';
import { readDurableState } from './read-state.js';
import {
  ensureSnapshotDir,
  removeOrphanSnapshotFiles,
  removeSnapshotFile,
  snapshotFileName,
  writeSnapshotFile,
  type SnapshotFileHook,
} from './snapshot-files.js';

export interface LevelStorageOptions {
  readonly dataDir: string;
  /** Stored on first use; a data dir of another cluster or node is refused. */
  readonly clusterId: string;
  readonly nodeId: string;
  readonly compaction?: CompactionPolicy;
  /** Told when each step of storing a snapshot image is durable (crash tests stop there). */
  readonly snapshotFileHook?: SnapshotFileHook;
}

/** The part of a Ready that must be durable before its messages are sent. */
export type ReadyWrites = Pick<Ready, 'snapshot' | 'entries' | 'hardState' | 'mustSync'>;

/** What the state machine hands over when a snapshot is due (its image at the applied index). */
export interface SnapshotSource {
  readonly confState: ConfState;
  readonly data: Uint8Array;
}

/** A WritableStorage whose mutations reach the disk in batches (one per Ready). */
export interface DurableStorage extends WritableStorage {
  readonly dataDir: string;
  /** Bootstrap a new cluster: the voters before any snapshot exists. */
  setConfState(cs: ConfState): void;
  /** Stage the Ready's snapshot, entries and hard state, and write them as one batch. */
  persistReady(rd: ReadyWrites): Promise<void>;
  /** Write whatever mutations are staged as one batch; resolves when they (and all earlier ones) are written. */
  flush(options?: { readonly sync?: boolean }): Promise<void>;
  /** After applying up to `applied`: snapshot and compact if the policy says so (see compaction.ts). */
  compactAfterApply(applied: number, source: () => SnapshotSource): Promise<Snapshot | undefined>;
  /** The compaction the policy asks for after applying up to `applied`, if any (nothing is changed). */
  compactionDue(applied: number): CompactionPlan | undefined;
  /**
   * Carries out `plan` with the state machine's image at `plan.snapshotAt`, which may have been
   * made while later entries were applied. undefined (nothing done) when the log moved past the
   * plan meanwhile: a newer snapshot arrived from the leader.
   */
  installSnapshot(plan: CompactionPlan, source: SnapshotSource): Promise<Snapshot | undefined>;
  /** Writes what is staged, then releases the data dir. */
  close(): Promise<void>;
}

/** Log entries deleted per batch when compacting (compactInChunks). */
export const COMPACTION_CHUNK_ENTRIES = 1024;

export async function openLevelStorage(options: LevelStorageOptions): Promise<DurableStorage> {
  return LevelStorage.open(options);
}

export class LevelStorage implements DurableStorage {
  private staged: StoreOp[] = [];
  /** How many of the staged ops are a commit-only hard state held for the next batch (persistReady). */
  private deferredOps = 0;
  /** Settles when every batch handed to LevelDB so far has settled (batches never overlap). */
  private tail: Promise<void> = Promise.resolve();
  private failure: StorageWriteError | undefined;
  private closed = false;
  private readonly cache: LogCache;
  /** Images this node wrote before staging their snapshot (installSnapshot), by snapshot. */
  private readonly prewritten = new WeakMap<Snapshot, SnapshotFileRef>();
  private readonly appliedBytes = new AppliedLogBytes();

  private constructor(
    private readonly db: Store,
    private readonly paths: DataDirPaths,
    private readonly policy: CompactionPolicy,
    restore: (sink: (op: StoreOp) => void) => LogCache,
    /** The image file the durable snapshot record names. */
    private recordedImage: string | undefined,
    /** Makes every image file name unique, also across restarts. */
    private nextImageSeq: number,
    private readonly hook: SnapshotFileHook | undefined,
  ) {
    this.cache = restore((op) => this.staged.push(op));
  }

  static async open(options: LevelStorageOptions): Promise<LevelStorage> {
    const paths = dataDirPaths(options.dataDir);
    const policy = options.compaction ?? DEFAULT_COMPACTION_POLICY;
    const problems = validateCompactionPolicy(policy);
    if (problems.length > 0) throw new StorageOpenError(paths.dataDir, `invalid compaction policy: ${problems.join('; ')}`);
    const db = await openStore(paths);
    try {
      await claimIdentity(db, paths, { clusterId: options.clusterId, nodeId: options.nodeId });
      await ensureSnapshotDir(paths.snapDir);
      const state = await readDurableState(db, paths);
      const nextSeq = await removeOrphanSnapshotFiles(paths.snapDir, state.snapshotFile);
      const restore = (sink: (op: StoreOp) => void) => LogCache.restore(state, sink);
      return new LevelStorage(db, paths, policy, restore, state.snapshotFile, nextSeq, options.snapshotFileHook);
    } catch (err) {
      // Release the lock: the caller may report the error and retry with another dir.
      await db.close().catch(() => {});
      throw err;
    }
  }

  get dataDir(): string {
    return this.paths.dataDir;
  }

  /** Mutations staged but not yet handed to LevelDB. */
  get stagedWrites(): number {
    return this.staged.length;
  }

  // ---- reads: answered from memory ----

  initialState(): InitialState {
    return this.cache.initialState();
  }

  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    return this.cache.entries(lo, hi, maxBytes);
  }

  term(i: number): number {
    return this.cache.term(i);
  }

  firstIndex(): number {
    return this.cache.firstIndex();
  }

  lastIndex(): number {
    return this.cache.lastIndex();
  }

  snapshot(): Snapshot {
    return this.cache.snapshot();
  }

  // ---- mutations: the view changes now, the disk at the next flush ----

  setHardState(hs: HardState): void {
    this.usable();
    this.cache.setHardState(hs);
  }

  setConfState(cs: ConfState): void {
    this.usable();
    this.cache.setConfState(cs);
  }

  applySnapshot(snap: Snapshot): void {
    this.usable();
    this.cache.applySnapshot(snap);
  }

  append(entries: readonly Entry[]): void {
    this.usable();
    this.cache.append(entries);
  }

  createSnapshot(i: number, cs: ConfState, data: Uint8Array): Snapshot {
    this.usable();
    return this.cache.createSnapshot(i, cs, data);
  }

  compact(compactIndex: number): void {
    this.usable();
    this.cache.compact(compactIndex);
  }

  // ---- durability ----

  async persistReady(rd: ReadyWrites): Promise<void> {
    // Mutations staged outside a Ready (compaction, bootstrap) are synced with it regardless.
    const outside = this.staged.length - this.deferredOps;
    if (!rd.mustSync && outside === 0 && rd.snapshot === undefined && rd.entries.length === 0) {
      // Only the commit index moved: keep it staged for the next batch instead of a write of its
      // own. Nothing promised rests on it (Raft re-learns the commit index after a crash), and
      // a write per commit costs each node a thread-pool round trip per put (docs/design-notes.md).
      if (rd.hardState !== undefined) {
        this.staged.length = 0; // only older deferred hard states: this one supersedes them
        this.setHardState(rd.hardState);
        this.deferredOps = this.staged.length;
      }
      return;
    }
    // The order of the Ready contract: snapshot, then entries, then hard state, in one batch.
    if (rd.snapshot !== undefined) this.applySnapshot(rd.snapshot);
    this.append(rd.entries);
    if (rd.hardState !== undefined) this.setHardState(rd.hardState);
    await this.flush({ sync: rd.mustSync || outside > 0 });
  }

  flush(options: { readonly sync?: boolean } = {}): Promise<void> {
    try {
      this.usable();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.writeStaged(options.sync ?? true);
  }

  async compactAfterApply(applied: number, source: () => SnapshotSource): Promise<Snapshot | undefined> {
    const plan = this.compactionDue(applied);
    return plan === undefined ? undefined : this.installSnapshot(plan, source());
  }

  compactionDue(applied: number): CompactionPlan | undefined {
    const snap = this.snapshot();
    const snapshotIndex = snap.metadata.index;
    return planCompaction(this.policy, {
      applied,
      snapshotIndex,
      firstIndex: this.firstIndex(),
      imageBytes: snap.data.length,
      logBytesSinceSnapshot: this.appliedBytes.measure(snapshotIndex, applied, (lo, hi) => this.cache.dataBytes(lo, hi)),
    });
  }

  async installSnapshot(plan: CompactionPlan, source: SnapshotSource): Promise<Snapshot | undefined> {
    // A snapshot from the leader may replace the log before or while the image is written.
    const holds = () => plan.snapshotAt > this.snapshot().metadata.index && plan.snapshotAt <= this.lastIndex();
    if (!holds()) return undefined;
    this.usable();
    const metadata = { index: plan.snapshotAt, term: this.term(plan.snapshotAt) };
    // Outside the batch chain: Readies keep being written meanwhile.
    const file = source.data.length === 0 ? undefined : await this.writeImage(metadata, source.data);
    const discard = () => (file === undefined ? Promise.resolve() : removeSnapshotFile(this.paths.snapDir, file.name));
    if (!holds()) {
      await discard();
      return undefined;
    }
    let snap: Snapshot;
    try {
      snap = this.createSnapshot(plan.snapshotAt, source.confState, source.data);
    } catch (err) {
      await discard();
      throw err;
    }
    if (file !== undefined) this.prewritten.set(snap, file);
    await this.compactInChunks(plan.compactTo);
    return snap;
  }

  /**
   * Compacts the log up to `to` (nothing when undefined), at most COMPACTION_CHUNK_ENTRIES
   * entries per batch; the first batch also carries what is staged (the snapshot record). Each
   * batch moves the log start and deletes the entries below it, a state a restart reads as
   * intact, and the Readies' batches go in between: one batch of every delete held the event
   * loop for tens of milliseconds, on every member at the same index.
   */
  private async compactInChunks(to: number | undefined): Promise<void> {
    do {
      // A snapshot from the leader may have replaced the log meanwhile.
      const first = this.firstIndex();
      if (to !== undefined && to >= first) this.compact(Math.min(to, first - 1 + COMPACTION_CHUNK_ENTRIES));
      await this.flush();
    } while (to !== undefined && to >= this.firstIndex());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const last = this.failure === undefined ? this.writeStaged(true) : this.tail;
    try {
      await last;
    } finally {
      await this.db.close();
    }
  }

  private writeStaged(sync: boolean): Promise<void> {
    const ops = this.staged;
    this.staged = [];
    this.deferredOps = 0;
    if (ops.length === 0) {
      // Nothing new, but "flushed" still means every earlier batch made it.
      return this.tail.then(() => {
        if (this.failure !== undefined) throw this.failure;
      });
    }
    const write = this.tail.then(() => this.writeBatch(ops, sync));
    this.tail = write.catch(() => {});
    return write;
  }

  private writeImage(metadata: { index: number; term: number }, data: Uint8Array): Promise<SnapshotFileRef> {
    const name = snapshotFileName(metadata.term, metadata.index, this.nextImageSeq++);
    return writeSnapshotFile(this.paths.snapDir, name, metadata, data, this.hook);
  }

  private async writeBatch(ops: StoreOp[], sync: boolean): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    try {
      // Only the batch's last snapshot counts; an image is on disk before a record names it.
      let newest: Snapshot | undefined;
      for (const op of ops) if (op.type === 'snapshot') newest = op.snapshot;
      const image = newest === undefined ? undefined : await this.storedImage(newest);
      // The chained form: abstract-level's array form clones and re-validates every operation,
      // which showed in a leader's profile under load (docs/benchmarks.md, "Findings").
      const batch = this.db.batch();
      try {
        for (const op of ops) {
          if (op.type === 'put') batch.put(op.key, op.value);
          else if (op.type === 'del') batch.del(op.key);
          else if (op.snapshot === newest) batch.put(SNAPSHOT_KEY, encodeSnapshotRecord(op.snapshot.metadata, image));
        }
      } catch (err) {
        await batch.close();
        throw err;
      }
      await batch.write({ sync });
      if (newest !== undefined) await this.imageRecorded(image, ops);
    } catch (err) {
      // The view is already ahead of the disk: from here on only a restart is safe.
      this.failure = new StorageWriteError(this.paths.dataDir, err);
      throw this.failure;
    }
  }

  /** The file of `snap`'s image: written by installSnapshot already, or now (a snapshot from the leader). */
  private async storedImage(snap: Snapshot): Promise<SnapshotFileRef | undefined> {
    if (snap.data.length === 0) return undefined;
    return this.prewritten.get(snap) ?? (await this.writeImage(snap.metadata, snap.data));
  }

  /** Step 4: the files no record names any more (the previous image, superseded ones) go. */
  private async imageRecorded(image: SnapshotFileRef | undefined, ops: readonly StoreOp[]): Promise<void> {
    if (image !== undefined) await this.hook?.('recorded', image.name);
    const unnamed = new Set<string>();
    if (this.recordedImage !== undefined) unnamed.add(this.recordedImage);
    for (const op of ops) {
      const file = op.type === 'snapshot' ? this.prewritten.get(op.snapshot) : undefined;
      if (file !== undefined) unnamed.add(file.name);
    }
    this.recordedImage = image?.name;
    if (image !== undefined) unnamed.delete(image.name);
    try {
      for (const name of unnamed) await removeSnapshotFile(this.paths.snapDir, name);
    } catch {
      // What is recorded is intact; a file left over is deleted at the next open.
    }
  }

  private usable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new StorageClosedError(this.paths.dataDir);
  }
}
