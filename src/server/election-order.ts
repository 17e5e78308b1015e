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
// benchmark showed adding a whole extra timeout to some rounds. A split vote needs two
// nodes to disagree about the ranking (one has not applied a profile change yet, or does not
// know the leader); the jitter, and the redraw after a failed campaign (a candidate knows no
// leader and ranks itself among all voters), separate them. --priority therefore also decides
// who wins an election, and a --no-active witness campaigns last.
//
// Service health (issue 15) ranks before priority: a node whose published check verdict is
// unhealthy or not known yet would only hand leadership on (it is never promoted), so it
// campaigns after every node that is ready to take the role, and a healthy node wins the
// election itself instead of an election followed by a transfer. Verdicts are replicated like
// the profiles, so every member ranks alike; when all ready nodes are gone, the others still
// campaign, one rank later each.
//
// Safety does not depend on any of this: the core clamps the result into [E, 2E), and votes
// are refused by stickiness and the log check whatever the timeouts are.
import { Health } from '../statemachine/ha-record.js';
import type { HaProfile } from '../ha/profiles.js';
import type { NodeHealth } from '../statemachine/ha-record.js';
import type { ElectionTimeoutContext, ElectionTimeoutPolicy } from '../raft/config.js';
import type { NodeId } from '../raft/types.js';

/** How many ticks a pre-candidate repeats unanswered PreVote requests (see the header). */
export const PREVOTE_RETRY_TICKS = 3;

/** The ticks between ranks, and the random spread within one rank (always < step). */
export function staggerOf(electionTick: number): { step: number; jitter: number } {
  const step = Math.max(3, Math.round(electionTick / 6));
  return { step, jitter: Math.max(1, Math.floor(step / 2)) };
}

/**
 * Ready to take the role by what the cluster knows: a published verdict of healthy, or no verdict
 * from a node whose profile says it runs no check (or that published no profile yet, as before
 * checks existed).
 */
export function readyByHealth(id: NodeId, profile: HaProfile | undefined, verdicts: readonly NodeHealth[]): boolean {
  const v = verdicts.find((h) => h.node === id);
  return v !== undefined ? v.health === Health.Healthy : profile?.check !== true;
}

/** 0 = campaigns first. Voters other than the leader, by (eligible, ready by health, priority desc, id). */
export function electionRank(
  self: NodeId,
  voters: readonly NodeId[],
  lead: NodeId,
  profiles: ReadonlyMap<string, HaProfile>,
  verdicts: readonly NodeHealth[] = [],
): number {
  const key = (id: NodeId) => {
    const p = profiles.get(id);
    return { id, eligible: p?.noActive !== true, ready: readyByHealth(id, p, verdicts), priority: p?.priority ?? 0 };
  };
  const ranked = voters
    .filter((id) => id !== lead)
    .map(key)
    .sort(
      (a, b) =>
        Number(b.eligible) - Number(a.eligible) ||
        Number(b.ready) - Number(a.ready) ||
        b.priority - a.priority ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  const rank = ranked.findIndex((c) => c.id === self);
  return rank >= 0 ? rank : ranked.length;
}

/**
 * The policy the agent gives its Raft core; `profiles` reads the replicated HA profiles now,
 * `verdicts` the replicated check verdicts.
 */
export function staggeredElectionTimeout(
  profiles: () => ReadonlyMap<string, HaProfile>,
  verdicts: () => readonly NodeHealth[] = () => [],
): ElectionTimeoutPolicy {
  return (ctx: ElectionTimeoutContext) => {
    const { step, jitter } = staggerOf(ctx.electionTick);
    const rank = electionRank(ctx.id, ctx.voters, ctx.lead, profiles(), verdicts());
    return ctx.electionTick + rank * step + ctx.rng.int(jitter);
  };
}
