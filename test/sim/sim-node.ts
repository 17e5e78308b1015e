// One simulated node: a pure core (RawNode) over a "disk" MemoryStorage, a volatile KV
// state machine, the client operations waiting on it, and its own drifting clock. The
// simulator owns time and the network; the node reaches them through NodeHost.
import { decodeHaCommand, isHaCommand } from '../../src/statemachine/ha-state.js';
import type { ElectionTimeoutPolicy } from '../../src/raft/config.js';
import { RawNode } from '../../src/raft/raw-node.js';
import { MemoryStorage } from '../../src/raft/memory-storage.js';
import { seededRng } from '../../src/raft/rng.js';
import { EntryType } from '../../src/raft/types.js';
import type { Message } from '../../src/raft/messages.js';
import type { Ready } from '../../src/raft/ready.js';
import type { ConfState, Entry, NodeId, Snapshot } from '../../src/raft/types.js';
import type { ClientOp } from './client-history.js';
import { decodeClientEntry, KvStateMachine } from './kv-state-machine.js';
import type { KvResult } from './kv-state-machine.js';
import type { ReadyExecutor } from './ready-executor.js';
import type { NodeClock } from './sim-clock.js';

/** What a node needs from the simulator around it. */
export interface NodeHost {
  now(): number;
  send(m: Message): void;
  /** Run fn after `delay` ms of real time, unless this node incarnation has crashed by then. */
  schedule(node: SimNode, delay: number, label: string, fn: () => void): void;
  addTrace(line: string): void;
  onApply(node: SimNode, e: Entry): void;
  onSnapshotState(node: SimNode, index: number, data: Uint8Array, how: 'taken' | 'restored'): void;
  onConf(node: SimNode, applied: number, cs: ConfState): void;
  complete(op: ClientOp, result: KvResult | string | null): void;
}

/**
 * Per-node extension point for layers above the core (the HA role controller, lease maths).
 * An actor sees every Ready after it was executed and every tick, and reads `node.clock`.
 */
export interface NodeActor {
  onReady(rd: Ready, node: SimNode): void;
  onTick(node: SimNode): void;
  /** Ticks the actor may owe from now on (SimOptions.quietTicks): 0 none, +∞ any; absent: 0. */
  quietTicks?(node: SimNode): number;
  /**
   * The quiet-tick oracle, asked at the due time of each tick the node owes: what this tick,
   * performed now, would make the actor do (undefined: nothing, so owing it was right).
   */
  owedTickActs?(node: SimNode): string | undefined;
}

export interface CoreParams {
  readonly electionTick: number;
  readonly heartbeatTick: number;
  readonly maxSizePerMsg: number;
  readonly maxInflightMsgs: number;
  /** Take an app snapshot every this many applied entries. */
  readonly snapshotEvery: number;
  /** Entries kept behind a snapshot when compacting, so slow followers can still catch up by log. */
  readonly keepAfterSnapshot: number;
  /** The core's election-timeout policy (default: Raft's uniform [E, 2E)). */
  readonly electionTimeout?: ElectionTimeoutPolicy;
  readonly preVoteRetryTicks?: number;
  readonly quorumAckTicks?: number;
}

/**
 * A second replicated application beside the KV model, applied from every committed entry (the
 * coordination runs drive the real StateMachine, test/sim/coord). Its image rides in the node's
 * snapshots, so a restart or an InstallSnapshot restores it as it restores the KV data.
 */
export interface SimApp {
  apply(entry: Entry): void;
  image(): Uint8Array;
}

/** Opens a node's app: empty, or from the image a snapshot carries. */
export type SimAppFactory = (node: SimNode, image: Uint8Array | undefined) => SimApp;

type Life = 'up' | 'paused' | 'crashed';

