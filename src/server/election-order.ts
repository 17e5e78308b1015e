// Which follower campaigns first when the leader goes quiet.
//
// Raft's default draws each follower's election timeout uniformly from [E, 2E). Two things
// follow for failover time: the first follower to notice waits on average E + E/3 (three
// nodes: the smaller of two draws), and two followers that time out within a vote round trip
// of each other split the vote, which costs a whole further timeout (the slow tail).
//
// palisade staggers the followers instead: they are ranked, the leader left out, by
// (may hold the active role, priority descending, id), and rank r times out at
// E + 1 + r·step + jitter, with jitter < step. So the best-ranked live follower campaigns
// one tick after E, and the next one only `step − jitter` ticks later, long after the first
// one's vote round trip. (The one tick matters: the other followers heard the leader's last
// heartbeat at the same moment but tick with another phase, so at exactly E ticks their own
// count may still be E − 1, and stickiness would refuse the vote: the election would wait
// for the next rank. With Raft's random draw the same happens whenever a draw lands on E;
// seen in the failover benchmark before this tick was added.) A split vote
// needs two nodes to disagree about the ranking (e.g. one has not applied a profile change
// yet), and the jitter covers that case. --priority therefore also decides who wins an
// election, and a --no-active witness campaigns last.
//
// Safety does not depend on any of this: the core clamps the result into [E, 2E), and votes
// are refused by stickiness and the log check whatever the timeouts are.
import type { HaProfile } from '../ha/profiles.js';
import type { ElectionTimeoutContext, ElectionTimeoutPolicy } from '../raft/config.js';
import type { NodeId } from '../raft/types.js';

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
    return ctx.electionTick + 1 + rank * step + ctx.rng.int(jitter);
  };
}
