// The replicated state machine: committed entries in, state and results out. It is a
// pure function of the log prefix it has applied — no clock, no randomness, no I/O, and
// every iteration that reaches the snapshot or a result is ordered — so all replicas that
// applied the same entries hold the same state, and restoring a snapshot is the same as
// replaying the entries it covers.
import { applyHaCommand, decodeHaCommand, isHaCommand } from './ha-state.js';
import { EMPTY_HA_STATE, type HaCommand, type ReplicatedHaState } from './ha-record.js';
import { decodeConfChange } from '../raft/conf-change-codec.js';
import { EntryType } from '../raft/types.js';
import type { ConfChange, ConfState, Entry } from '../raft/types.js';
import { ClusterEventLog } from './cluster-events.js';
import type { RecordedEvent } from './cluster-events.js';
import { CommandType, decodeCommand } from './commands.js';
import type { Command, RequestId } from './commands.js';
import { DEFAULT_DEDUP_LIMITS, Dedup } from './dedup.js';
import type { DedupLimits } from './dedup.js';
import { ApplyOrderError } from './errors.js';
import { DEFAULT_HISTORY_LIMITS, KvHistory } from './kv-history.js';
import type { HistoryLimits, KeyValue, KvEvent } from './kv-history.js';
import { KvStore } from './kv-store.js';
import { Membership } from './membership.js';
import type { Member } from './membership.js';
import { NO_REJECTIONS, RejectCode } from './results.js';
import type { ApplyResult, CommandOutcome, RejectionStats, RememberedOutcome } from './results.js';
import { decodeCoordCommand, isCoordCommand } from './coord-codec.js';
import type { CoordCommand, QueueRecord } from './coord-record.js';
import { CoordState } from './coord-state.js';
import type { SessionView } from './coord-state.js';
import { applyKvWrite } from './guarded-write.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot-codec.js';
import type { StateImage } from './snapshot-codec.js';
import { sortInSteps } from './sort-in-steps.js';
import { compareKeys } from './key-order.js';

/**
 * Bounds of the replicated state. They shape what is kept, so every replica of a cluster
 * must use the same values (the defaults, unless the cluster was created otherwise).
 */
export interface StateMachineOptions {
  readonly history?: HistoryLimits;
  readonly dedup?: DedupLimits;
  /** How many cluster events (`palisade events`) to keep. */
  readonly clusterEvents?: number;
}

export const DEFAULT_CLUSTER_EVENTS = 1000;

/** What a watch hub reads; see watch-hub.ts. */
export interface WatchSource {
  readonly revision: number;
  readonly oldestRevision: number;
  eventsFrom(revision: number): KvEvent[];
}

export class StateMachine implements WatchSource {
  private applied = 0;
  private appliedTermValue = 0;
  private rejections: RejectionStats = NO_REJECTIONS;
  private haState: ReplicatedHaState = EMPTY_HA_STATE;

  private constructor(
    private readonly kv: KvStore,
    private readonly membership: Membership,
    private readonly dedup: Dedup<RememberedOutcome>,
    private readonly clusterEvents: ClusterEventLog,
    private readonly coord: CoordState,
  ) {}

  static create(options: StateMachineOptions = {}): StateMachine {
    return new StateMachine(
      new KvStore(new KvHistory(options.history ?? DEFAULT_HISTORY_LIMITS)),
      new Membership(),
      new Dedup<RememberedOutcome>(options.dedup ?? DEFAULT_DEDUP_LIMITS),
      new ClusterEventLog(options.clusterEvents ?? DEFAULT_CLUSTER_EVENTS),
      new CoordState(),
    );
  }

