// Errors the core throws to its caller. Each has a stable `code`.

/** A proposal could not be accepted (no leader known, transfer in progress, not a member...). */
export class ProposalDroppedError extends Error {
  readonly code = 'RAFT_PROPOSAL_DROPPED';
  constructor(readonly reason: string) {
    super(`proposal dropped: ${reason}`);
  }
}

/** A membership change that cannot be applied as asked (e.g. removing the last voter). */
export class ConfChangeError extends Error {
  readonly code = 'RAFT_CONF_CHANGE_INVALID';
  constructor(message: string) {
    super(message);
  }
}
