// The sequences the role controller asks its caller to run, each with what its hook is told:
// the epoch, the target, the reason and PALISADE_PREVIOUS_ACTIVE. Pure constructors.
import type { ActiveRecord } from '../statemachine/ha-record.js';
import type { ControllerAction } from './types.js';

export type RunAction = Extract<ControllerAction, { type: 'run' }>;

/** The start-up demotion: whatever a past life of this node may have left up (epoch 0). */
export function startupDemoteAction(nodeId: string, term: number): RunAction {
  return {
    type: 'run',
    kind: 'demote',
    epoch: 0,
    target: nodeId,
    reason: 'startup',
    previousActive: '',
    term,
    notAfter: Number.POSITIVE_INFINITY,
  };
}

/** Demote `epoch`, which this node holds (or is promoting). */
export function demoteAction(nodeId: string, epoch: number, term: number, reason: string): RunAction {
  return { type: 'run', kind: 'demote', epoch, target: nodeId, reason, previousActive: nodeId, term, notAfter: Number.POSITIVE_INFINITY };
}

/** Fence `holder`, which did not confirm its demotion, before promoting `promotion`. */
export function fenceAction(promotion: ActiveRecord, holder: ActiveRecord, term: number): RunAction {
  return {
    type: 'run',
    kind: 'fence',
    epoch: promotion.epoch,
    target: holder.holder,
    reason: `promotion of epoch ${promotion.epoch}: ${holder.holder} did not confirm demoting epoch ${holder.epoch}`,
    previousActive: holder.holder,
    term,
    notAfter: Number.POSITIVE_INFINITY,
  };
}

/**
 * Promote `promotion` (this node's, proposed in the current term), starting no later than `notAfter`. The previous active is
 * the newest other holder not yet confirmed down, else `lastOtherActive`, the last other holder
 * this node saw ('' for none).
 */
export function promoteAction(
  promotion: ActiveRecord,
  others: readonly ActiveRecord[],
  lastOtherActive: string,
  notAfter: number,
): RunAction {
  const unconfirmed = others.length > 0 ? others[others.length - 1] : undefined;
  const previous = unconfirmed?.holder ?? lastOtherActive;
  return {
    type: 'run',
    kind: 'promote',
    epoch: promotion.epoch,
    target: promotion.holder,
    reason: unconfirmed ? `failover from ${previous}` : previous ? `takeover from ${previous}` : 'elected',
    previousActive: previous,
    term: promotion.term,
    notAfter,
  };
}
