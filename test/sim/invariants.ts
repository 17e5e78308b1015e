// Raft's safety properties (paper Figure 3), checked after every simulator event. The
// checker remembers across the whole run — crashes included — which node led each term,
// which entry was committed at each index and which entry was applied at each index, so a
// property broken by a crash and a restart later is still caught.
import { StateType } from '../../src/raft/types.js';
import type { ConfState, Entry, NodeId } from '../../src/raft/types.js';
import { bytesToText } from './kv-state-machine.js';
import type { SimNode } from './sim-node.js';

export const Invariant = {
  /** §5.2: at most one leader can be elected in a given term. */
  ElectionSafety: 'election-safety',
  /** §5.3: logs that agree on (index, term) agree before it; here: committed entries never change. */
  LogMatching: 'log-matching',
  /** §5.4.1: a leader's log contains every entry committed in an earlier term. */
  LeaderCompleteness: 'leader-completeness',
  /** §5.4.3: no two nodes apply different entries at one index. */
  StateMachineSafety: 'state-machine-safety',
  /** Committed entries are handed to the application once each, in index order. */
  ApplyOrder: 'apply-order',
  /** §7: snapshots (taken or installed) of the same index hold the same state. */
  SnapshotAgreement: 'snapshot-agreement',
  /** §6: nodes that have applied the same log prefix agree on the membership. */
  ConfAgreement: 'conf-agreement',
  /** The core threw something other than a documented proposal rejection. */
  CoreException: 'core-exception',
  /** After healing, a leader exists and a fresh write commits within the stated bound. */
  Liveness: 'liveness',
  /** The client history has no linearization (Wing & Gong check). */
  Linearizability: 'linearizability',
  /**
   * Quiet ticks (SimOptions.quietTicks): a tick a node slept through would have acted — it
   * produced a Ready when performed late, or the node's actor had something to do at its due time.
   */
  QuietTick: 'quiet-tick',
} as const;
export type Invariant = (typeof Invariant)[keyof typeof Invariant];

export interface Violation {
  readonly invariant: Invariant;
  readonly message: string;
  /** Simulated real time (ms) of the event after which it was found. */
  readonly time: number;
}

interface CommittedEntry {
  readonly term: number;
  readonly key: string;
  /** Term of the node that first reported it committed: the leader that committed it. */
  readonly commitTerm: number;
  readonly by: NodeId;
}

export class InvariantChecker {
  violation: Violation | undefined;
  private readonly leaderOfTerm = new Map<number, NodeId>();
  private readonly leadersChecked = new Set<string>();
  private readonly committed: (CommittedEntry | undefined)[] = [];
  private readonly appliedAt = new Map<number, { key: string; by: NodeId }>();
  private readonly snapshotAt = new Map<number, { digest: string; by: NodeId }>();
  private readonly confAt = new Map<number, { conf: string; by: NodeId }>();
  /** Per node: highest index whose committed entry was compared (reset on restart). */
  private readonly commitChecked = new Map<NodeId, number>();

  constructor(private readonly now: () => number) {}

  fail(invariant: Invariant, message: string): void {
    if (this.violation === undefined) this.violation = { invariant, message, time: this.now() };
  }

  nodeRestarted(id: NodeId): void {
    this.commitChecked.set(id, 0);
  }

  /** State-machine safety and apply order, as each entry is applied. */
  onApply(node: SimNode, e: Entry): void {
    if (e.index !== node.applied + 1) {
      this.fail(Invariant.ApplyOrder, `${node.id} applied index ${e.index} after ${node.applied}`);
    }
    const key = entryKey(e);
    const prev = this.appliedAt.get(e.index);
    if (prev === undefined) {
      this.appliedAt.set(e.index, { key, by: node.id });
    } else if (prev.key !== key) {
      this.fail(Invariant.StateMachineSafety, `index ${e.index}: ${node.id} applied ${key} but ${prev.by} applied ${prev.key}`);
    }
  }

