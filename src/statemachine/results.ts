// What applying an entry produced. Plain data: the server hands it to the waiting client
// (matched by entry index), and dedup keeps the write results to answer retries.
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

/** The results a retried request is answered with. */
export type WriteOutcome = PutOutcome | DeleteOutcome | CasOutcome;

export type CommandOutcome =
  | WriteOutcome
  | { readonly type: 'noop' }
  | { readonly type: 'bootstrap'; readonly clusterId: string }
  | { readonly type: 'recordEvent'; readonly seq: number }
  /** An active-role command (ha-state.ts) was applied; the HA state may have changed. */
  | { readonly type: 'ha'; readonly command: HaCommand };

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
      /** The request id a client write carried, so the node can answer whoever waits on it. */
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
