// Client requests waiting for this node to apply something: a write for its entry, a
// linearizable read for its read point, a membership change for its entry. The Ready-loop host
// resolves them as it applies (node-host.ts); the client operations wait on them
// (write-path.ts, membership-ops.ts). Built before both, so each is given it at construction.
import type { MembershipResult, WriteResult } from '../api/node-port.js';
import { MembershipChangeRejectedError } from '../errors.js';
import { decodeConfChange } from '../raft/conf-change-codec.js';
import { EntryType, type ConfChange, type Entry, type ReadState } from '../raft/types.js';
import type { RequestId } from '../statemachine/commands.js';
import type { CoordOutcome, Grant } from '../statemachine/coord-record.js';
import type { ApplyResult } from '../statemachine/results.js';
import { Waiters, type PendingWait } from './waiters.js';

function requestKey(r: RequestId): string {
  return `${r.clientId}\u0000${r.requestId}`;
}

function confKey(cc: ConfChange): string {
  return `${cc.type}\u0000${cc.nodeId}`;
}

/** A coordination command's result once THIS node applied it. */
export interface CoordResult {
  readonly outcome: CoordOutcome;
  /** Grants the entry made (to this caller or to others). */
  readonly grants: readonly Grant[];
  /** A retried sessionCreate answered from dedup. */
  readonly duplicate: boolean;
  /** The index of the entry that answered (a retry's own entry for an answer from dedup). */
  readonly index: number;
}

export class ApplyWaiters {
  private readonly writes = new Waiters<string, WriteResult>();
  private readonly coordCommands = new Waiters<string, CoordResult>();
  private readonly reads = new Waiters<string, void>();
  private readonly confChanges = new Waiters<string, MembershipResult>();
  /** Read points known, waiting for apply to reach their index. */
  private readsAwaitingApply: ReadState[] = [];

  waitWrite(request: RequestId, timeoutMs: number, onTimeout: () => Error): PendingWait<WriteResult> {
    return this.writes.wait(requestKey(request), timeoutMs, onTimeout);
  }

  waitCoord(request: RequestId, timeoutMs: number, onTimeout: () => Error): PendingWait<CoordResult> {
    return this.coordCommands.wait(requestKey(request), timeoutMs, onTimeout);
  }

  waitRead(context: string, timeoutMs: number, onTimeout: () => Error): PendingWait<void> {
    return this.reads.wait(context, timeoutMs, onTimeout);
  }

  /** A change with the same type and node is already waited for (a retry of it). */
  confChangePending(cc: ConfChange): boolean {
    return this.confChanges.has(confKey(cc));
  }

  waitConfChange(cc: ConfChange, timeoutMs: number, onTimeout: () => Error): PendingWait<MembershipResult> {
    return this.confChanges.wait(confKey(cc), timeoutMs, onTimeout);
  }

  /** An applied write or coordination command answers its caller (when it was proposed here). */
  applied(r: ApplyResult & { kind: 'command' }): void {
    const o = r.outcome;
    if (r.request === undefined) return;
    if (o.type === 'coord') {
      if (this.coordCommands.size > 0)
        this.coordCommands.resolve(requestKey(r.request), { outcome: o.outcome, grants: o.grants, duplicate: r.duplicate, index: r.index });
      return;
    }
    if (this.writes.size === 0) return;
    if (o.type === 'put' || o.type === 'delete' || o.type === 'cas' || o.type === 'writeRefused')
      this.writes.resolve(requestKey(r.request), { outcome: o, duplicate: r.duplicate });
  }

  confChangeApplied(cc: ConfChange, result: MembershipResult): void {
    this.confChanges.resolve(confKey(cc), result);
  }

  /** The state machine refused entry `e`: a membership change waited for fails with `reason`. */
  rejected(e: Entry, reason: string): void {
    if (e.type !== EntryType.ConfChange || this.confChanges.size === 0) return;
    try {
      this.confChanges.reject(confKey(decodeConfChange(e.data)), new MembershipChangeRejectedError(reason));
    } catch {
      // undecodable: nobody can be waiting for it
    }
  }

  /** New read points: each read is released once `applied` reaches its index. */
  readPoints(readStates: readonly ReadState[], applied: number): void {
    this.readsAwaitingApply.push(...readStates);
    this.releaseReads(applied);
  }

  /** Apply reached `applied`: release the reads waiting for it. */
  appliedTo(applied: number): void {
    if (this.readsAwaitingApply.length > 0) this.releaseReads(applied);
  }

  rejectAll(err: Error): void {
    this.writes.rejectAll(err);
    this.coordCommands.rejectAll(err);
    this.reads.rejectAll(err);
    this.confChanges.rejectAll(err);
  }

  private releaseReads(applied: number): void {
    const still: ReadState[] = [];
    for (const rs of this.readsAwaitingApply) {
      if (rs.index <= applied) this.reads.resolve(rs.context, undefined);
      else still.push(rs);
    }
    this.readsAwaitingApply = still;
  }
}
