// One error class per storage failure, each with a stable `code`. Every message names the data
// dir (and the file or record when known) and says what the operator can do: corruption is a
// fail-stop, never something the node repairs by dropping data.

export const StorageErrorCode = {
  DataDirLocked: 'STORAGE_DATA_DIR_LOCKED',
  ForeignCluster: 'STORAGE_FOREIGN_CLUSTER',
  ForeignNode: 'STORAGE_FOREIGN_NODE',
  CorruptEntry: 'STORAGE_CORRUPT_ENTRY',
  CorruptState: 'STORAGE_CORRUPT_STATE',
  CorruptStore: 'STORAGE_CORRUPT_STORE',
  CorruptSnapshotFile: 'STORAGE_CORRUPT_SNAPSHOT_FILE',
  OpenFailed: 'STORAGE_OPEN_FAILED',
  WriteFailed: 'STORAGE_WRITE_FAILED',
  Closed: 'STORAGE_CLOSED',
} as const;
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

// A node that lost part of its log but keeps its id could vote twice in a term or forget
// acknowledged entries; it must come back as a new member and copy the log from the leader.
const REBUILD_ADVICE =
  'Do not start this node on it. Restore the data dir from a backup, or move it aside, remove this node ' +
  'from the cluster and add it back as a new member so it copies the log from the leader.';

export abstract class StorageError extends Error {
  abstract readonly code: StorageErrorCode;
  constructor(
    readonly dataDir: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Another agent (in this or another process) holds the data dir's LevelDB lock. */
export class DataDirLockedError extends StorageError {
  readonly code = StorageErrorCode.DataDirLocked;
  constructor(
    dataDir: string,
    readonly lockFile: string,
    cause?: unknown,
  ) {
    super(
      dataDir,
      `data dir ${dataDir} is in use by another palisade agent (lock ${lockFile} is held). ` +
        'Stop the other agent, or give this one its own data dir.',
      { cause },
    );
  }
}

/** The data dir was created for another cluster. */
export class ForeignClusterError extends StorageError {
  readonly code = StorageErrorCode.ForeignCluster;
  constructor(
    dataDir: string,
    readonly storedClusterId: string,
    readonly clusterId: string,
  ) {
    super(
      dataDir,
      `data dir ${dataDir} belongs to cluster "${storedClusterId}", but this agent is configured for cluster ` +
        `"${clusterId}". Point the agent at this cluster's data dir, or, if the old cluster is gone for good, ` +
        'move the data dir aside and start again.',
    );
  }
}

/** The data dir belongs to another node of the same cluster (its votes are not ours to reuse). */
export class ForeignNodeError extends StorageError {
  readonly code = StorageErrorCode.ForeignNode;
  constructor(
    dataDir: string,
    readonly storedNodeId: string,
    readonly nodeId: string,
  ) {
    super(
      dataDir,
      `data dir ${dataDir} belongs to node "${storedNodeId}", but this agent is node "${nodeId}". ` +
        "Give each node its own data dir; never copy one node's data dir to another.",
    );
  }
}

/** A log entry failed its checksum or does not decode. */
export class CorruptEntryError extends StorageError {
  readonly code = StorageErrorCode.CorruptEntry;
  constructor(
    dataDir: string,
    readonly index: number,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(dataDir, `corrupt Raft log entry at index ${index} in data dir ${dataDir}: ${reason}. ${REBUILD_ADVICE}`, { cause });
  }
}

/** Hard state, snapshot, identity or log bounds are damaged or contradict each other. */
export class CorruptStateError extends StorageError {
  readonly code = StorageErrorCode.CorruptState;
  constructor(
    dataDir: string,
    readonly record: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(dataDir, `corrupt ${record} in data dir ${dataDir}: ${reason}. ${REBUILD_ADVICE}`, { cause });
  }
}

/** LevelDB itself reports corruption or a missing or truncated file. */
export class CorruptStoreError extends StorageError {
  readonly code = StorageErrorCode.CorruptStore;
  constructor(
    dataDir: string,
    readonly file: string,
    detail: string,
    cause?: unknown,
  ) {
    super(dataDir, `the LevelDB store of data dir ${dataDir} is damaged (${file}): ${detail}. ${REBUILD_ADVICE}`, { cause });
  }
}

/** The snapshot image file the snapshot record names is missing, truncated or damaged. */
export class CorruptSnapshotFileError extends StorageError {
  readonly code = StorageErrorCode.CorruptSnapshotFile;
  constructor(
    dataDir: string,
    readonly file: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(dataDir, `the snapshot image file ${file} of data dir ${dataDir} is damaged: ${reason}. ${REBUILD_ADVICE}`, { cause });
  }
}

/** The store could not be opened for another reason (permissions, disk full, ...). */
export class StorageOpenError extends StorageError {
  readonly code = StorageErrorCode.OpenFailed;
  constructor(dataDir: string, detail: string, cause?: unknown) {
    super(dataDir, `cannot open data dir ${dataDir}: ${detail}. Check that it exists, is writable and the disk has space.`, {
      cause,
    });
  }
}

/**
 * A batch failed to reach the disk. The in-memory view is now ahead of the disk, so the
 * storage refuses all further use: the node must stop and restart from what is durable.
 */
export class StorageWriteError extends StorageError {
  readonly code = StorageErrorCode.WriteFailed;
  constructor(dataDir: string, cause?: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(dataDir, `writing to data dir ${dataDir} failed (${detail}); the node must stop and restart from what is on disk.`, {
      cause,
    });
  }
}

export class StorageClosedError extends StorageError {
  readonly code = StorageErrorCode.Closed;
  constructor(dataDir: string) {
    super(dataDir, `the storage of data dir ${dataDir} is closed`);
  }
}
