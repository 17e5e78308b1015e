// A tiny synchronous test network of RawNodes (model: etcd raft_test.go `network`).
// Messages are delivered immediately in FIFO order until the network is quiet; Ready is
// executed in the contract order: persist, send, apply, advance. No time, no randomness
// beyond each node's seeded rng: tests drive ticks explicitly.
import { bootstrapStorage } from '../../src/raft/bootstrap.js';
import { encodeConfChange } from '../../src/raft/conf-change-codec.js';
import { MemoryStorage } from '../../src/raft/memory-storage.js';
import type { Message, MessageType } from '../../src/raft/messages.js';
import { Raft } from '../../src/raft/raft.js';
import { RawNode } from '../../src/raft/raw-node.js';
import type { Ready } from '../../src/raft/ready.js';
import { seededRng } from '../../src/raft/rng.js';
import {
  EntryType,
  type ConfChange,
  type Entry,
  type HardState,
  type NodeId,
  type ReadState,
  type Snapshot,
} from '../../src/raft/types.js';

export interface HarnessNode {
  id: NodeId;
  node: RawNode;
  /** The core inside `node`, for tests that inspect or perturb it. */
  core: Raft;
  storage: MemoryStorage;
  applied: Entry[];
  readStates: ReadState[];
  snapshotsApplied: Snapshot[];
}

export interface HarnessOptions {
  electionTick?: number;
  heartbeatTick?: number;
  preVote?: boolean;
  checkQuorum?: boolean;
  seed?: number;
  /** Node ids that start as learners. */
  learners?: NodeId[];
  maxSizePerMsg?: number;
  /**
   * Bootstrap the founders by writing the membership into the log (src/raft/bootstrap.ts)
   * instead of only into each storage's conf state; nodes added later with empty storage
   * then learn the membership by replaying the log. Shifts every log index by the number of nodes.
   */
  bootstrapInLog?: boolean;
}

/** Sees every Ready a node executes (scenario transcripts). */
export type ReadyObserver = (id: NodeId, rd: Ready) => void;
/** Sees every message the network handles; `dropped` when a cut, ignore or drop rule ate it. */
export type MessageObserver = (m: Message, dropped: boolean) => void;

export class Harness {
  readonly nodes = new Map<NodeId, HarnessNode>();
  /** Directed links that drop everything: "a->b". */
  private readonly cut = new Set<string>();
  /** Message types dropped everywhere. */
  private readonly ignored = new Set<MessageType>();
  /** Predicates dropping matching messages (until heal): targeted nemeses for paper scenarios. */
  private readonly dropRules: ((m: Message) => boolean)[] = [];
  readonly delivered: Message[] = [];
  readonly readyObservers: ReadyObserver[] = [];
  readonly messageObservers: MessageObserver[] = [];
  private seed: number;

  constructor(
    readonly ids: NodeId[],
    readonly opts: HarnessOptions = {},
  ) {
    this.seed = opts.seed ?? 1;
    const voters = ids.filter((id) => !(opts.learners ?? []).includes(id));
    for (const id of ids) {
      const storage = new MemoryStorage();
      const cs = { voters, learners: opts.learners ?? [] };
      if (opts.bootstrapInLog) bootstrapStorage(storage, cs);
      else storage.setConfState(cs);
      this.addNode(id, storage);
    }
    // Founders apply the bootstrap entries in their first Ready.
    if (opts.bootstrapInLog) this.settle();
  }

  /** (Re)start a node from the given storage (a crash keeps only what was persisted). */
  addNode(id: NodeId, storage: MemoryStorage): HarnessNode {
    const core = new Raft({
      id,
      electionTick: this.opts.electionTick ?? 10,
      heartbeatTick: this.opts.heartbeatTick ?? 1,
      storage,
      rng: seededRng(this.seed++),
      preVote: this.opts.preVote ?? true,
      checkQuorum: this.opts.checkQuorum ?? true,
      applied: storage.snapshot().metadata.index,
      ...(this.opts.maxSizePerMsg !== undefined ? { maxSizePerMsg: this.opts.maxSizePerMsg } : {}),
    });
    const hn: HarnessNode = { id, node: new RawNode(core), core, storage, applied: [], readStates: [], snapshotsApplied: [] };
    this.nodes.set(id, hn);
    return hn;
  }

  /** A node that joins later with empty storage and no configuration. */
  addEmptyNode(id: NodeId): HarnessNode {
    return this.addNode(id, new MemoryStorage());
  }

