// The state machine a node applies to, with its watches. A restored snapshot replaces the
// machine whole; everyone that reads it (the Ready-loop host, the core's election-timeout
// policy, the HA driver, the client API) asks for the current one here.
import { StateMachine } from '../statemachine/state-machine.js';
import { WatchHub } from '../statemachine/watch-hub.js';

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
