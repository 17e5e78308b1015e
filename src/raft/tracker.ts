// The leader's (and candidate's) bookkeeping for the whole configuration: one Progress per
// member and the votes of the current election. Model: etcd-io/raft tracker/tracker.go,
// without joint configs. Every iteration is in sorted id order: the simulator replays
// seeds and needs the same message order each time.
import { checkConfState, sortedIds } from './conf-change.js';
import { Progress } from './progress.js';
import { majorityIndex, VoteResult, voteResult } from './quorum.js';
import type { ConfState, NodeId } from './types.js';

export class ProgressTracker {
  /** Voters and learners; a Progress's isLearner says which. */
  readonly progress = new Map<NodeId, Progress>();
  private readonly votes = new Map<NodeId, boolean>();
  /** The ids of `progress`, sorted; rebuilt only when the configuration changes (hot path: every append response). */
  private order: readonly NodeId[] = [];

  constructor(private readonly maxInflight: number) {}

  voters(): NodeId[] {
    return this.ids((pr) => !pr.isLearner);
  }

  learners(): NodeId[] {
    return this.ids((pr) => pr.isLearner);
  }

  confState(): ConfState {
    return { voters: this.voters(), learners: this.learners() };
  }

  isVoter(id: NodeId): boolean {
    const pr = this.progress.get(id);
    return pr !== undefined && !pr.isLearner;
  }

  isLearner(id: NodeId): boolean {
    return this.progress.get(id)?.isLearner === true;
  }

  isMember(id: NodeId): boolean {
    return this.progress.has(id);
  }

  /**
   * Switch to a new config: create Progress(next=lastIndex+1, match=0) for new ids, drop
   * removed ids, flip isLearner for changed ones; keeps existing progress otherwise.
   * Throws ConfChangeError if `cs` lists an id twice.
   */
  applyConfState(cs: ConfState, lastIndex: number): void {
    checkConfState(cs);
    const wanted = new Map<NodeId, boolean>();
    for (const id of cs.voters) wanted.set(id, false);
    for (const id of cs.learners) wanted.set(id, true);
    for (const id of [...this.progress.keys()]) {
      if (!wanted.has(id)) this.progress.delete(id);
    }
    for (const [id, isLearner] of wanted) {
      const pr = this.progress.get(id);
      if (pr !== undefined) {
        pr.isLearner = isLearner;
        continue;
      }
      const fresh = new Progress({ next: lastIndex + 1, match: 0, maxInflight: this.maxInflight, isLearner });
      // A node just added has had no chance to talk to us yet; counting it as inactive
      // could make CheckQuorum depose a healthy leader right after the change.
      fresh.recentActive = true;
      this.progress.set(id, fresh);
    }
    this.order = sortedIds(this.progress.keys());
  }

  /** Commit index by majority of voters' match (leader's own match included via its Progress). */
  committed(): number {
    return majorityIndex(this.voters(), (id) => this.progress.get(id)?.match ?? 0);
  }

  /** Iterate in sorted id order (determinism matters: the simulator replays seeds). */
  visit(fn: (id: NodeId, pr: Progress) => void): void {
    for (const id of this.order) fn(id, this.progress.get(id)!);
  }

  /** CheckQuorum: do a majority of voters have recentActive (caller sets its own true)? */
  quorumActive(): boolean {
    const active = new Map<NodeId, boolean>();
    this.visit((id, pr) => {
      if (!pr.isLearner) active.set(id, pr.recentActive);
    });
    return voteResult(active.keys(), active) === VoteResult.Won;
  }

  /** First vote per id wins: a duplicated or replayed response cannot flip it. */
  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  /** Whether `id` answered in the current election (granted or rejected). */
  hasVoted(id: NodeId): boolean {
    return this.votes.has(id);
  }

  /** Only votes of current voters count (a learner's or a removed node's are ignored). */
  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    const voters = this.voters();
    let granted = 0;
    let rejected = 0;
    for (const id of voters) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    return { granted, rejected, result: voteResult(voters, this.votes) };
  }

  resetVotes(): void {
    this.votes.clear();
  }

  private ids(keep: (pr: Progress) => boolean): NodeId[] {
    const out: NodeId[] = [];
    this.visit((id, pr) => {
      if (keep(pr)) out.push(id);
    });
    return out;
  }
}
