// Coordination on a running node: follows the Ready loop (leadership, ticks) and what is applied
// (coordination entries, restored snapshots) and feeds the three parts that act on it — the
// leader's session keeper (session-keeper.ts: expiries and lock-delay ends, proposed here when
// due), the waiting Acquire calls (grant-waiters.ts) and the Observe subscribers
// (holder-observers.ts). Everything here runs inside the loop and never blocks.
import type { Logger } from 'pino';
import type { RawNode } from '../raft/raw-node.js';
import type { Ready } from '../raft/ready.js';
import { StateType } from '../raft/types.js';
import type { StateMachine } from '../statemachine/state-machine.js';
import type { ApplyResult, CoordCommandOutcome } from '../statemachine/results.js';
import type { Clock } from './clock.js';
import { CoordinationOps } from './coordination-ops.js';
import { GrantWaiters } from './grant-waiters.js';
import { HolderObservers, holderViews } from './holder-observers.js';
import type { ApplyListener, LoopObserver, NodeHost } from './node-host.js';
import type { RequestGuard } from './request-guard.js';
import { SessionKeeper, type KeeperChange, type KeeperProposal, type KeeperStart } from './session-keeper.js';
import { quietTicksUntil } from './ticker.js';
import type { WritePath } from './write-path.js';

export interface CoordinationHostParts {
  readonly raw: RawNode;
  readonly stateMachine: () => StateMachine;
  /** Proposes the keeper's command (throws when the core refuses: not the leader any more). */
  readonly propose: (cmd: KeeperProposal) => void;
  readonly monotonicMs: () => number;
  readonly tickMs: number;
  /** How long the keeper waits for its proposal to be applied before proposing it again. */
  readonly retryMs: number;
  readonly logger: Logger;
}

export class CoordinationHost implements LoopObserver, ApplyListener {
  readonly keeper: SessionKeeper;
  readonly grants = new GrantWaiters();
  readonly observers: HolderObservers;

  constructor(private readonly parts: CoordinationHostParts) {
    this.keeper = new SessionKeeper({ retryMs: parts.retryMs });
    this.observers = new HolderObservers((name) => holderViews(parts.stateMachine(), name));
  }

  // ---------------------------------------------------------------- ApplyListener

  coordApplied(r: ApplyResult & { readonly kind: 'command' }, { outcome, grants }: CoordCommandOutcome): void {
    this.grants.granted(grants);
    const changes: KeeperChange[] = [];
    const sm = this.parts.stateMachine();
    switch (outcome.type) {
      case 'sessionCreated':
        if (!r.duplicate) changes.push({ type: 'sessionCreated', session: outcome.session, ttlMs: outcome.ttlMs });
        break;
      case 'sessionEnded':
        if (!outcome.ended) break;
        this.grants.sessionEnded(outcome.session, `session ${outcome.session} ended (closed or expired) while waiting`);
        changes.push({ type: 'sessionEnded', session: outcome.session });
        // An expiry with a lock-delay leaves the queues it held delayed since this index.
        for (const q of sm.delayedQueues()) {
          if (q.delayedSince === r.index) changes.push({ type: 'delayStarted', name: q.name, since: q.delayedSince, delayMs: q.delayMs });
        }
        break;
      case 'lockDelayEnded':
        // Whichever delay it ended (or one whose queue went away meanwhile) is over.
        for (const d of this.keeper.pendingDelays()) {
          if (sm.queue(d.name)?.delayedSince !== d.since) changes.push({ type: 'delayEnded', name: d.name, since: d.since });
        }
        break;
      default:
        break;
    }
    this.keeper.applied(this.parts.monotonicMs(), sm.appliedTerm, changes, () => this.keeperStart());
    this.observers.applied(r.index);
  }

  restored(index: number): void {
    this.observers.applied(index);
  }

  failPending(err: Error): void {
    this.grants.rejectAll(err);
  }

  // ---------------------------------------------------------------- LoopObserver

  beforeReady(): void {}

  afterReady(_rd: Ready): void {
    const st = this.parts.raw.basicStatus();
    if (st.state === StateType.Leader) this.keeper.becameLeader(st.term);
    else if (this.keeper.isLeading) this.keeper.stepDown();
    if (!this.keeper.isLeading) return;
    // Keeping starts once an entry of this leader's term is applied (its no-op, usually).
    this.keeper.applied(this.parts.monotonicMs(), this.parts.stateMachine().appliedTerm, [], () => this.keeperStart());
    this.proposeDue();
  }

  tick(): void {
    if (this.keeper.isKeeping) this.proposeDue();
  }

  quietTicks(): number {
    const next = this.keeper.nextDueAt();
    return next === undefined ? Number.POSITIVE_INFINITY : quietTicksUntil(next, this.parts.monotonicMs(), this.parts.tickMs);
  }

  // ---------------------------------------------------------------- helpers

  private keeperStart(): KeeperStart {
    const sm = this.parts.stateMachine();
    return {
      sessions: sm.sessions().map((s) => ({ id: s.id, ttlMs: s.ttlMs })),
      delays: sm.delayedQueues().map((q) => ({ name: q.name, since: q.delayedSince, delayMs: q.delayMs })),
    };
  }

  private proposeDue(): void {
    for (const p of this.keeper.due(this.parts.monotonicMs())) {
      try {
        this.parts.propose(p);
        this.parts.logger.info(p, p.type === 'sessionEnd' ? 'session expired by the leader clock: proposing its end' : 'lock-delay over');
      } catch (err) {
        // Not the leader any more: the next one keeps the sessions.
        this.parts.logger.debug({ ...p, err: (err as Error).message }, 'keeper proposal refused');
      }
    }
  }
}

/** Builds coordination on `host`: the keeper and notifiers follow the loop; the ops serve the API. */
export function attachCoordination(deps: {
  readonly host: NodeHost;
  readonly writes: WritePath;
  readonly guard: RequestGuard;
  readonly clock: Clock;
  readonly tickMs: number;
  readonly electionTimeoutMs: number;
  readonly logger: Logger;
}): CoordinationOps {
  const { host, writes, guard, clock } = deps;
  const monotonicMs = (): number => clock.monotonicMs();
  const coordination = new CoordinationHost({
    raw: host.raw,
    stateMachine: () => host.stateMachine,
    propose: (cmd) => writes.proposeUnanswered(cmd),
    monotonicMs,
    tickMs: deps.tickMs,
    retryMs: Math.max(500, deps.electionTimeoutMs),
    logger: deps.logger,
  });
  host.observe(coordination);
  host.followApplied(coordination);
  return new CoordinationOps({
    stateMachine: () => host.stateMachine,
    guard,
    coord: (cmd) => writes.coord(cmd),
    readBarrier: () => writes.readBarrier(),
    keeper: coordination.keeper,
    grants: coordination.grants,
    observers: coordination.observers,
    monotonicMs,
  });
}