  crash(id: NodeId): MemoryStorage {
    const hn = this.get(id);
    this.nodes.delete(id);
    return hn.storage;
  }

  restart(id: NodeId, storage: MemoryStorage): HarnessNode {
    return this.addNode(id, storage);
  }

  get(id: NodeId): HarnessNode {
    const hn = this.nodes.get(id);
    if (!hn) throw new Error(`no node ${id}`);
    return hn;
  }

  raft(id: NodeId) {
    return this.get(id).core;
  }

  isolate(id: NodeId): void {
    // Nodes added later (addEmptyNode) are cut off too.
    for (const other of new Set([...this.ids, ...this.nodes.keys()])) {
      if (other === id) continue;
      this.cut.add(`${id}->${other}`);
      this.cut.add(`${other}->${id}`);
    }
  }

  cutLink(from: NodeId, to: NodeId): void {
    this.cut.add(`${from}->${to}`);
  }

  heal(): void {
    this.cut.clear();
    this.ignored.clear();
    this.dropRules.length = 0;
  }

  ignore(t: MessageType): void {
    this.ignored.add(t);
  }

  /** Drop every message for which `rule` returns true (it sees all messages, so it may keep state). */
  drop(rule: (m: Message) => boolean): void {
    this.dropRules.push(rule);
  }

  /**
   * Pretend the nodes last heard from a leader a full election timeout ago, so they neither
   * ignore vote requests (stickiness) nor wait out the restart grace. For hand-built states.
   */
  expireLeaderContact(ids: NodeId[] = [...this.nodes.keys()]): void {
    for (const id of ids) {
      const r = this.raft(id);
      r.leaderContactElapsed = Math.max(r.leaderContactElapsed, r.electionTick);
    }
  }

  /** Execute one Ready of one node: persist, collect messages, apply, advance. */
  private processReady(hn: HarnessNode, out: Message[]): void {
    const rd: Ready = hn.node.ready();
    for (const obs of this.readyObservers) obs(hn.id, rd);
    if (rd.snapshot) hn.storage.applySnapshot(rd.snapshot);
    if (rd.entries.length > 0) hn.storage.append(rd.entries);
    if (rd.hardState) hn.storage.setHardState(rd.hardState);
    out.push(...rd.messages);
    if (rd.snapshot) hn.snapshotsApplied.push(rd.snapshot);
    hn.applied.push(...rd.committedEntries);
    hn.readStates.push(...rd.readStates);
    hn.node.advance(rd);
  }

  /** Deliver messages until quiet (bounded: a livelock fails the test instead of hanging). */
  settle(maxRounds = 10_000): void {
    const queue: Message[] = [];
    const drainReadies = () => {
      for (const hn of this.nodes.values()) {
        while (hn.node.hasReady()) this.processReady(hn, queue);
      }
    };
    for (let round = 0; round < maxRounds; round++) {
      drainReadies();
      if (queue.length === 0) {
        // A leader tells followers of a new commit index with its next append or at its next
        // tick; "quiet" includes that notice, so a settled network has applied everywhere.
        for (const hn of this.nodes.values()) hn.core.sendPendingCommit();
        drainReadies();
        if (queue.length === 0) return;
      }
      const m = queue.shift()!;
      // Every rule sees every message (stateful rules count on it).
      const droppedByRule = this.dropRules.map((rule) => rule(m)).some(Boolean);
      const target = this.nodes.get(m.to);
      const dropped = droppedByRule || this.cut.has(`${m.from}->${m.to}`) || this.ignored.has(m.type) || !target;
      for (const obs of this.messageObservers) obs(m, dropped);
      if (dropped || !target) continue;
      this.delivered.push(m);
      target.node.step(m);
    }
    throw new Error(`network did not settle within ${maxRounds} deliveries`);
  }

