// Membership changes, one server at a time (Raft thesis §4.1; paper §6 describes joint
// consensus, which we do not use). Pure: each change returns a new ConfState built from a
// copy, with its invariants checked. Model: etcd-io/raft confchange/confchange.go, minus
// joint configs.
import { ConfChangeError } from './errors.js';
import { ConfChangeType, NONE } from './types.js';
import type { ConfChange, ConfState, NodeId } from './types.js';

/**
 * Apply one single-server change. AddVoter on a learner promotes it; AddLearner on a voter
 * demotes it (that is removing one voter, still single-server); AddVoter on an existing
 * voter or RemoveNode of an unknown id is a no-op. Throws ConfChangeError if the result has
 * no voters. Invariants: voters ∩ learners = ∅, no duplicates, output sorted.
 */
export function applyConfChange(cs: ConfState, cc: ConfChange): ConfState {
  if (cc.nodeId === NONE) throw new ConfChangeError(`${cc.type}: empty node id`);
  const voters = new Set(cs.voters);
  const learners = new Set(cs.learners);
  const id = cc.nodeId;
  switch (cc.type) {
    case ConfChangeType.AddVoter:
      learners.delete(id);
      voters.add(id);
      break;
    case ConfChangeType.AddLearner:
      voters.delete(id);
      learners.add(id);
      break;
    case ConfChangeType.RemoveNode:
      voters.delete(id);
      learners.delete(id);
      break;
    default: {
      const never: never = cc.type;
      throw new ConfChangeError(`unknown conf change type ${String(never)}`);
    }
  }
  if (voters.size === 0) {
    throw new ConfChangeError(`${cc.type} ${id}: the configuration would have no voters`);
  }
  const next: ConfState = { voters: sortedIds(voters), learners: sortedIds(learners) };
  checkConfState(next);
  return next;
}

/**
 * Throws ConfChangeError unless voters and learners are each free of duplicates and of the
 * empty id, and disjoint. An empty voter set is allowed here: a fresh node starts with one
 * until it learns the configuration.
 */
export function checkConfState(cs: ConfState): void {
  const seen = new Set<NodeId>();
  for (const id of [...cs.voters, ...cs.learners]) {
    if (id === NONE) throw new ConfChangeError('configuration contains the empty node id');
    if (seen.has(id)) throw new ConfChangeError(`node ${id} appears twice in the configuration`);
    seen.add(id);
  }
}

/** Number of voters that differ between two configs (symmetric difference): ≤ 1 for any single change. */
export function voterDelta(a: ConfState, b: ConfState): number {
  const inA = new Set(a.voters);
  const inB = new Set(b.voters);
  let delta = 0;
  for (const id of inA) if (!inB.has(id)) delta++;
  for (const id of inB) if (!inA.has(id)) delta++;
  return delta;
}

/** Same voters and same learners, regardless of order. */
export function confStateEqual(a: ConfState, b: ConfState): boolean {
  return idSetEqual(a.voters, b.voters) && idSetEqual(a.learners, b.learners);
}

function idSetEqual(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  const sa = sortedIds(new Set(a));
  const sb = sortedIds(new Set(b));
  return sa.length === sb.length && sa.every((id, i) => id === sb[i]);
}

/** Code-unit order: the same on every node and every run. */
export function sortedIds(ids: Iterable<NodeId>): NodeId[] {
  return [...ids].sort();
}
