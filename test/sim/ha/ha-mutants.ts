// Seven known single-active bugs, injected from test code only (nothing here is a flag in
// src/ha): a reconfigured or wrapped RoleController, or a simulator whose clocks drift more
// than the timing assumed. ha-teeth.test.ts shows the random HA campaign catches each one.
import { applyHaCommand } from '../../../src/statemachine/ha-state.js';
import { RoleController } from '../../../src/ha/role-controller.js';
import { EMPTY_HA_STATE } from '../../../src/statemachine/ha-record.js';
import type { ControllerAction, ControllerInput, FencingMode, HaConfig, LocalRole } from '../../../src/ha/types.js';
import type { HaCommand, ReplicatedHaState } from '../../../src/statemachine/ha-record.js';
import type { HaController } from './ha-actor.js';
import type { HaTweaks } from './ha-scenario.js';

export const HaMutantName = {
  LeaseTooLong: 'lease-too-long',
  PromoteBeforeCommit: 'promote-before-commit',
  NoTransferWait: 'no-transfer-wait',
  SkipFence: 'skip-fence',
  DriftBeyondBound: 'drift-beyond-bound',
  DemoteAtLeaseEnd: 'demote-at-lease-end',
  AckFailedDemotion: 'ack-failed-demotion',
} as const;
export type HaMutantName = (typeof HaMutantName)[keyof typeof HaMutantName];

export interface HaMutant {
  readonly name: HaMutantName;
  /** The bug, in one sentence. */
  readonly bug: string;
  /** The fencing mode whose guarantee the bug breaks (and whose nemesis must find it). */
  readonly fencing: FencingMode;
  readonly tweaks: HaTweaks;
}

/** Delegates everything; mutants override the one decision they break. */
class Wrapped implements HaController {
  constructor(protected readonly inner: RoleController) {}

  handle(input: ControllerInput): ControllerAction[] {
    return this.inner.handle(input);
  }

  get role(): LocalRole {
    return this.inner.role;
  }

  isActive(now: number): boolean {
    return this.inner.isActive(now);
  }

  get quietUntil(): number {
    return this.inner.quietUntil;
  }
}

/**
 * The controller believes its promote entry is applied as soon as it is appended: it sees the
 * record its proposal would make on top of the state it has applied so far, which may lag the
 * log (a new leader learns the commit index only after committing in its own term), so a
 * previous holder it has not applied yet is neither fenced nor waited for.
 */
class PromoteBeforeCommit extends Wrapped {
  private fake: { readonly cmd: HaCommand; readonly index: number } | undefined;
  private applied: ReplicatedHaState = EMPTY_HA_STATE;
  private appliedIndex = 0;

  override handle(input: ControllerInput): ControllerAction[] {
    if (input.type !== 'record') return this.inner.handle(input);
    this.applied = input.state;
    this.appliedIndex = input.index;
    if (this.fake !== undefined && input.index >= this.fake.index) this.fake = undefined;
    return this.inner.handle({ ...input, state: this.view(input.state) });
  }

  onProposed(cmd: HaCommand, index: number, now: number): ControllerAction[] {
    if (cmd.type !== 'promote') return [];
    this.fake = { cmd, index };
    return this.inner.handle({ type: 'record', now, state: this.view(this.applied), index: this.appliedIndex });
  }

  private view(state: ReplicatedHaState): ReplicatedHaState {
    return this.fake === undefined ? state : applyHaCommand(state, this.fake.cmd, this.fake.index);
  }
}

/** A transfer election is taken for a normal one: the old leader's lease is not outlived. */
class NoTransferWait extends Wrapped {
  override handle(input: ControllerInput): ControllerAction[] {
    return this.inner.handle(input.type === 'raft' ? { ...input, electedByTransfer: false } : input);
  }
}

/**
 * A demote hook that failed is taken for a clean demotion: the node acknowledges "demoted" in
 * the log although its service may still run, so the next holder neither fences it nor waits.
 */
class AckFailedDemotion extends Wrapped {
  override handle(input: ControllerInput): ControllerAction[] {
    return this.inner.handle(input.type === 'actionDone' && input.kind === 'demote' ? { ...input, ok: true } : input);
  }
}

/**
 * The active node starts demoting only when its lease has ended, not `demoteBudget` before: its
 * demote hook and VIP removal then run past the lease. Shifting the clock reading that the
 * lease check sees by the budget turns `now ≥ leaseEnd − budget` into `now ≥ leaseEnd`, and
 * leaves every other decision (promotion's own lease re-check included) as it was.
 */
function demoteAtLeaseEnd(cfg: HaConfig): HaController {
  const c = new RoleController(cfg);
  const internals = c as unknown as { demoteReason(now: number): string | undefined };
  const original = internals.demoteReason;
  internals.demoteReason = (now) => original.call(c, now - cfg.demoteBudgetMs);
  return c;
}

export const HA_MUTANTS: readonly HaMutant[] = [
  {
    name: HaMutantName.LeaseTooLong,
    bug: 'the lease is twice what the timing rule allows',
    fencing: 'lease',
    tweaks: { config: (cfg) => ({ ...cfg, leaseMs: cfg.leaseMs * 2 }) },
  },
  {
    name: HaMutantName.PromoteBeforeCommit,
    bug: 'the promote hook runs before the Promote entry is committed and applied',
    fencing: 'hook',
    tweaks: { factory: (cfg) => new PromoteBeforeCommit(new RoleController(cfg)) },
  },
  {
    name: HaMutantName.NoTransferWait,
    bug: 'a leader elected by transfer promotes without outliving the previous lease',
    fencing: 'lease',
    tweaks: { factory: (cfg) => new NoTransferWait(new RoleController(cfg)) },
  },
  {
    name: HaMutantName.SkipFence,
    bug: 'fencing mode hook promotes without running the fence hook',
    fencing: 'hook',
    tweaks: { config: (cfg) => ({ ...cfg, fencing: 'lease' }) },
  },
  {
    name: HaMutantName.DriftBeyondBound,
    bug: 'clocks drift up to 70% while the timing assumed 1%',
    fencing: 'lease',
    tweaks: { simMaxDrift: 0.7 },
  },
  {
    name: HaMutantName.DemoteAtLeaseEnd,
    bug: 'the active node starts demoting when its lease has ended, not demoteBudget before',
    fencing: 'lease',
    tweaks: { factory: demoteAtLeaseEnd },
  },
  {
    name: HaMutantName.AckFailedDemotion,
    bug: 'a node whose demote hook failed acknowledges the demotion as if its service were down',
    fencing: 'hook',
    tweaks: { factory: (cfg) => new AckFailedDemotion(new RoleController(cfg)) },
  },
];
