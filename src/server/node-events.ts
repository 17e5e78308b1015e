// What a running node tells its embedder, as a closed union (STYLE.md: events are typed; a slow
// subscriber loses events instead of stalling the node). `at` is wall-clock milliseconds.
import type { NodeRole } from '../api/node-port.js';

export type NodeEvent =
  | { readonly type: 'leaderChanged'; readonly leader: string; readonly term: number; readonly at: number }
  | { readonly type: 'roleChanged'; readonly role: NodeRole; readonly term: number; readonly at: number }
  | {
      readonly type: 'membershipChanged';
      readonly members: readonly { readonly id: string; readonly address: string; readonly voter: boolean }[];
      readonly index: number;
      readonly at: number;
    };

export type NodeEventType = NodeEvent['type'];
