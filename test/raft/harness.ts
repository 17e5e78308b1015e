// A tiny synchronous test network of RawNodes (model: etcd raft_test.go `network`).
// Messages are delivered immediately in FIFO order until the network is quiet; Ready is
// executed in the contract order: persist, send, apply, advance. No time, no randomness
// beyond each node's seeded rng: tests drive ticks explicitly.
import { MemoryStorage } from '../../src/raft/memory-storage.js';
import type { Message, MessageType } from '../../src/raft/messages.js';
import { RawNode } from '../../src/raft/raw-node.js';
import type { Ready } from '../../src/raft/ready.js';
import { seededRng } from '../../src/raft/rng.js';
import { EntryType, type Entry, type NodeId, type ReadState, type Snapshot } from '../../src/raft/types.js';

export interface HarnessNode {
  id: NodeId;
  node: RawNode;
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
}

export class Harness {
  readonly nodes = new Map<NodeId, HarnessNode>();
  /** Directed links that drop everything: "a->b". */
  private readonly cut = new Set<string>();
  /** Message types dropped everywhere. */
  private readonly ignored = new Set<MessageType>();
  readonly delivered: Message[] = [];
  private seed: number;

  constructor(
    readonly ids: NodeId[],
    readonly opts: HarnessOptions = {},
  ) {
    this.seed = opts.seed ?? 1;
    const voters = ids.filter((id) => !(opts.learners ?? []).includes(id));
    for (const id of ids) {
      const storage = new MemoryStorage();
      storage.setConfState({ voters, learners: opts.learners ?? [] });
      this.addNode(id, storage);
    }
  }

  /** (Re)start a node from the given storage (a crash keeps only what was persisted). */
  addNode(id: NodeId, storage: MemoryStorage): HarnessNode {
    const node = new RawNode({
      id,
      electionTick: this.opts.electionTick ?? 10,
      heartbeatTick: this.opts.heartbeatTick ?? 1,
      storage,
      rng: seededRng(this.seed++),
      preVote: this.opts.preVote ?? true,
      checkQuorum: this.opts.checkQuorum ?? true,
      applied: storage.snapshot().metadata.index,
    });
    const hn: HarnessNode = { id, node, storage, applied: [], readStates: [], snapshotsApplied: [] };
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
    return this.get(id).node.raft;
  }

  isolate(id: NodeId): void {
    for (const other of this.ids) {
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
  }

  ignore(t: MessageType): void {
    this.ignored.add(t);
  }

  /** Execute one Ready of one node: persist, collect messages, apply, advance. */
  private processReady(hn: HarnessNode, out: Message[]): void {
    const rd: Ready = hn.node.ready();
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
    for (let round = 0; round < maxRounds; round++) {
      for (const hn of this.nodes.values()) {
        while (hn.node.hasReady()) this.processReady(hn, queue);
      }
      if (queue.length === 0) return;
      const m = queue.shift()!;
      if (this.cut.has(`${m.from}->${m.to}`) || this.ignored.has(m.type)) continue;
      const target = this.nodes.get(m.to);
      if (!target) continue;
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

  propose(id: NodeId, text: string): void {
    this.get(id).node.propose(new TextEncoder().encode(text));
    this.settle();
  }

  leader(): NodeId | undefined {
    const leaders = [...this.nodes.values()].filter((hn) => hn.node.raft.state === 'leader');
    // Several nodes may think they lead in different terms; the newest term wins.
    leaders.sort((a, b) => b.node.raft.term - a.node.raft.term);
    return leaders[0]?.id;
  }

  /** Application payloads (non-empty normal entries) applied by a node, as text. */
  appliedTexts(id: NodeId): string[] {
    return this.get(id)
      .applied.filter((e) => e.type === EntryType.Normal && e.data.length > 0)
      .map((e) => new TextDecoder().decode(e.data));
  }
}