export class SimNode {
  /** The durable disk: survives crashes. */
  disk: MemoryStorage;
  /** What the core reads: the disk itself, or a page-cache view ahead of it (mutant executors). */
  storage: MemoryStorage;
  raw: RawNode | undefined;
  life: Life = 'up';
  incarnation = 0;
  kv = new KvStateMachine();
  applied = 0;
  private lastSnapshotIndex = 0;
  /** Messages that arrived while paused, processed on resume (a stopped process's socket buffer). */
  readonly inbox: Message[] = [];
  /** Client requests that arrived while paused, submitted on resume (Simulator.whenRunning). */
  readonly clientInbox: (() => boolean)[] = [];
  readonly pendingWrites = new Map<string, ClientOp>();
  /** Reads waiting for their ReadState (index undefined) or for that index to be applied. */
  readonly pendingReads = new Map<string, { op: ClientOp; key: string; index?: number }>();
  private readonly diskBacklog: ((s: MemoryStorage) => void)[] = [];
  tickGen = 0;
  nextTickLocal = 0;
  /** Quiet ticks (SimOptions.quietTicks): due ticks not yet performed, and how many more may be owed. */
  owedTicks = 0;
  quietLeft = 0;
  actor: NodeActor | undefined;
  /** SimOptions.app: how this node opens its second application (none when undefined). */
  appFactory: SimAppFactory | undefined;
  app: SimApp | undefined;

  constructor(
    readonly id: NodeId,
    readonly clock: NodeClock,
    private readonly host: NodeHost,
    private readonly params: CoreParams,
    private readonly executor: ReadyExecutor,
  ) {
    this.disk = new MemoryStorage();
    this.storage = this.disk;
  }

  get isUp(): boolean {
    return this.life === 'up';
  }

  /** (Re)build the core from exactly what is on disk. */
  start(rngSeed: number): void {
    this.incarnation++;
    this.storage = this.executor.delayedDurability ? cloneStorage(this.disk) : this.disk;
    const snap = this.disk.snapshot();
    this.kv = KvStateMachine.decode(snap.data);
    this.app = this.appFactory?.(this, this.kv.appImage);
    this.applied = snap.metadata.index;
    this.lastSnapshotIndex = this.applied;
    this.raw = new RawNode({
      id: this.id,
      electionTick: this.params.electionTick,
      heartbeatTick: this.params.heartbeatTick,
      storage: this.storage,
      rng: seededRng(rngSeed),
      applied: this.applied,
      maxSizePerMsg: this.params.maxSizePerMsg,
      maxInflightMsgs: this.params.maxInflightMsgs,
      preVote: true,
      checkQuorum: true,
      ...(this.params.electionTimeout !== undefined ? { electionTimeout: this.params.electionTimeout } : {}),
      ...(this.params.preVoteRetryTicks !== undefined ? { preVoteRetryTicks: this.params.preVoteRetryTicks } : {}),
      ...(this.params.quorumAckTicks !== undefined ? { quorumAckTicks: this.params.quorumAckTicks } : {}),
    });
    this.life = 'up';
  }

  /** Drop the core and all volatile state. Returns the client ops whose outcome is now unknown. */
  crash(): ClientOp[] {
    const lost = [...this.pendingWrites.values(), ...[...this.pendingReads.values()].map((r) => r.op)];
    this.pendingWrites.clear();
    this.pendingReads.clear();
    this.inbox.length = 0;
    this.clientInbox.length = 0;
    this.diskBacklog.length = 0;
    this.raw = undefined;
    this.life = 'crashed';
    this.tickGen++;
    this.owedTicks = 0;
    this.quietLeft = 0;
    return lost;
  }

  /** Run every pending Ready through the executor (and the actor). */
  drain(): void {
    const raw = this.raw;
    if (raw === undefined) return;
    let guard = 0;
    while (this.raw === raw && raw.hasReady()) {
      if (++guard > 10_000) throw new Error(`${this.id}: hasReady() never became false`);
      const rd = raw.ready();
      this.executor.execute(this, rd);
      this.actor?.onReady(rd, this);
    }
  }

  // ---- the steps an executor composes ----

  persist(rd: Ready): void {
    const { snapshot, entries, hardState } = rd;
    if (snapshot === undefined && entries.length === 0 && hardState === undefined) return;
    this.write((s) => {
      if (snapshot !== undefined) s.applySnapshot(snapshot);
      if (entries.length > 0) s.append([...entries]);
      if (hardState !== undefined) s.setHardState(hardState);
    });
  }