  /** Throws SnapshotVersionError or SnapshotCorruptError; never returns a partial state. */
  static restore(data: Uint8Array, options: StateMachineOptions = {}): StateMachine {
    const img = decodeSnapshot(data);
    const sm = new StateMachine(
      KvStore.fromParts(img.revision, img.kvs, options.history ?? DEFAULT_HISTORY_LIMITS, img.history),
      Membership.fromParts(img.clusterId, img.members),
      Dedup.fromParts(options.dedup ?? DEFAULT_DEDUP_LIMITS, img.dedup),
      ClusterEventLog.fromParts(options.clusterEvents ?? DEFAULT_CLUSTER_EVENTS, img.eventSeq, img.events),
      CoordState.fromImage(img.coord),
    );
    sm.applied = img.appliedIndex;
    sm.appliedTermValue = img.appliedTerm;
    sm.rejections = img.rejections;
    sm.haState = img.ha;
    return sm;
  }

  // ---- applying ----

  /**
   * Apply the next committed entry. Entries must come in log order, each exactly once
   * (ApplyOrderError otherwise: that is a bug in the caller, not bad data). Bad data
   * never throws: it becomes a `rejected` result, the same on every replica.
   */
  apply(entry: Entry): ApplyResult {
    if (entry.index !== this.applied + 1) throw new ApplyOrderError(this.applied + 1, entry.index);
    this.applied = entry.index;
    this.appliedTermValue = entry.term;
    switch (entry.type) {
      case EntryType.Normal:
        return this.applyNormal(entry);
      case EntryType.ConfChange:
        return this.applyConfChangeEntry(entry);
      default: {
        const never: never = entry.type;
        return this.reject(entry.index, RejectCode.BadCommand, `unknown entry type ${String(never)}`);
      }
    }
  }

  private applyNormal(entry: Entry): ApplyResult {
    // A new leader's no-op carries no data.
    if (entry.data.length === 0) return { kind: 'command', index: entry.index, outcome: { type: 'noop' }, duplicate: false };
    // Active-role commands carry their own marker byte (ha-state.ts), distinct from the
    // command format version, so both share the log without ambiguity.
    if (isHaCommand(entry.data)) {
      let ha: HaCommand;
      try {
        ha = decodeHaCommand(entry.data);
      } catch (e) {
        return this.reject(entry.index, RejectCode.BadCommand, (e as Error).message);
      }
      this.haState = applyHaCommand(this.haState, ha, entry.index);
      return { kind: 'command', index: entry.index, outcome: { type: 'ha', command: ha }, duplicate: false };
    }
    // Coordination commands too (coord-codec.ts).
    if (isCoordCommand(entry.data)) return this.applyCoordEntry(entry);
    let cmd: Command;
    try {
      cmd = decodeCommand(entry.data);
    } catch (e) {
      return this.reject(entry.index, RejectCode.BadCommand, (e as Error).message);
    }
    if ((cmd.type === CommandType.Put || cmd.type === CommandType.Delete || cmd.type === CommandType.Cas) && cmd.request) {
      const earlier = this.dedup.lookup(cmd.request);
      if (earlier !== undefined) return this.answerRetry(entry.index, earlier, cmd.request);
    }
    return this.execute(entry.index, cmd);
  }

  private applyCoordEntry(entry: Entry): ApplyResult {
    let cmd: CoordCommand;
    try {
      cmd = decodeCoordCommand(entry.data);
    } catch (e) {
      return this.reject(entry.index, RejectCode.BadCommand, (e as Error).message);
    }
    const request = cmd.type === 'lockDelayEnd' ? undefined : cmd.request;
    // A retried create is answered with the session the first copy made, not a second one.
    if (cmd.type === 'sessionCreate' && request !== undefined) {
      const earlier = this.dedup.lookup(request);
      if (earlier !== undefined) return this.answerRetry(entry.index, earlier, request);
    }
    const r = this.coord.apply(cmd, entry.index);
    // An ended session's keys are deleted like any key: a revision each, seen by watchers.
    for (const key of r.endedKeys) this.kv.delete(key);
    if (r.outcome.type === 'sessionCreated' && request !== undefined) this.dedup.remember(request, r.outcome);
    const outcome: CommandOutcome = { type: 'coord', outcome: r.outcome, grants: r.grants };
    return request === undefined
      ? { kind: 'command', index: entry.index, outcome, duplicate: false }
      : { kind: 'command', index: entry.index, outcome, duplicate: false, request };
  }