  onSnapshotState(node: SimNode, index: number, data: Uint8Array, how: string): void {
    const digest = bytesToText(data);
    const prev = this.snapshotAt.get(index);
    if (prev === undefined) {
      this.snapshotAt.set(index, { digest, by: node.id });
    } else if (prev.digest !== digest) {
      this.fail(
        Invariant.SnapshotAgreement,
        `snapshot @${index} ${how} by ${node.id} differs from ${prev.by}'s: ${digest} vs ${prev.digest}`,
      );
    }
  }

  /** The membership a node runs with once everything up to `applied` has taken effect. */
  onConf(node: SimNode, applied: number, cs: ConfState): void {
    const conf = `voters=[${[...cs.voters].sort().join(',')}] learners=[${[...cs.learners].sort().join(',')}]`;
    const prev = this.confAt.get(applied);
    if (prev === undefined) {
      this.confAt.set(applied, { conf, by: node.id });
    } else if (prev.conf !== conf) {
      this.fail(Invariant.ConfAgreement, `after applying index ${applied}, ${node.id} has ${conf} but ${prev.by} had ${prev.conf}`);
    }
  }

  /** Election safety, committed-log agreement and leader completeness over all live cores. */
  afterEvent(nodes: Iterable<SimNode>): void {
    const leaders: { node: SimNode; term: number }[] = [];
    const fresh: { from: number; to: number }[] = [];
    for (const node of nodes) {
      const raw = node.raw;
      if (raw === undefined) continue;
      const st = raw.basicStatus();
      if (st.state === StateType.Leader) {
        const prev = this.leaderOfTerm.get(st.term);
        if (prev === undefined) this.leaderOfTerm.set(st.term, node.id);
        else if (prev !== node.id) {
          this.fail(Invariant.ElectionSafety, `term ${st.term} has two leaders: ${prev} and ${node.id}`);
        }
        leaders.push({ node, term: st.term });
      }
      const range = this.recordCommitted(node, st.commit, st.term);
      if (range !== undefined) fresh.push(range);
    }
    for (const { node, term } of leaders) {
      const k = `${node.id}@${term}`;
      if (!this.leadersChecked.has(k)) {
        this.leadersChecked.add(k);
        this.checkLeaderHas(node, term, 1, this.committed.length - 1);
      } else {
        for (const r of fresh) this.checkLeaderHas(node, term, r.from, r.to);
      }
    }
  }

  private recordCommitted(node: SimNode, commit: number, term: number): { from: number; to: number } | undefined {
    const s = node.storage;
    const from = Math.max((this.commitChecked.get(node.id) ?? 0) + 1, s.firstIndex());
    const to = Math.min(commit, s.lastIndex());
    if (to < from) return undefined;
    let freshFrom = -1;
    for (const e of s.entries(from, to + 1)) {
      const key = entryKey(e);
      const prev = this.committed[e.index];
      if (prev === undefined) {
        this.committed[e.index] = { term: e.term, key, commitTerm: term, by: node.id };
        if (freshFrom < 0) freshFrom = e.index;
      } else if (prev.key !== key) {
        this.fail(Invariant.LogMatching, `committed index ${e.index}: ${node.id} has ${key} but ${prev.by} committed ${prev.key}`);
      }
    }
    this.commitChecked.set(node.id, to);
    return freshFrom < 0 ? undefined : { from: freshFrom, to };
  }

  private checkLeaderHas(node: SimNode, term: number, from: number, to: number): void {
    const s = node.storage;
    const first = s.firstIndex();
    const last = s.lastIndex();
    for (let i = Math.max(from, first); i <= to; i++) {
      const c = this.committed[i];
      if (c === undefined || c.commitTerm >= term) continue;
      if (i > last) {
        this.fail(
          Invariant.LeaderCompleteness,
          `${node.id} leads term ${term} with last index ${last} but index ${i} was committed in term ${c.commitTerm}`,
        );
        return;
      }
      if (s.term(i) !== c.term) {
        this.fail(
          Invariant.LeaderCompleteness,
          `${node.id} leads term ${term} with term ${s.term(i)} at index ${i}, committed with term ${c.term} in term ${c.commitTerm}`,
        );
        return;
      }
    }
  }
}

/** Identity of an entry for comparisons: term, type and payload. */
export function entryKey(e: Entry): string {
  return `t${e.term}:${e.type}:${bytesToText(e.data)}`;
}
