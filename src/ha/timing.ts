// The timing rule of docs/design.md "Single active", worked out from the node's settings, and the
// check that an operator's settings keep it. Pure arithmetic; every number in milliseconds.
import type { FencingMode, HaTiming } from './types.js';

export interface TimingInput {
  readonly tickMs: number;
  readonly electionTick: number;
  readonly heartbeatTick: number;
  /** ρ: bound on how much any node's clock rate differs from real time (0.01 = 1%). */
  readonly maxClockDrift: number;
  /** Safety margin subtracted from the lease and added to waits. */
  readonly marginMs: number;
  /** Demote hook timeout + VIP removal allowance. */
  readonly demoteBudgetMs: number;
  /** Allowance for a heartbeat round trip (send, follower fsync-free answer, receive). */
  readonly rttAllowanceMs: number;
  readonly fencing: FencingMode;
}

export interface TimingReport extends HaTiming {
  /** E: the shortest time a follower can ignore votes after hearing from the leader. */
  readonly stickinessMs: number;
  readonly heartbeatMs: number;
  /** Problems (empty when the settings are safe), each with the numbers and a fix. */
  readonly problems: readonly string[];
  /** A human explanation of the numbers, for `--help`-style output and logs. */
  readonly explanation: string;
}

export function computeHaTiming(i: TimingInput): TimingReport {
  const rho = i.maxClockDrift;
  // A follower's "electionTick ticks since I heard from the leader" may be one tick short:
  // the first tick can come right after the message (docs/design-notes.md).
  const stickinessMs = (i.electionTick - 1) * i.tickMs;
  const heartbeatMs = i.heartbeatTick * i.tickMs;
  const leaseMs = (stickinessMs * (1 - rho)) / (1 + rho) - i.marginMs;
  const outliveMs = (leaseMs * (1 + rho)) / (1 - rho) + i.marginMs;
  const problems: string[] = [];
  if (!(rho >= 0 && rho < 0.5)) problems.push(`max clock drift ${rho} must be in [0, 0.5) (0.01 = 1%)`);
  if (leaseMs <= 0) {
    problems.push(
      `lease L = E·(1−ρ)/(1+ρ) − margin = ${fmt(leaseMs)} ms is not positive (E = ${fmt(stickinessMs)} ms): raise --election-timeout-ms`,
    );
  }
  // The active node checks its lease on ticks, so it may notice the demotion point one tick
  // late (also when its ticker sleeps: quietTicksUntil wakes it at the first tick at or after
  // the demotion point): the effective budget (what the controller subtracts from the lease)
  // includes that tick.
  const demoteBudgetMs = i.demoteBudgetMs + i.tickMs;
  // Renewal must normally beat the point where demotion has to start.
  const need = heartbeatMs + i.rttAllowanceMs + demoteBudgetMs;
  if (i.fencing === 'lease' && leaseMs > 0 && need >= leaseMs) {
    problems.push(
      `fencing mode lease needs heartbeat (${fmt(heartbeatMs)}) + round trip allowance (${fmt(i.rttAllowanceMs)}) + ` +
        `demote budget (${fmt(i.demoteBudgetMs)}) + one tick of lateness (${fmt(i.tickMs)}) = ${fmt(need)} ms < lease L = ${fmt(leaseMs)} ms: ` +
        `raise --election-timeout-ms to at least ${Math.ceil(minElectionTimeoutFor(need, i))} ms, lower --hook-timeout-ms, ` +
        `or use --fencing hook`,
    );
  }
  const explanation =
    `E = (electionTick − 1)·tick = ${fmt(stickinessMs)} ms; ρ = ${rho}; ` +
    `lease L = E·(1−ρ)/(1+ρ) − ${fmt(i.marginMs)} = ${fmt(leaseMs)} ms; ` +
    `transfer wait W = L·(1+ρ)/(1−ρ) + ${fmt(i.marginMs)} = ${fmt(outliveMs)} ms; ` +
    `demote budget ${fmt(i.demoteBudgetMs)} + one tick = ${fmt(demoteBudgetMs)} ms; heartbeat ${fmt(heartbeatMs)} ms`;
  return { leaseMs, outliveMs, demoteBudgetMs, stickinessMs, heartbeatMs, problems, explanation };
}

/**
 * How often the leader asks a quorum to acknowledge a heartbeat round (the lease's renewal;
 * the rounds in between go out with optional answers, RaftConfig.quorumAckTicks): the largest
 * multiple of the heartbeat that fits twice into the usable lease, L − demote budget, and
 * leaves the round-trip allowance after it. A renewal whose answers are late is then followed
 * by another before the demotion point. Where the validator barely passes: every heartbeat.
 */
export function leaseRenewalMs(t: Pick<TimingReport, 'leaseMs' | 'demoteBudgetMs' | 'heartbeatMs'>, rttAllowanceMs: number): number {
  const usableMs = t.leaseMs - t.demoteBudgetMs;
  return t.heartbeatMs * Math.max(1, Math.floor(Math.min(usableMs / 2, usableMs - rttAllowanceMs) / t.heartbeatMs));
}

/** The election timeout (ms) at which `need` < L holds, for the message above. */
function minElectionTimeoutFor(need: number, i: TimingInput): number {
  const rho = i.maxClockDrift;
  const e = ((need + i.marginMs) * (1 + rho)) / (1 - rho); // E such that L = need
  return e + i.tickMs * 2; // E = (electionTick − 1)·tick, plus one tick of headroom
}

function fmt(ms: number): string {
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(1);
}
