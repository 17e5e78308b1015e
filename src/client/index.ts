// The client's public surface (re-exported by src/index.ts).
export { connect, DEFAULT_TIMEOUT_MS } from './connect.js';
export { parseEndpoints } from './endpoints.js';
export { InvalidEndpointError, MalformedResponseError } from './errors.js';
export type { ClientTls } from './credentials.js';
export type {
  CasResult,
  ConnectOptions,
  DeleteResult,
  GetResult,
  KeyValue,
  KvDeleteOptions,
  KvWriteOptions,
  ListOptions,
  ListResult,
  MemberChangeResult,
  MemberInfo,
  MemberStatusReport,
  NodeStatusReport,
  PalisadeClient,
  PutResult,
  ReadOptions,
  TransferResult,
  WatchEvent,
  WatchOptions,
  Watcher,
} from './types.js';
export type {
  AcquireOptions,
  FencingGuard,
  Grant,
  HolderInfo,
  LeaderChange,
  LeaderObserver,
  Leadership,
  QueueInfo,
  Session,
  SessionEnd,
  SessionInfo,
  SessionOptions,
} from './coordination-types.js';
