// Seven known Raft bugs, injected into the REAL core from test code only: each mutant patches
// one overridable decision point of a core class's prototype for the duration of one run
// (withMutant restores it in `finally`), or swaps the simulator's Ready executor. The teeth
// test shows the simulator's properties catch every one of them; nothing here is a flag in src/.
import type { ActionGroup } from './nemesis.js';
import { Raft } from '../../src/raft/raft.js';
import { RaftLog } from '../../src/raft/raft-log.js';
import { ConfChangeType, EntryType, StateType } from '../../src/raft/types.js';
import type { Entry, NodeId } from '../../src/raft/types.js';
import type { Message } from '../../src/raft/messages.js';
import type { Status } from '../../src/raft/ready.js';
import { sendBeforePersistExecutor } from './ready-executor.js';
import type { ReadyExecutor } from './ready-executor.js';
import { Simulator } from './simulator.js';

export const MutantName = {
  VoteWithoutLogCheck: 'vote-without-log-check',
  CommitEarlierTerm: 'commit-earlier-term',
  AnswerBeforePersist: 'answer-before-persist',
  TruncateOnAppend: 'truncate-on-append',
  ConfChangeBeforeNoop: 'conf-change-before-noop',
  StaleReadIndex: 'stale-read-index',
  LeaderReadWithoutRound: 'leader-read-without-round',
} as const;
export type MutantName = (typeof MutantName)[keyof typeof MutantName];

export interface Mutant {
  readonly name: MutantName;
  /** The bug, in one sentence. */
  readonly bug: string;
  /** Patch the core; returns the undo. A mutant living in the executor patches nothing. */
  install(): () => void;
  /** The broken Ready executor, for the bug that lives in the caller, not in the core. */
  readonly executor?: ReadyExecutor;
  /**
   * Nemesis weights for this bug's campaign (same properties, a different mix of faults); the
   * real core must pass the same cases. Only for bugs the default mix reaches too rarely.
   */
  readonly weights?: Partial<Record<ActionGroup, number>>;
  /** A larger case budget than the default, stated here, for a bug whose window is rare. */
  readonly runs?: number;
  /**
   * For a bug whose window is a few ms wide: a scripted run of the same simulator and checker
   * that waits on predicates to hit it (an extra check; the random campaign finds it too).
   * Must pass on the real core.
   */
  readonly directed?: (seed: number) => Simulator;
}

/** Replace proto[key] and return how to put the original back. */
function patch<T extends object, K extends keyof T>(proto: T, key: K, impl: T[K]): () => void {
  const own = Object.prototype.hasOwnProperty.call(proto, key);
  const original = proto[key];
  proto[key] = impl;
  return () => {
    if (own) proto[key] = original;
    else delete proto[key];
  };
}

const noPatch = (): (() => void) => () => {};

/** Run fn with the mutant installed; the core is restored even when fn throws. */
export function withMutant<T>(m: Mutant, fn: () => T): T {
  const undo = m.install();
  try {
    return fn();
  } finally {
    undo();
  }
}

/** 1. §5.4.1 broken: a voter grants its vote to a candidate whose log is behind its own. */
const voteWithoutLogCheck: Mutant = {
  name: MutantName.VoteWithoutLogCheck,
  bug: 'a voter grants a vote without the §5.4.1 up-to-date check',
  install: () => patch(Raft.prototype, 'candidateLogIsUpToDate', () => true),
};

/**
 * 2. §5.4.2 / Figure 8 broken: the leader commits whatever a quorum holds, even an entry of
 * an earlier term that a later leader may still overwrite.
 */
const commitEarlierTerm: Mutant = {
  name: MutantName.CommitEarlierTerm,
  bug: 'a leader commits an earlier-term entry by counting replicas (Figure 8)',
  install: () => {
    const original = Raft.prototype.maybeCommit;
    return patch(Raft.prototype, 'maybeCommit', function (this: Raft): boolean {
      if (original.call(this)) return true;
      if (this.state !== StateType.Leader) return false;
      // Never backwards, never beyond what we hold: the bug is only "any term counts".
      const quorumIndex = Math.min(this.trk.committed(), this.raftLog.lastIndex());
      if (quorumIndex <= this.raftLog.committed) return false;
      this.raftLog.commitTo(quorumIndex);
      return true;
    });
  },
  directed: (seed) => figure8Scenario(seed),
};

