// What applying an entry produced. Plain data: the server hands it to the waiting client
// (matched by entry index), and dedup keeps the write results to answer retries.
import type { CoordOutcome, Grant, WriteRefusal } from './coord-record.js';
import type { HaCommand } from './ha-record.js';
import type { RequestId } from './commands.js';
import type { ConfChange, ConfState } from '../raft/types.js';

export type PutOutcome = { readonly type: 'put'; readonly revision: number };
export type DeleteOutcome = { readonly type: 'delete'; readonly revision: number; readonly deleted: boolean };
export type CasOutcome = {
  readonly type: 'cas';
  readonly succeeded: boolean;
  readonly revision: number;
  readonly modRevision: number;
};

/**
 * A put, delete or cas refused before it touched the store: its fencing guard names a token no
 * holder has (STALE_FENCING_TOKEN), or it binds the key to a session that has ended
 * (SESSION_NOT_FOUND). No revision was made; `revision` is the store's, unchanged. The API
 * answers FAILED_PRECONDITION with `reason` as the palisade-error reason.
 */
export type WriteRefusedOutcome = {
  readonly type: 'writeRefused';
  readonly reason: WriteRefusal;
  readonly detail: string;
  readonly revision: number;
};

/** A KV write's result (a retried request is answered with it). */
export type WriteOutcome = PutOutcome | DeleteOutcome | CasOutcome | WriteRefusedOutcome;

export type SessionCreatedOutcome = Extract<CoordOutcome, { readonly type: 'sessionCreated' }>;

/** What dedup remembers to answer a retry with: KV writes, and session creates (a retry must not make a second session). */
export type RememberedOutcome = WriteOutcome | SessionCreatedOutcome;

/** A coordination command was applied: what it did, and every grant it made (to wake waiters). */
export type CoordCommandOutcome = { readonly type: 'coord'; readonly outcome: CoordOutcome; readonly grants: readonly Grant[] };

export type CommandOutcome =
  | WriteOutcome
  | { readonly type: 'noop' }
  | { readonly type: 'bootstrap'; readonly clusterId: string }
  | { readonly type: 'recordEvent'; readonly seq: number }
  /** An active-role command (ha-state.ts) was applied; the HA state may have changed. */
  | { readonly type: 'ha'; readonly command: HaCommand }
  | CoordCommandOutcome;

/** Why an entry was refused. Every replica refuses the same entry with the same code. */
export const RejectCode = {
  /** Normal entry data that is not a valid command. */
  BadCommand: 'SM_COMMAND_UNDECODABLE',
  /** ConfChange data that does not decode, or a change the Raft core skips too. */
  BadConfChange: 'RAFT_CONF_CHANGE_INVALID',
  /** A second bootstrap, or one with an invalid member list. */
  BadBootstrap: 'SM_BOOTSTRAP_REJECTED',
} as const;
export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode];

export type ApplyResult =
  | {
      readonly kind: 'command';
      readonly index: number;
      readonly outcome: CommandOutcome;
      /** True when a retried request was answered from dedup without applying it again. */
      readonly duplicate: boolean;
      /** The request id a client write or coordination command carried, so the node can answer whoever waits on it. */
      readonly request?: RequestId;
    }
  | { readonly kind: 'confChange'; readonly index: number; readonly change: ConfChange; readonly confState: ConfState }
  | { readonly kind: 'rejected'; readonly index: number; readonly code: RejectCode; readonly reason: string };

/** Refused entries are counted in the replicated state, so operators can see them. */
export interface RejectionStats {
  readonly count: number;
  /** Index of the newest refused entry; 0 if none. */
  readonly lastIndex: number;
  readonly lastReason: string;
}

export const NO_REJECTIONS: RejectionStats = Object.freeze({ count: 0, lastIndex: 0, lastReason: '' });