  private answerRetry(index: number, earlier: RememberedOutcome, request: RequestId): ApplyResult {
    const outcome: CommandOutcome = earlier.type === 'sessionCreated' ? { type: 'coord', outcome: earlier, grants: [] } : earlier;
    return { kind: 'command', index, outcome, duplicate: true, request };
  }

  private execute(index: number, cmd: Command): ApplyResult {
    let outcome: CommandOutcome;
    switch (cmd.type) {
      case CommandType.Put:
      case CommandType.Delete:
      case CommandType.Cas:
        outcome = this.remember(cmd.request, applyKvWrite(this.kv, this.coord, cmd));
        break;
      case CommandType.Noop:
        outcome = { type: 'noop' };
        break;
      case CommandType.Bootstrap: {
        const problem = this.membership.bootstrap(cmd.clusterId, cmd.members);
        if (problem !== undefined) return this.reject(index, RejectCode.BadBootstrap, problem);
        outcome = { type: 'bootstrap', clusterId: cmd.clusterId };
        break;
      }
      case CommandType.RecordEvent:
        outcome = { type: 'recordEvent', seq: this.clusterEvents.record(cmd.event).seq };
        break;
      default: {
        const never: never = cmd;
        return this.reject(index, RejectCode.BadCommand, `unknown command ${JSON.stringify(never)}`);
      }
    }
    const request =
      cmd.type === CommandType.Put || cmd.type === CommandType.Delete || cmd.type === CommandType.Cas ? cmd.request : undefined;
    return request === undefined
      ? { kind: 'command', index, outcome, duplicate: false }
      : { kind: 'command', index, outcome, duplicate: false, request };
  }

  private remember<O extends RememberedOutcome>(request: RequestId | undefined, o: O): O {
    if (request !== undefined) this.dedup.remember(request, o);
    return o;
  }

  private applyConfChangeEntry(entry: Entry): ApplyResult {
    let change: ConfChange;
    try {
      change = decodeConfChange(entry.data);
    } catch (e) {
      return this.reject(entry.index, RejectCode.BadConfChange, (e as Error).message);
    }
    const r = this.membership.applyConfChange(change);
    switch (r.kind) {
      case 'applied':
        return { kind: 'confChange', index: entry.index, change, confState: r.confState };
      case 'rejected':
        return this.reject(entry.index, RejectCode.BadConfChange, r.reason);
      default: {
        const never: never = r;
        throw new Error(`unknown membership change ${JSON.stringify(never)}`);
      }
    }
  }

  private reject(index: number, code: RejectCode, reason: string): ApplyResult {
    this.rejections = { count: this.rejections.count + 1, lastIndex: index, lastReason: reason };
    return { kind: 'rejected', index, code, reason };
  }

  // ---- reading ----

  get appliedIndex(): number {
    return this.applied;
  }

  get appliedTerm(): number {
    return this.appliedTermValue;
  }

  /** The KV store's revision: +1 per applied mutation. */
  get revision(): number {
    return this.kv.revision;
  }

  /** The key-value store's size as the quota counts it (kv-store.ts storedBytes). */
  get storeBytes(): number {
    return this.kv.bytes;
  }

  get oldestRevision(): number {
    return this.kv.history.oldestRevision;
  }

  get(key: string): KeyValue | undefined {
    return this.kv.get(key);
  }

  list(prefix = '', limit = Infinity): KeyValue[] {
    return this.kv.list(prefix, limit);
  }

