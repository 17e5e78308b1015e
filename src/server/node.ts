// The embedding surface of a node: its status, its events, and startNode(). The types live
// with the code that produces them; this module gathers them under the contract's names.
export type { MemberStatus, NodeRole, NodeStatus } from '../api/node-port.js';
export type { NodeEvent, NodeEventType } from './node-events.js';
export type { PalisadeNode, StartNodeOptions } from './start-node.js';
export { startNode } from './start-node.js';