  tick(id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) {
      this.get(id).node.tick();
      this.settle();
    }
  }

  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const hn of this.nodes.values()) hn.node.tick();
      this.settle();
    }
  }

  campaign(id: NodeId): void {
    this.get(id).node.campaign();
    this.settle();
  }

  /**
   * Elect `id` in a cluster that has no live leader: expire everyone's leader contact
   * (fresh and restarted nodes otherwise ignore votes for electionTick ticks), campaign, settle.
   */
  elect(id: NodeId): void {
    this.expireLeaderContact();
    this.campaign(id);
    if (this.raft(id).state !== 'leader') throw new Error(`${id} did not win the election (state ${this.raft(id).state})`);
  }

  propose(id: NodeId, text: string): void {
    this.get(id).node.propose(new TextEncoder().encode(text));
    this.settle();
  }

  proposeConfChange(id: NodeId, cc: ConfChange): void {
    this.get(id).node.proposeConfChange(cc);
    this.settle();
  }

  transferLeadership(id: NodeId, to: NodeId): void {
    this.get(id).node.transferLeadership(to);
    this.settle();
  }

  readIndex(id: NodeId, context: string): void {
    this.get(id).node.readIndex(context);
    this.settle();
  }

  leader(): NodeId | undefined {
    const leaders = [...this.nodes.values()].filter((hn) => hn.core.state === 'leader');
    // Several nodes may think they lead in different terms; the newest term wins.
    leaders.sort((a, b) => b.core.term - a.core.term);
    return leaders[0]?.id;
  }

  /** Application payloads (non-empty normal entries) applied by a node, as text. */
  appliedTexts(id: NodeId): string[] {
    return this.get(id)
      .applied.filter((e) => e.type === EntryType.Normal && e.data.length > 0)
      .map((e) => new TextDecoder().decode(e.data));
  }
}

/** A normal entry whose payload names its position, so logs read well in assertions. */
export function entry(index: number, term: number, type: EntryType = EntryType.Normal): Entry {
  return { index, term, type, data: new TextEncoder().encode(`${index}@${term}`) };
}

/**
 * A bootstrapped storage holding a hand-built log: entry i+1 has term terms[i]. For
 * reproducing the paper's figures, where each server's log is given.
 */
export function storageWithLog(
  voters: NodeId[],
  terms: number[],
  hardState: Partial<HardState> = {},
  learners: NodeId[] = [],
): MemoryStorage {
  const s = MemoryStorage.withConfState({ voters, learners });
  s.append(terms.map((t, i) => entry(i + 1, t)));
  const lastTerm = terms[terms.length - 1] ?? 0;
  s.setHardState({ term: hardState.term ?? lastTerm, vote: hardState.vote ?? '', commit: hardState.commit ?? 0 });
  return s;
}

export interface TestRaftOptions {
  electionTick?: number;
  heartbeatTick?: number;
  preVote?: boolean;
  checkQuorum?: boolean;
  learners?: NodeId[];
  storage?: MemoryStorage;
  seed?: number;
}

/**
 * A bare Raft (no RawNode) for unit tests that step messages by hand, as in etcd's
 * raft_paper_test.go. Its leader contact is expired, so it behaves like a node that has
 * been running without a leader (no stickiness unless a test sets it up).
 */
export function newTestRaft(id: NodeId, voters: NodeId[], opts: TestRaftOptions = {}): Raft {
  const storage = opts.storage ?? MemoryStorage.withConfState({ voters, learners: opts.learners ?? [] });
  const r = new Raft({
    id,
    electionTick: opts.electionTick ?? 10,
    heartbeatTick: opts.heartbeatTick ?? 1,
    storage,
    rng: seededRng(opts.seed ?? 1),
    preVote: opts.preVote ?? false,
    checkQuorum: opts.checkQuorum ?? false,
  });
  r.leaderContactElapsed = r.electionTick;
  return r;
}

/** Take (and clear) the messages a bare Raft has queued. */
export function drain(r: Raft): Message[] {
  const out = r.msgs;
  r.msgs = [];
  return out;
}

/** Make a bare Raft leader of term (current+1) by granting it every vote (PreVote off). */
export function makeLeader(r: Raft): void {
  r.hup('election');
  for (const id of r.trk.voters()) {
    if (id === r.id) continue;
    r.step({ type: 'requestVoteResponse', from: id, to: r.id, term: r.term, preVote: false, reject: false });
  }
  if (r.state !== 'leader') throw new Error(`${r.id} did not become leader (state ${r.state})`);
}

/** A membership change as the log entry at (index, term). */
export function confEntry(index: number, term: number, cc: ConfChange): Entry {
  return { index, term, type: EntryType.ConfChange, data: encodeConfChange(cc) };
}

/** Voters `voters`; log = `entries`; hard state at the last entry's term with `commit`. */
export function storageWithEntries(voters: NodeId[], entries: Entry[], commit: number): MemoryStorage {
  const s = MemoryStorage.withConfState({ voters, learners: [] });
  s.append(entries);
  s.setHardState({ term: entries[entries.length - 1].term, vote: '', commit });
  return s;
}
