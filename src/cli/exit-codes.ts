// The CLI's exit codes are a public contract: operators' scripts branch on them. Keep them
// stable and keep the help text (EXIT_CODES_HELP) and README in step.

export const ExitCode = {
  Ok: 0,
  /** Anything not listed below. */
  Failure: 1,
  /** Unknown flag, bad arguments, invalid configuration (nothing was done). */
  Usage: 2,
  /** No endpoint could be reached. */
  Unreachable: 3,
  /** The cluster has no leader (lost quorum or an election in progress past the timeout). */
  NoLeader: 4,
  /** The key, member or session does not exist. */
  NotFound: 5,
  /** The operation did not finish within --timeout; it may still take effect. */
  Timeout: 6,
  /** agent: this node was removed from the cluster; wipe its data dir and `members add` it to rejoin. */
  Removed: 7,
  /** No valid credentials: no client certificate of the cluster's CA and no token the agent knows. */
  Unauthenticated: 8,
  /** The credentials' role does not allow the command (the message names the role needed). */
  PermissionDenied: 9,
  /** lock/elect: the lock or leadership was lost while CMD ran, so CMD was killed. */
  HoldLost: 10,
  /** A write refused by its fencing token (`kv put --if-token`): another holder has the lock now. */
  StaleFencingToken: 11,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  other failure
  2  usage error: unknown flag, bad arguments, invalid configuration
  3  no endpoint reachable
  4  the cluster has no leader
  5  not found (kv get of a missing key, unknown member, ended session)
  6  timed out (the request may still take effect)
  7  agent: this node was removed from the cluster (wipe its data dir, \`members add\` it to rejoin)
  8  not authenticated: give --cert/--key (or --token-file) the cluster accepts
  9  permission denied: the role of your certificate or token does not allow this
  10 lock/elect: the lock or leadership was lost, so CMD was killed
  11 refused by a fencing token (kv put --if-token): the lock has another holder now
lock/elect otherwise exit with CMD's code (128+N if signal N ended it, 127 if not found).
`;

/** Error `code`s (src/errors.ts, src/client/errors.ts) → exit code; anything else is Failure. */
const BY_ERROR_CODE: Readonly<Record<string, ExitCode>> = {
  UNREACHABLE: ExitCode.Unreachable,
  NO_LEADER: ExitCode.NoLeader,
  NOT_FOUND: ExitCode.NotFound,
  KEY_NOT_FOUND: ExitCode.NotFound,
  MEMBER_NOT_FOUND: ExitCode.NotFound,
  TIMEOUT: ExitCode.Timeout,
  CONFIG_INVALID: ExitCode.Usage,
  INVALID_ARGUMENT: ExitCode.Usage,
  INVALID_ENDPOINT: ExitCode.Usage,
  USAGE: ExitCode.Usage,
  REMOVED_FROM_CLUSTER: ExitCode.Removed,
  UNAUTHENTICATED: ExitCode.Unauthenticated,
  PERMISSION_DENIED: ExitCode.PermissionDenied,
  STALE_FENCING_TOKEN: ExitCode.StaleFencingToken,
  SESSION_NOT_FOUND: ExitCode.NotFound,
};

export function exitCodeFor(err: unknown): ExitCode {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return (typeof code === 'string' ? BY_ERROR_CODE[code] : undefined) ?? ExitCode.Failure;
}
