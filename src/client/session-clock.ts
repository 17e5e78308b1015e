// How long a session is guaranteed to live, by this client's clock (docs/coordination.md, design
// item 4). Pure: every time is a reading of the caller's monotonic clock, passed in, so the
// simulator can drive the same arithmetic.
//
// The leader expires a session no earlier than ttl after it received the last keep-alive it
// acknowledged (or after it started keeping, which is later than any send it acknowledged before
// an election). Receipt is after the send, so the session lives at least ttl on the leader's
// clock from the send time of the last acknowledged keep-alive. When the two clocks' rates differ
// by at most a factor (1+ρ)/(1−ρ), ttl on the leader's clock is at least ttl·(1−ρ)/(1+ρ) on ours;
// less a margin for what the bound does not cover (scheduling, the timer firing late).

export const DEFAULT_DRIFT_BOUND = 0.01;
export const DEFAULT_MARGIN_MS = 100;

/** The first retry after a failed keep-alive; doubled per failure up to RETRY_MAX_FRACTION·ttl. */
const RETRY_BASE_MS = 50;
const RETRY_MAX_FRACTION = 1 / 6;

export interface SessionClockConfig {
  readonly ttlMs: number;
  /** ρ: the bound on the relative rate difference of this client's clock and any leader's. */
  readonly driftBound: number;
  readonly marginMs: number;
}

/** What a send at time t guarantees: the session lives until at least t + this (our clock). */
export function guaranteedValidityMs(c: SessionClockConfig): number {
  return (c.ttlMs * (1 - c.driftBound)) / (1 + c.driftBound) - c.marginMs;
}

/** Every problem with a clock configuration (empty when usable). */
export function sessionClockProblems(c: SessionClockConfig): string[] {
  const problems: string[] = [];
  if (!Number.isFinite(c.ttlMs) || c.ttlMs <= 0) problems.push(`ttlMs must be a positive number, got ${c.ttlMs}`);
  if (!Number.isFinite(c.driftBound) || c.driftBound < 0 || c.driftBound >= 1)
    problems.push(`the clock drift bound must be in [0, 1), got ${c.driftBound}`);
  if (!Number.isFinite(c.marginMs) || c.marginMs < 0) problems.push(`the session margin must be ≥ 0 ms, got ${c.marginMs}`);
  if (problems.length === 0 && guaranteedValidityMs(c) <= c.ttlMs / 3)
    problems.push(
      `ttl ${c.ttlMs} ms leaves too little validity (${Math.floor(guaranteedValidityMs(c))} ms) after the drift bound ` +
        `${c.driftBound} and the margin ${c.marginMs} ms to renew it every ttl/3: raise the ttl or lower the margin`,
    );
  return problems;
}

export class SessionClock {
  private until: number;
  private lastAckedSend: number;

  /** `createSentAt`: when the create request was FIRST sent (a retry may be answered from an earlier apply). */
  constructor(
    readonly config: SessionClockConfig,
    createSentAt: number,
  ) {
    const problems = sessionClockProblems(config);
    if (problems.length > 0) throw new RangeError(problems.join('; '));
    this.lastAckedSend = createSentAt;
    this.until = createSentAt + guaranteedValidityMs(config);
  }

  /** A keep-alive sent at `sentAt` was acknowledged. Never shortens validity (acks may arrive out of order). */
  acked(sentAt: number): void {
    this.lastAckedSend = Math.max(this.lastAckedSend, sentAt);
    this.until = Math.max(this.until, sentAt + guaranteedValidityMs(this.config));
  }

  /** The first instant at which the session is no longer guaranteed. */
  get validUntil(): number {
    return this.until;
  }

  isValid(now: number): boolean {
    return now < this.until;
  }

  remainingMs(now: number): number {
    return Math.max(0, this.until - now);
  }

  /**
   * When to send the next keep-alive: ttl/3 after the last acknowledged send; after `failures`
   * consecutive failures sooner (50 ms, doubling, at most ttl/6 apart), never before `now`.
   */
  nextKeepAliveAt(now: number, failures: number): number {
    if (failures <= 0) return Math.max(now, this.lastAckedSend + this.config.ttlMs / 3);
    const retry = Math.min(RETRY_BASE_MS * 2 ** Math.min(failures - 1, 20), this.config.ttlMs * RETRY_MAX_FRACTION);
    return now + retry;
  }
}
