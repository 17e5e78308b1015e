// The leader's side of a simulated node runs the node's own coordination host
// (src/server/coordination-host.ts: the real SessionKeeper fed from the Ready loop, the applied
// entries and the ticks) on the node's drifting clock. Two test-only deviations (the teeth)
// patch that host's keeper to start keeping from the wrong moment.
import pino from 'pino';
import type { RawNode } from '../../../src/raft/raw-node.js';
import { CoordinationHost } from '../../../src/server/coordination-host.js';
import type { KeeperChange, KeeperProposal, KeeperStart, SessionKeeper } from '../../../src/server/session-keeper.js';
import type { StateMachine } from '../../../src/statemachine/state-machine.js';

/** The node's: max(500 ms, its election timeout), which in the simulator is the 500 ms. */
export const KEEPER_RETRY_MS = 500;

export interface KeeperTweaks {
  /** Start every session's TTL at the moment of the election instead of the first applied entry of the term. */
  readonly keepFromElection?: boolean;
  /** Start each session's TTL from when this node applied its creation (or restored it). */
  readonly keepFromApply?: boolean;
}

export interface HostParts {
  readonly raw: RawNode;
  readonly stateMachine: () => StateMachine;
  /** Proposes; false when the core refuses (not the leader any more). */
  readonly propose: (cmd: KeeperProposal) => boolean;
  readonly now: () => number;
  readonly tickMs: number;
}

const silent = pino({ level: 'silent' });

export function coordinationHost(parts: HostParts, tweaks: KeeperTweaks = {}): CoordinationHost {
  const host = new CoordinationHost({
    raw: parts.raw,
    stateMachine: parts.stateMachine,
    propose: (cmd) => {
      if (!parts.propose(cmd)) throw new Error('proposal dropped: not the leader');
    },
    monotonicMs: parts.now,
    tickMs: parts.tickMs,
    retryMs: KEEPER_RETRY_MS,
    logger: silent,
  });
  if (tweaks.keepFromElection === true) keepFromElection(host.keeper, parts.now);
  if (tweaks.keepFromApply === true) keepFromApply(host.keeper, parts.now());
  return host;
}

type Applied = SessionKeeper['applied'];

/** Teeth: the keeper's start uses the time the node became leader instead of now. */
function keepFromElection(keeper: SessionKeeper, now: () => number): void {
  const becameLeader = keeper.becameLeader.bind(keeper);
  const applied: Applied = keeper.applied.bind(keeper);
  let electedAt = 0;
  keeper.becameLeader = (term: number): void => {
    if (!keeper.isLeading) electedAt = now();
    becameLeader(term);
  };
  keeper.applied = (t, appliedTerm, changes, start): void => applied(keeper.isKeeping ? t : electedAt, appliedTerm, changes, start);
}

/** Teeth: on starting to keep, each session counts from when this node applied its creation. */
function keepFromApply(keeper: SessionKeeper, startedAt: number): void {
  const applied: Applied = keeper.applied.bind(keeper);
  const learnedAt = new Map<string, number>();
  keeper.applied = (now: number, appliedTerm: number, changes: readonly KeeperChange[], start: () => KeeperStart): void => {
    for (const c of changes) if (c.type === 'sessionCreated') learnedAt.set(c.session, now);
    if (keeper.isKeeping) return applied(now, appliedTerm, changes, start);
    applied(now, appliedTerm, changes, () => ({ sessions: [], delays: start().delays }));
    if (!keeper.isKeeping) return;
    for (const s of start().sessions) {
      applied(learnedAt.get(s.id) ?? startedAt, appliedTerm, [{ type: 'sessionCreated', session: s.id, ttlMs: s.ttlMs }], start);
    }
  };
}
