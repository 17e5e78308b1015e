// Errors of the replicated state machine. Each has a stable `code` that the API edge maps
// to a status; messages say what was wrong and, where it helps, what to do instead.

/** A command the client asked to encode breaks a limit or a rule (checked before proposing). */
export class InvalidCommandError extends Error {
  readonly code = 'SM_COMMAND_INVALID';
  constructor(message: string) {
    super(message);
  }
}

/** Entry data that is not a well-formed command (garbage, unknown version, failed validation). */
export class CommandDecodeError extends Error {
  readonly code = 'SM_COMMAND_UNDECODABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(`undecodable command: ${message}`, options);
  }
}

/** A snapshot image written by a format version this build does not read. */
export class SnapshotVersionError extends Error {
  readonly code = 'SM_SNAPSHOT_VERSION';
  constructor(
    readonly found: number,
    readonly supported: number,
  ) {
    super(`snapshot format version ${found} is not supported (this build reads version ${supported})`);
  }
}

/** A snapshot image that fails its checksum or does not parse. Never restored from. */
export class SnapshotCorruptError extends Error {
  readonly code = 'SM_SNAPSHOT_CORRUPT';
  constructor(message: string, options?: { cause?: unknown }) {
    super(`corrupt snapshot: ${message}`, options);
  }
}

/** Entries must be applied exactly once, in log order. A gap or a repeat is a caller bug. */
export class ApplyOrderError extends Error {
  readonly code = 'SM_APPLY_OUT_OF_ORDER';
  constructor(
    readonly expected: number,
    readonly got: number,
  ) {
    super(`apply out of order: expected entry ${expected}, got ${got}`);
  }
}

/** A watch asked for revisions the bounded history no longer holds; re-list, then watch again. */
export class WatchCompactedError extends Error {
  readonly code = 'SM_WATCH_COMPACTED';
  constructor(
    readonly requestedRevision: number,
    readonly oldestRevision: number,
  ) {
    super(
      `revision ${requestedRevision} is compacted; the oldest watchable revision is ${oldestRevision} ` +
        '(read the current state, then watch from its revision + 1)',
    );
  }
}

/** A watcher fell too far behind; it was cancelled so that it could not stall apply. */
export class WatchOverflowError extends Error {
  readonly code = 'SM_WATCH_OVERFLOW';
  constructor(
    readonly bufferLimit: number,
    readonly nextRevision: number,
  ) {
    super(`watcher cancelled: more than ${bufferLimit} undelivered events; ` + `resume with a new watch from revision ${nextRevision}`);
  }
}
