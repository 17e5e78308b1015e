// palisade's public API: the explicit list of what embedders and tools may rely on. Users get
// interfaces and factory functions (startNode, connect), never implementation classes.

// Running a node inside your process.
export { startNode } from './server/node.js';
export type { MemberStatus, NodeEvent, NodeEventType, NodeRole, NodeStatus, PalisadeNode, StartNodeOptions } from './server/node.js';
export { CONFIG_DEFAULTS, validateNodeConfig } from './server/config.js';
export type { LogLevel, NodeConfig, NodeConfigInput, TlsFiles } from './server/config.js';
export type { CheckFunction } from './ha/health-check.js';

// Talking to a cluster.
export * from './client/index.js';

// Errors: one class per failure, each with a stable `code`.
export {
  ConfigError,
  ErrorCode,
  InternalError,
  InvalidArgumentError,
  MembershipChangePendingError,
  MembershipChangeRejectedError,
  NoLeaderError,
  NotFoundError,
  NotHolderError,
  PalisadeError,
  QueueMismatchError,
  SessionLostError,
  SessionNotFoundError,
  ShuttingDownError,
  StaleFencingTokenError,
  TimeoutError,
  UnavailableError,
  WatchCompactedError,
  isPalisadeError,
} from './errors.js';
export type { AnyPalisadeError } from './errors.js';
