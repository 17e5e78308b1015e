// "Is every previous holder known to be down?" — the rule that lets a promotion add its VIP
// without the duplicate-address probe (docs/design-notes.md "Skipping the duplicate-address
// probe"). Pure, from facts the role controller already holds when it promotes:
//   - the replicated `holders` list: a promotion leaves it only when its holder confirmed the
//     demotion (its demote sequence, VIP removal included, ran to completion) or a fence hook
//     against it exited 0, and `demoted`/`fenced` cover only epochs up to the one named;
//   - the fence hooks this node ran successfully for the promotion it prepares (`name@epoch`).
// Nothing here is a clock or a guess: a holder waited out by its lease is NOT known down (a
// killed or paused agent keeps its address), so the probe stays for it.
import type { ActiveRecord } from '../statemachine/ha-record.js';

/**
 * True when none of `others` (every holder other than the promoting node still listed in the
 * applied record) can hold the address: each was fenced by this node for promotion `epoch`.
 * An empty list is true: every earlier promotion was confirmed demoted or fenced in the log.
 */
export function previousHoldersDown(others: readonly ActiveRecord[], fencedForPromotion: ReadonlySet<string>, epoch: number): boolean {
  return others.every((h) => fencedForPromotion.has(fenceKey(h.holder, epoch)));
}

/** How a successful fence of `holder` for the promotion `epoch` is remembered. */
export function fenceKey(holder: string, epoch: number): string {
  return `${holder}@${epoch}`;
}
