// The state machine a node applies to, with its watches. A restored snapshot replaces the
// machine whole; everyone that reads it (the Ready-loop host, the core's election-timeout
// policy, the HA driver, the client API) asks for the current one here.
import type { Logger } from 'pino';
import { StateMachine } from '../statemachine/state-machine.js';
import { WatchHub } from '../statemachine/watch-hub.js';
import type { DurableStorage } from '../storage/level-storage.js';
import type { Clock } from './clock.js';

export class AppliedState {
  readonly watchHub: WatchHub;
  private sm: StateMachine;

  constructor(sm: StateMachine) {
    this.sm = sm;
    this.watchHub = new WatchHub(sm);
  }

  /** The state machine of a snapshot image, or a fresh one (an empty snapshot). */
  static fromSnapshot(snapshot: { readonly metadata: { readonly index: number }; readonly data: Uint8Array }): AppliedState {
    return new AppliedState(snapshot.metadata.index > 0 ? StateMachine.restore(snapshot.data) : StateMachine.create());
  }

  /**
   * The machine of the stored snapshot. On a restart (`restart` given) it logs what was loaded
   * and how long opening the store and decoding the image took: the parts of a restart that
   * grow with the store (the log after the image is replayed by the Ready loop afterwards).
   */
  static load(
    storage: Pick<DurableStorage, 'snapshot' | 'lastIndex'>,
    restart?: { readonly log: Logger; readonly clock: Pick<Clock, 'monotonicMs'>; readonly openMs: number },
  ): AppliedState {
    const start = restart?.clock.monotonicMs() ?? 0;
    const snapshot = storage.snapshot();
    const state = AppliedState.fromSnapshot(snapshot);
    if (restart !== undefined) {
      const { index } = snapshot.metadata;
      const timing = { openMs: Math.round(restart.openMs), restoreMs: Math.round(restart.clock.monotonicMs() - start) };
      const loaded = { snapshotIndex: index, imageBytes: snapshot.data.length, logEntries: storage.lastIndex() - index };
      restart.log.info({ ...loaded, ...timing }, 'state loaded');
    }
    return state;
  }

  get current(): StateMachine {
    return this.sm;
  }

  /** Replaces the machine with a snapshot's image; watches follow the new one. */
  restore(data: Uint8Array): StateMachine {
    this.sm = StateMachine.restore(data);
    this.watchHub.setSource(this.sm);
    return this.sm;
  }
}
