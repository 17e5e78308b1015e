// What the HA layer (server/ha-driver.ts and its parts) needs from the running node.
import type { NodeRole } from '../api/node-port.js';
import type { RawNode } from '../raft/raw-node.js';
import type { StateMachine } from '../statemachine/state-machine.js';

export interface HaHost {
  readonly raw: RawNode;
  /** The current state machine (replaced when a snapshot is restored). */
  stateMachine(): StateMachine;
  role(): NodeRole;
  kick(): void;
  /** The clock reading taken just before the core reached tick `tick` (ticker.ts). */
  timeOfTick(tick: number): number | undefined;
  waitFor(check: () => boolean, timeoutMs: number, onTimeout: () => Error): Promise<void>;
  leaderHint(): { leader: string; address: string };
  /** When this node last received a message from each peer (monotonic ms). */
  lastHeard(): ReadonlyMap<string, number>;
  /** A KV put through Raft (the node's HA profile); resolves when applied here. */
  put(key: string, value: string): Promise<void>;
  /** This driver may have stopped being quiet (quietTicks): the ticker re-plans its sleep. */
  replan?(): void;
  /** Starts a leadership transfer (NodeHost.beginTransfer); throws when the core refuses. */
  beginTransfer(to: string): void;
}
