// The hook contract's types (docs/design.md "Hook contract"): what a hook is told, how it is run,
// what its run gives back. The runner (hook-runner.ts) re-exports them.
import type { HookKind } from './types.js';

/** The pino methods the HA resources use (a pino Logger satisfies it). */
export interface HaLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What a hook is told about the event, exported to it as PALISADE_* variables. */
export interface HookContext {
  /** A hook's kind, or 'check' for the health check (health-check.ts). */
  readonly event: HookKind | 'check';
  readonly nodeId: string;
  readonly epoch: number;
  readonly term: number;
  /** '' when there was none. */
  readonly previousActive: string;
  /** fence: the node to fence; promote/demote: this node. */
  readonly target: string;
  readonly reason: string;
  readonly cluster: string;
  /** Checks only: PALISADE_ROLE, 'active' or 'replica'. */
  readonly role?: 'active' | 'replica';
}

export interface HookSpec {
  readonly path: string;
  readonly context: HookContext;
  readonly timeoutMs: number;
  readonly logger: HaLogger;
  /** After SIGTERM, how long the group may take before SIGKILL. Default 1000 ms. */
  readonly killGraceMs?: number;
  /** Environment the PALISADE_* variables are added to. Default: process.env. */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** Lines kept in `outputTail`. Default 40. */
  readonly tailLines?: number;
  /** Lines written to the log per run; the rest are counted, not logged. Default 1000. */
  readonly maxLoggedLines?: number;
  /** Longer lines are cut. Default 2000 characters. */
  readonly maxLineChars?: number;
  /** Monotonic clock for durations. Default performance.now. */
  readonly now?: () => number;
}

export interface HookResult {
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** Ended by `kill()` (a newer decision preempted it). */
  readonly killed: boolean;
  readonly durationMs: number;
  /** The last lines of stdout and stderr, prefixed `stdout: ` / `stderr: `. */
  readonly outputTail: readonly string[];
  /** Human-readable summary when not ok. */
  readonly detail: string;
}

export interface HookHandle {
  readonly pid: number | undefined;
  /** Settles once the hook has ended (and, when it was killed, its group is gone or SIGKILLed). */
  readonly result: Promise<HookResult>;
  /** Kill the whole process group (SIGTERM, then SIGKILL after the grace). Idempotent. */
  kill(): void;
}