/**
 * 3. The Ready contract broken: messages (vote grants, append acks) leave before the hard
 * state and entries are durable; the disk catches up in a later event, so a crash in between
 * forgets a vote that was already granted.
 */
const answerBeforePersist: Mutant = {
  name: MutantName.AnswerBeforePersist,
  bug: 'a node answers (votes, acks) before its term, vote and entries are persisted',
  install: noPatch,
  executor: sendBeforePersistExecutor,
};

/**
 * 4. §5.3 broken: the follower truncates everything after prevIndex on each AppendEntries,
 * even when its entries already match, so a stale, reordered append erases entries the
 * follower has acknowledged and the leader has counted for commitment.
 */
const truncateOnAppend: Mutant = {
  name: MutantName.TruncateOnAppend,
  bug: 'a follower truncates after prevIndex on every append, even when entries match',
  install: () =>
    patch(
      RaftLog.prototype,
      'maybeAppend',
      function (this: RaftLog, prevIndex: number, prevTerm: number, committed: number, ents: readonly Entry[]) {
        if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
        const lastNew = prevIndex + ents.length;
        if (ents.length > 0) this.append(ents); // no findConflict: the suffix goes
        this.commitTo(Math.min(committed, lastNew));
        return lastNew;
      },
    ),
};

/**
 * 5. §6 single-server change safety broken: the new leader ignores its own no-op as the
 * pending index and accepts a membership change as soon as no earlier *change* of its own is
 * pending, while an earlier term's change may still be unapplied: two changes then take
 * effect on one quorum, and the old and new voter sets need not overlap.
 */
const confChangeBeforeNoop: Mutant = {
  name: MutantName.ConfChangeBeforeNoop,
  bug: "a voter-set change is accepted before the new leader's no-op has been applied",
  install: () =>
    patch(Raft.prototype, 'confChangeAllowed', function (this: Raft): boolean {
      const pending = this.pendingConfIndex;
      if (pending <= this.raftLog.applied) return true;
      // pending > applied ≥ firstIndex-1, so the entry is still in the log.
      const [e] = this.raftLog.slice(pending, pending + 1);
      return e?.type !== EntryType.ConfChange;
    }),
  directed: (seed) => confChangeWindowScenario(seed),
  // It bites only when a committed-but-unapplied membership change meets a new leader: a
  // membership- and failover-heavy mix reaches that far more often than the default one.
  weights: { membership: 10, event: 10, process: 3, network: 2, transfer: 1, client: 1, wait: 4 },
  // Found after ~4000-5600 cases on the recorded seed; the margin keeps a small change of the
  // core's message timing from pushing it past the budget.
  runs: 15_000,
};

/**
 * 6. ReadIndex broken (§8): a read is answered from the local commit index with no heartbeat
 * round proving leadership — by a leader that may have been deposed, or by a follower whose
 * commit index lags — so a read can miss a write that completed before it began.
 */
const staleReadIndex: Mutant = {
  name: MutantName.StaleReadIndex,
  bug: 'a ReadIndex is answered from local state (own commit index) without a quorum round',
  install: () =>
    patch(Raft.prototype, 'readIndex', function (this: Raft, context: string): void {
      this.readStates.push({ index: this.raftLog.committed, context });
    }),
};

/**
 * 7. ReadIndex broken on the leader only (etcd 0.4, Consul; Jepsen 2014): the leader answers a
 * read from its own commit index without a heartbeat round, once its no-op has committed.
 * Followers still forward to their leader, so their reads are only wrong when that leader is
 * stale: the bug shows only when a client reaches a node that still believes it leads after a
 * newer leader has committed a write (CheckQuorum deposes it only after an election timeout).
 */
const leaderReadWithoutRound: Mutant = {
  name: MutantName.LeaderReadWithoutRound,
  bug: 'a leader answers ReadIndex from its own commit index without a heartbeat round',
  install: () => {
    const original = Raft.prototype.leaderReadIndex;
    return patch(Raft.prototype, 'leaderReadIndex', function (this: Raft, context: string, from: NodeId): void {
      // Before its no-op commits the leader still queues the read (the original does that);
      // the bug is only the missing round.
      if (this.raftLog.term(this.raftLog.committed) !== this.term) return original.call(this, context, from);
      const index = this.raftLog.committed;
      if (from === this.id) return void this.readStates.push({ index, context });
      const send = (this as unknown as { send(m: Message): void }).send;
      send.call(this, { type: 'readIndexResponse', from: this.id, to: from, term: this.term, context, index, reject: false });
    });
  },
};

