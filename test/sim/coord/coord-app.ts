// The replicated application of the coordination runs: the REAL StateMachine (its coordination
// reducer, fencing guard and ephemeral keys) on every simulated node, applied from every
// committed entry, its snapshot image carried in the node's snapshots (SimApp). Every result is
// reported, with the entry as it was proposed, to the cluster (the node's server actor and the
// oracle). A mutant (coord-mutants.ts) may stand between the log and the machine.
import { StateMachine } from '../../../src/statemachine/state-machine.js';
import type { ApplyResult } from '../../../src/statemachine/results.js';
import type { Entry } from '../../../src/raft/types.js';
import type { SimApp, SimAppFactory, SimNode } from '../sim-node.js';

export interface AppliedEntry {
  readonly node: SimNode;
  /** As it is in the log (before any mutant rewrote it). */
  readonly entry: Entry;
  readonly result: ApplyResult;
  /** The machine right after applying it. */
  readonly sm: StateMachine;
}

/**
 * A test-only deviation of the state machine: it may rewrite an entry before the machine sees
 * it and the result the server hands on. Deterministic, and a function of the entry and the
 * machine's state only, so every replica deviates alike.
 */
export interface AppTweak {
  entry?(entry: Entry, sm: StateMachine): Entry;
  result?(result: ApplyResult, sm: StateMachine): ApplyResult;
}

export class CoordApp implements SimApp {
  constructor(
    readonly node: SimNode,
    readonly sm: StateMachine,
    private readonly onApplied: (e: AppliedEntry) => void,
    private readonly tweak: AppTweak,
  ) {}

  apply(entry: Entry): void {
    const seen = this.tweak.entry?.(entry, this.sm) ?? entry;
    const raw = this.sm.apply(seen);
    const result = this.tweak.result?.(raw, this.sm) ?? raw;
    this.onApplied({ node: this.node, entry, result, sm: this.sm });
  }

  image(): Uint8Array {
    return this.sm.snapshot();
  }
}

/** Opens each node's machine (empty, or from its snapshot) and tells `opened` which one is current. */
export function coordAppFactory(
  onApplied: (e: AppliedEntry) => void,
  opened: (app: CoordApp) => void,
  tweak: AppTweak = {},
): SimAppFactory {
  return (node, image) => {
    const sm = image === undefined ? StateMachine.create() : StateMachine.restore(image);
    const app = new CoordApp(node, sm, onApplied, tweak);
    opened(app);
    return app;
  };
}
