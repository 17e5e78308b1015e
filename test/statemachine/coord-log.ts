// A log of coordination and KV commands applied to one StateMachine, for the coordination tests.
import assert from 'node:assert/strict';
import { StateMachine } from '../../src/statemachine/state-machine.js';
import { encodeCommand, type Command } from '../../src/statemachine/commands.js';
import { encodeCoordCommand } from '../../src/statemachine/coord-codec.js';
import type { CoordCommand, CoordOutcome, Grant, QueueKind } from '../../src/statemachine/coord-record.js';
import type { ApplyResult, WriteOutcome } from '../../src/statemachine/results.js';
import { EntryType } from '../../src/raft/types.js';

export interface CoordResult {
  readonly index: number;
  readonly outcome: CoordOutcome;
  readonly grants: readonly Grant[];
  readonly duplicate: boolean;
}

export class CoordLog {
  constructor(readonly sm: StateMachine = StateMachine.create()) {}

  /** The index the next entry gets. */
  get next(): number {
    return this.sm.appliedIndex + 1;
  }

  applyData(data: Uint8Array): ApplyResult {
    return this.sm.apply({ index: this.next, term: 1, type: EntryType.Normal, data });
  }

  coord(c: CoordCommand): CoordResult {
    const r = this.applyData(encodeCoordCommand(c));
    if (r.kind !== 'command' || r.outcome.type !== 'coord') throw new Error(`not a coordination result: ${JSON.stringify(r)}`);
    return { index: r.index, outcome: r.outcome.outcome, grants: r.outcome.grants, duplicate: r.duplicate };
  }

  kv(c: Command): WriteOutcome {
    const r = this.applyData(encodeCommand(c));
    const o = r.kind === 'command' ? r.outcome : undefined;
    if (o === undefined || !['put', 'delete', 'cas', 'writeRefused'].includes(o.type))
      throw new Error(`not a write result: ${JSON.stringify(r)}`);
    return o as WriteOutcome;
  }

  /** A new session's id. */
  session(opts: { ttlMs?: number; lockDelayMs?: number; owner?: string } = {}): string {
    const r = this.coord({ type: 'sessionCreate', owner: opts.owner ?? '', ttlMs: opts.ttlMs ?? 5000, lockDelayMs: opts.lockDelayMs ?? 0 });
    assert.equal(r.outcome.type, 'sessionCreated');
    return (r.outcome as { session: string }).session;
  }

  acquire(name: string, session: string, kind: QueueKind = 'lock', limit = 1, value = ''): CoordResult {
    return this.coord({ type: 'acquire', name, session, kind, limit, value });
  }

  release(name: string, session: string): CoordResult {
    return this.coord({ type: 'release', name, session });
  }

  end(session: string, reason: 'closed' | 'expired' = 'closed'): CoordResult {
    return this.coord({ type: 'sessionEnd', session, reason });
  }

  /** The sessions holding `name`, in grant order. */
  holders(name: string): string[] {
    return this.sm.queue(name)?.holders.map((h) => h.session) ?? [];
  }

  waiters(name: string): string[] {
    return this.sm.queue(name)?.waiters.map((w) => w.session) ?? [];
  }
}
