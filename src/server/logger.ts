// JSON-lines logging with pino: one root logger per node, one child per component
// (raft, transport, api, storage) so every line says where it came from.
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

export function createNodeLogger(level: LogLevel, nodeId: string, cluster: string): Logger {
  return pino({ level, base: { node: nodeId, cluster } });
}

export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
