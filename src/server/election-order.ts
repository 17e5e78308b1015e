// Which follower campaigns first when the leader goes quiet.
//
// Raft's default draws each follower's election timeout uniformly from [E, 2E). Two things
// follow for failover time: the first follower to notice waits on average E + E/3 (three
// nodes: the smaller of two draws), and two followers that time out within a vote round trip
// of each other split the vote, which costs a whole further timeout (the slow tail).
//
// palisade staggers the followers instead: they are ranked, the leader left out, by
// (may hold the active role, priority descending, id), and rank r times out at
// E + r·step + jitter, with jitter < step. So the best-ranked live follower campaigns at E, and
// the next one only `step − jitter` ticks later, long after the first one's vote round trip.
// The other followers heard the leader's last heartbeat at the same moment as the first one,
// but their ticks run with another phase and lag by different amounts, so at E ticks their
// own count may still be E − 1: stickiness then ignores the PreVote without an answer. The
// core therefore repeats an unanswered PreVote on its first PREVOTE_RETRY_TICKS ticks
// (RaftConfig.preVoteRetryTicks) instead of waiting for its next timeout, which the failover
// benchmark showed costing 100–200 ms in a few rounds out of twenty. A split vote needs two
// nodes to disagree about the ranking (one has not applied a profile change yet, or does not
// know the leader); the jitter, and the redraw after a failed campaign (a candidate knows no
// leader and ranks itself among all voters), separate them. --priority therefore also decides
// who wins an election, and a --no-active witness campaigns last.
//
// Safety does not depend on any of this: the core clamps the result into [E, 2E), and votes
// are refused by stickiness and the log check whatever the timeouts are.
import type { HaProfile } from '../ha/profiles.js';
import type { ElectionTimeoutContext, ElectionTimeoutPolicy } from '../raft/config.js';
import type { NodeId } from '../raft/types.js';

/** How many ticks a pre-candidate repeats unanswered PreVote requests (see the header). */
export const PREVOTE_RETRY_TICKS = 3;

/** The ticks between ranks, and the random spread within one rank (always < step). */
export function staggerOf(electionTick: number): { step: number; jitter: number } {
  const step = Math.max(3, Math.round(electionTick / 6));
  return { step, jitter: Math.max(1, Math.floor(step / 2)) };
}

/** 0 = campaigns first. Voters other than the leader, by (eligible, priority desc, id). */
export function electionRank(self: NodeId, voters: readonly NodeId[], lead: NodeId, profiles: ReadonlyMap<string, HaProfile>): number {
  const key = (id: NodeId) => {
    const p = profiles.get(id);
    return { id, eligible: p?.noActive !== true, priority: p?.priority ?? 0 };
  };
  const ranked = voters
    .filter((id) => id !== lead)
    .map(key)
    .sort((a, b) => Number(b.eligible) - Number(a.eligible) || b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rank = ranked.findIndex((c) => c.id === self);
  return rank >= 0 ? rank : ranked.length;
}

/** The policy the agent gives its Raft core; `profiles` reads the replicated HA profiles now. */
export function staggeredElectionTimeout(profiles: () => ReadonlyMap<string, HaProfile>): ElectionTimeoutPolicy {
  return (ctx: ElectionTimeoutContext) => {
    const { step, jitter } = staggerOf(ctx.electionTick);
    const rank = electionRank(ctx.id, ctx.voters, ctx.lead, profiles());
    return ctx.electionTick + rank * step + ctx.rng.int(jitter);
  };
}
