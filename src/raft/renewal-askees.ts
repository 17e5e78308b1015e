// Which followers a lease renewal asks to answer (issue 20, idle CPU). The renewal needs a
// quorum of acknowledgements, not every follower's, and every answer costs the leader a
// wake-up: ask just enough voters. Silence is still never an acknowledgement, so whom we ask
// decides only how soon the quorum is seen, never whether a lease holds. The caller asks
// everyone when a read waits, when the previous renewal went unanswered, or when too few
// followers are known to answer (this returns undefined then).
import type { NodeId } from './types.js';

export interface AskCandidate {
  readonly id: NodeId;
  /** It answered the last round it was asked (it acked a round at or after that one). */
  readonly answeredLastAsk: boolean;
  /** The last heartbeat round that asked it to answer (0: none in this term). */
  readonly askedRound: number;
}

/**
 * `need` of the candidates: those that answered their last ask first (a silent one would make
 * the renewal wait for the next round), then the least recently asked, so the answers rotate
 * among the followers; ties by id (the simulator replays seeds). Undefined when fewer than
 * `need` candidates exist: the caller asks everyone.
 */
export function pickRenewalAskees(candidates: readonly AskCandidate[], need: number): ReadonlySet<NodeId> | undefined {
  if (!Number.isInteger(need) || need < 0) throw new RangeError(`renewal needs a whole number of answers, got ${need}`);
  if (candidates.length < need) return undefined;
  const order = [...candidates].sort(
    (a, b) =>
      Number(b.answeredLastAsk) - Number(a.answeredLastAsk) || a.askedRound - b.askedRound || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return new Set(order.slice(0, need).map((c) => c.id));
}