  send(messages: readonly Message[]): void {
    for (const m of messages) this.host.send(m);
  }

  apply(rd: Ready): void {
    if (rd.snapshot !== undefined) this.restoreSnapshot(rd.snapshot);
    for (const e of rd.committedEntries) this.applyEntry(e);
    for (const rs of rd.readStates) {
      const r = this.pendingReads.get(rs.context);
      if (r !== undefined) r.index = rs.index;
    }
    this.serveReads();
  }

  advance(rd: Ready): void {
    this.raw!.advance(rd);
    if (rd.snapshot !== undefined || rd.committedEntries.length > 0) {
      this.host.onConf(this, this.applied, this.raw!.confState());
    }
    this.maybeSnapshot();
  }

  // ---- internals ----

  private write(fn: (s: MemoryStorage) => void): void {
    fn(this.storage);
    if (this.storage === this.disk) return;
    // Delayed durability: the disk catches up in a separate event; a crash before it loses it.
    this.diskBacklog.push(fn);
    if (this.diskBacklog.length === 1) {
      // As slow as a message hop, so crashes often land between "acknowledged" and "durable".
      this.host.schedule(this, 5, 'fsync', () => {
        for (const w of this.diskBacklog.splice(0)) w(this.disk);
      });
    }
  }

  private restoreSnapshot(snap: Snapshot): void {
    this.kv = KvStateMachine.decode(snap.data);
    this.app = this.appFactory?.(this, this.kv.appImage);
    this.applied = snap.metadata.index;
    this.lastSnapshotIndex = this.applied;
    this.host.onSnapshotState(this, snap.metadata.index, snap.data, 'restored');
    this.host.addTrace(`${this.id} restore snapshot @${snap.metadata.index} t${snap.metadata.term}`);
  }

  private applyEntry(e: Entry): void {
    this.host.onApply(this, e);
    this.applied = e.index;
    this.app?.apply(e);
    if (e.type !== EntryType.Normal) return;
    if (isHaCommand(e.data)) return this.kv.applyHa(decodeHaCommand(e.data), e.index);
    const ce = decodeClientEntry(e.data);
    if (ce === undefined) return;
    const result = this.kv.apply(ce);
    const op = this.pendingWrites.get(ce.id);
    if (op !== undefined && result !== undefined) {
      this.pendingWrites.delete(ce.id);
      this.host.complete(op, result);
    }
  }

  private serveReads(): void {
    for (const [ctx, r] of this.pendingReads) {
      if (r.index !== undefined && r.index <= this.applied) {
        this.pendingReads.delete(ctx);
        this.host.complete(r.op, this.kv.get(r.key) ?? null);
      }
    }
  }

  private maybeSnapshot(): void {
    if (this.applied - this.lastSnapshotIndex < this.params.snapshotEvery) return;
    const index = this.applied;
    const cs = this.raw!.confState();
    const data = this.kv.encode(this.app?.image());
    const keep = this.params.keepAfterSnapshot;
    this.lastSnapshotIndex = index;
    this.host.onSnapshotState(this, index, data, 'taken');
    this.write((s) => {
      if (index <= s.snapshot().metadata.index || index > s.lastIndex()) return;
      s.createSnapshot(index, cs, data);
      const compactTo = index - keep;
      if (compactTo >= s.firstIndex()) s.compact(compactTo);
    });
  }
}

/** A page-cache copy of a disk (used only by delayed-durability executors). */
function cloneStorage(disk: MemoryStorage): MemoryStorage {
  const s = new MemoryStorage();
  const snap = disk.snapshot();
  if (snap.metadata.index > 0) s.applySnapshot(snap);
  else s.setConfState(disk.initialState().confState);
  const first = disk.firstIndex();
  const last = disk.lastIndex();
  if (last >= first) s.append(disk.entries(first, last + 1));
  s.setHardState(disk.initialState().hardState);
  return s;
}
