// The load-balancer timing rule (docs/design-notes.md, "Load balancers: the timing rule"): a node
// that stops answering /primary 200 (killed, paused, demoted) must be marked down by HAProxy
// before the node that starts answering 200 can be marked up. HAProxy 2.6 (src/check.c) starts
// a server's next check one interval after the previous one ended: `inter` while the server is
// steady, `fastinter` while its state is changing (downinter while it is down; it only delays).
import { tickPlan } from '../../src/server/config.js';
import type { BackendChecks } from './haproxy-config.js';

export interface AgentTimings {
  readonly heartbeatMs: number;
  readonly electionTimeoutMs: number;
}

/**
 * The shortest time from the active node's death (kill -9, SIGSTOP) to another node's first
 * /primary 200: followers campaign E = (electionTick − 1)·tick after the last heartbeat they
 * heard, which left the dead node at most one heartbeat interval before it died.
 */
export function crashGapMs(a: AgentTimings): number {
  const p = tickPlan(a);
  return (p.electionTick - 1) * p.tickMs - p.heartbeatTick * p.tickMs;
}

export const LbCase = {
  /** Switchover or a lost lease: the old node answers 503 at once; the new one may answer 200 right after. */
  Demotion: 'demotion',
  /** kill -9: checks are refused at once; no new active before the crash gap. */
  Crash: 'crash',
  /** SIGSTOP: each check waits for `timeout check`; no new active before the crash gap. */
  Pause: 'pause',
} as const;
export type LbCase = (typeof LbCase)[keyof typeof LbCase];

export interface LbCaseResult {
  readonly case: LbCase;
  /** Latest moment the old node is marked down, after it stopped answering 200 (check round trips aside). */
  readonly downWithinMs: number;
  /** Earliest moment the new node is marked up, after the old one stopped answering 200. */
  readonly upNotBeforeMs: number;
  /** upNotBefore − downWithin: what is left for the checks' own round trips; must be > 0. */
  readonly marginMs: number;
}

/**
 * The rule for one backend: down ≤ inter + (fall − 1)·fastinter + fall·T, up ≥ G + (rise − 1)·fastinter,
 * with T the time a failing check takes (≈ 0 refused or 503, `timeout check` when nobody answers)
 * and G the least time between the old node's last 200 and the new node's first.
 */
export function lbTimingRule(b: BackendChecks, agent: AgentTimings): LbCaseResult[] {
  const detect = b.interMs + (b.fall - 1) * b.fastinterMs;
  const joinAfter = (b.rise - 1) * b.fastinterMs;
  const gap = crashGapMs(agent);
  const cases: [LbCase, number, number][] = [
    [LbCase.Demotion, detect, joinAfter],
    [LbCase.Crash, detect, gap + joinAfter],
    [LbCase.Pause, detect + b.fall * b.timeoutCheckMs, gap + joinAfter],
  ];
  return cases.map(([c, down, up]) => ({ case: c, downWithinMs: down, upNotBeforeMs: up, marginMs: up - down }));
}

/**
 * The latest moment a node that starts answering 200 is marked up: its next check (at most
 * downinter + a check away), then rise − 1 more, each a fastinter and a check apart. `checkMs`
 * is an allowance for one check's round trip.
 */
export function joinWithinMs(b: BackendChecks, checkMs: number): number {
  return b.downinterMs + checkMs + (b.rise - 1) * (b.fastinterMs + checkMs) + checkMs;
}