  /** Changes with revision ≥ `revision`; WatchCompactedError if some are gone. */
  eventsFrom(revision: number): KvEvent[] {
    return this.kv.history.eventsFrom(revision);
  }

  get clusterId(): string {
    return this.membership.clusterId;
  }

  members(): Member[] {
    return this.membership.members();
  }

  confState(): ConfState {
    return this.membership.confState();
  }

  clusterEventLog(afterSeq = 0): RecordedEvent[] {
    return this.clusterEvents.list(afterSeq);
  }

  get rejectionStats(): RejectionStats {
    return this.rejections;
  }

  /** The replicated active-role record: who holds the role, unconfirmed holders, pause. */
  get ha(): ReplicatedHaState {
    return this.haState;
  }

  // ---- coordination (coord-state.ts) ----

  /** Live sessions by id (= creation order), with what each holds, waits for and how many keys it binds. */
  sessions(): SessionView[] {
    return this.coord.sessions();
  }

  session(id: string): SessionView | undefined {
    return this.coord.session(id);
  }

  /** Locks, elections and semaphores whose name starts with `prefix`, in byte order. */
  queues(prefix = ''): QueueRecord[] {
    return this.coord.queues(prefix);
  }

  queue(name: string): QueueRecord | undefined {
    return this.coord.queue(name);
  }

  /** Queues in a lock-delay, waiting for the leader's lockDelayEnd (the keeper schedules them). */
  delayedQueues(): QueueRecord[] {
    return this.coord.delayedQueues();
  }

  /** The session an ephemeral key is bound to; undefined for an ordinary key. */
  keySession(key: string): string | undefined {
    return this.coord.keySession(key);
  }

  // ---- snapshots ----

  /** A versioned, checksummed image of everything above; equal states give equal bytes. */
  snapshot(): Uint8Array {
    return encodeSnapshot(this.snapshotImage());
  }

  /**
   * What snapshot() encodes, frozen: fresh arrays of records that are never changed in place,
   * so it stays the state at this applied index while the machine applies more entries
   * (encodeSnapshotAsync encodes it in steps between them).
   */
  snapshotImage(): StateImage {
    const frozen = this.frozenImage();
    return { ...frozen.rest, kvs: frozen.unsortedKvs.slice().sort(byKey) };
  }

  /**
   * snapshotImage() with the keys in no particular order: only copies, so cheap enough for the
   * Ready loop; sortedImage() orders the keys in steps. (Sorting 10^5 keys in one piece held the
   * loop past the lease at every snapshot.)
   */
  frozenImage(): FrozenImage {
    return { rest: this.imageWithoutKeys(), unsortedKvs: this.kv.records() };
  }

  private imageWithoutKeys(): Omit<StateImage, 'kvs'> {
    return {
      appliedIndex: this.applied,
      appliedTerm: this.appliedTermValue,
      rejections: this.rejections,
      clusterId: this.membership.clusterId,
      members: this.membership.members(),
      revision: this.kv.revision,
      history: this.kv.history.toArray(),
      dedup: this.dedup.entries(),
      eventSeq: this.clusterEvents.seq,
      events: this.clusterEvents.list(),
      ha: this.haState,
      coord: this.coord.image(),
    };
  }
}

/** A frozen image whose keys are not sorted yet (the snapshot codec needs them in order). */
export interface FrozenImage {
  readonly rest: Omit<StateImage, 'kvs'>;
  readonly unsortedKvs: readonly KeyValue[];
}

const byKey = (a: KeyValue, b: KeyValue): number => compareKeys(a.key, b.key);

/** The image snapshotImage() would have given, its keys sorted in steps; undefined once `aborted` says so. */
export async function sortedImage(frozen: FrozenImage, aborted: () => boolean = () => false): Promise<StateImage | undefined> {
  const kvs = await sortInSteps(frozen.unsortedKvs, byKey, aborted);
  return kvs === undefined ? undefined : { ...frozen.rest, kvs };
}
