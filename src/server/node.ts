// The embedding surface of a node: its status, its events, and startNode(); with the public
// configuration, the only server modules imported from outside src/server/ (test/arch). The
// types live with the code that produces them; this module gathers them under the contract's
// names.
export type { MemberStatus, NodeRole, NodeStatus } from '../api/node-port.js';
export type { NodeEvent, NodeEventType } from './node-events.js';
export type { PalisadeNode, StartNodeOptions } from './start-node.js';
export { startNode } from './start-node.js';
// The agent logs through the node's root logger (JSON lines with the node and cluster ids).
export { createNodeLogger } from './logger.js';
