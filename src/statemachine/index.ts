// The state machine's surface for the server and the client API. Internals (the codec's
// byte helpers, the deque, the stores' restore constructors) stay private to this folder.
export { StateMachine, DEFAULT_CLUSTER_EVENTS } from './state-machine.js';
export type { StateMachineOptions, WatchSource } from './state-machine.js';
export { CommandLimits, CommandType, COMMAND_FORMAT_VERSION, commandProblem, decodeCommand, encodeCommand } from './commands.js';
export type { Command, RequestId } from './commands.js';
export { RejectCode, NO_REJECTIONS } from './results.js';
export type {
  ApplyResult,
  CasOutcome,
  CommandOutcome,
  CoordCommandOutcome,
  DeleteOutcome,
  PutOutcome,
  RejectionStats,
  WriteOutcome,
  WriteRefusedOutcome,
} from './results.js';
export { COORD_MARKER, coordCommandProblem, decodeCoordCommand, encodeCoordCommand, isCoordCommand } from './coord-codec.js';
export { CoordRefusal, QueueKind, SessionLimits, WriteRefusal } from './coord-record.js';
export type {
  CoordCommand,
  CoordOutcome,
  FencingGuard,
  Grant,
  HolderRecord,
  QueueRecord,
  SessionEndReason,
  SessionRecord,
  WaiterRecord,
} from './coord-record.js';
export type { SessionView } from './coord-state.js';
export { KvEventType, DEFAULT_HISTORY_LIMITS } from './kv-history.js';
export type { HistoryLimits, KeyValue, KvEvent } from './kv-history.js';
export { DEFAULT_DEDUP_LIMITS } from './dedup.js';
export type { DedupLimits } from './dedup.js';
export { MemberRole } from './membership.js';
export type { Member } from './membership.js';
export { ClusterEventKind } from './cluster-events.js';
export type { ClusterEvent, RecordedEvent } from './cluster-events.js';
export { WatchHub, WatchState } from './watch-hub.js';
export type { Watch, WatchOptions } from './watch-hub.js';
export { SNAPSHOT_FORMAT_VERSION } from './snapshot-codec.js';
export {
  ApplyOrderError,
  CommandDecodeError,
  InvalidCommandError,
  SnapshotCorruptError,
  SnapshotVersionError,
  WatchCompactedError,
  WatchOverflowError,
} from './errors.js';