export const MUTANTS: readonly Mutant[] = [
  voteWithoutLogCheck,
  commitEarlierTerm,
  answerBeforePersist,
  truncateOnAppend,
  confChangeBeforeNoop,
  staleReadIndex,
  leaderReadWithoutRound,
];

// ---------------------------------------------------------------- directed scenarios
// Two of the bugs need a fault inside a window a few milliseconds wide (right after an
// election). Fixed random waits of 1–600 ms almost never land there; the random campaign now
// reaches them through event-driven nemesis actions (nemesis.ts: failover, awaitLeader,
// awaitCommit) and one-entry-per-append runs. These scripts, which first showed the two bugs,
// drive the same simulator and checker by waiting on predicates; they are kept as extra
// regression checks and must pass on the real core.

function statusOf(sim: Simulator, id: NodeId): Status | undefined {
  return sim.nodes.get(id)?.raw?.status();
}

function othersOf(sim: Simulator, id: NodeId): [NodeId, NodeId] {
  const rest = sim.pool.slice(0, 3).filter((x) => x !== id);
  return [rest[0], rest[1]];
}

/**
 * Raft paper Figure 8 on three nodes, with one entry per append so that a follower can hold an
 * old-term entry without the new leader's no-op after it:
 *   (a) leader A (term t) appends index k, which reaches nobody;
 *   (b) B wins a later term with C's vote, appends its no-op at k and is cut off at once;
 *   (c) A wins again with C's vote and re-sends k to C — the mutant commits it now;
 *   (d) A is cut off, B wins with C's vote (B's last term is newer) and overwrites index k.
 */
export function figure8Scenario(seed: number): Simulator {
  const sim = new Simulator({ seed, nodes: 3, maxSizePerMsg: 1 });
  sim.runFor(300);
  const a = sim.leader()?.id;
  if (a === undefined) return sim;
  const k = (statusOf(sim, a)?.lastIndex ?? 0) + 1;
  sim.isolate(a);
  sim.write(a, { t: 'put', k: 'x', v: '1' });
  sim.runFor(2000, () => {
    const l = sim.leader();
    return l !== undefined && l.id !== a;
  });
  const b = sim.leader()?.id;
  if (b === undefined || b === a) return sim;
  sim.healLinks();
  sim.isolate(b);
  sim.runFor(3000, () => (statusOf(sim, a)?.commit ?? 0) >= k);
  sim.healLinks();
  sim.isolate(a);
  sim.runFor(3000);
  return sim;
}

/**
 * The single-server change bug (Ongaro, raft-dev 2015) in its apply-time form: leader A
 * proposes removing itself and is cut off as soon as one follower holds the change; the new
 * leader N proposes removing the other follower X before its no-op has been applied; both
 * changes commit on one quorum of the old set, so N alone becomes a quorum of {N} while A and
 * X, still on the old set, form a majority of their own.
 */
export function confChangeWindowScenario(seed: number): Simulator {
  const sim = new Simulator({ seed, nodes: 3 });
  sim.runFor(300);
  const a = sim.leader()?.id;
  if (a === undefined) return sim;
  const [b, c] = othersOf(sim, a);
  const first = (statusOf(sim, a)?.lastIndex ?? 0) + 1;
  sim.changeMembership(ConfChangeType.RemoveNode, 'leader');
  sim.runFor(1000, () => (statusOf(sim, b)?.lastIndex ?? 0) >= first || (statusOf(sim, c)?.lastIndex ?? 0) >= first);
  sim.isolate(a);
  sim.runFor(2000, () => {
    const l = sim.leader();
    return l !== undefined && l.id !== a;
  });
  const n = sim.leader()?.id;
  if (n === undefined || n === a) return sim;
  const x = n === b ? c : b;
  const second = (statusOf(sim, n)?.lastIndex ?? 0) + 1;
  sim.changeMembership(ConfChangeType.RemoveNode, x);
  sim.runFor(500, () => (statusOf(sim, n)?.commit ?? 0) >= second);
  sim.healLinks();
  sim.isolate(n);
  sim.write(n, { t: 'put', k: 'x', v: '1' });
  sim.runFor(2000);
  return sim;
}
