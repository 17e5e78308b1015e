// `palisade lock|elect NAME ... -- CMD`: open a session, wait for the grant (bounded by
// --wait-timeout, ended by Ctrl-C), run CMD while holding (hold-command.ts), then close the
// session, which releases the grant. The exit code is CMD's own, or 10 when the grant was lost
// and CMD was killed for it.
import { constants } from 'node:os';
import type { Grant, Session } from '../client/coordination-types.js';
import { InvalidArgumentError } from '../errors.js';
import { openClient, type ClientContext, type Io } from './context.js';
import { ExitCode } from './exit-codes.js';
import { runWhileHolding, type SignalSource } from './hold-command.js';
import { CommandStartError } from './process-group.js';

/** Session TTL bounds the cluster accepts (SessionCreateRequest.ttl_ms). */
export const MIN_TTL_MS = 1000;
export const MAX_TTL_MS = 300_000;

/** The environment CMD gets besides the CLI's own. */
export const HOLD_ENV = { token: 'PALISADE_FENCING_TOKEN', name: 'PALISADE_LOCK_NAME', session: 'PALISADE_SESSION_ID' } as const;

export interface HoldFlags {
  ttl?: string;
  waitTimeout?: string;
}

export interface HoldSpec {
  /** For messages: 'lock', 'semaphore' or 'leadership of'. */
  readonly what: string;
  readonly name: string;
  readonly ttlMs: number | undefined;
  readonly waitTimeoutMs: number | undefined;
  readonly acquire: (session: Session, signal: AbortSignal) => Promise<Grant>;
  /** CMD and its arguments. */
  readonly command: readonly string[];
}

/** A whole number of milliseconds in [min, max], or a usage error naming the flag. */
export function millisFlag(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new InvalidArgumentError(
      `${flag}: "${raw}" is not a whole number of milliseconds from ${min} to ${max} — e.g. ${flag} ${min * 10}`,
    );
  }
  return Number(raw);
}

export function holdFlags(flags: HoldFlags): Pick<HoldSpec, 'ttlMs' | 'waitTimeoutMs'> {
  return {
    ttlMs: millisFlag('--ttl', flags.ttl, MIN_TTL_MS, MAX_TTL_MS),
    waitTimeoutMs: millisFlag('--wait-timeout', flags.waitTimeout, 1, 2 ** 31 - 1),
  };
}

/**
 * CMD as given after `--`. Commander fills arguments left to right across `--`, so
 * `elect NAME -- sh -c x` would take "sh" for VALUE; the command must be exactly what follows `--`.
 */
export function commandAfterDashes(parsed: readonly string[], argv: readonly string[], usage: string): readonly string[] {
  const at = argv.indexOf('--');
  if (at < 0 || argv.length - at - 1 !== parsed.length) {
    throw new InvalidArgumentError(`put the command after --, and nothing else there: ${usage}`);
  }
  return parsed;
}

/** Runs the whole flow; resolves to the exit code. */
export async function holdAndRun(ctx: ClientContext, spec: HoldSpec): Promise<number> {
  const client = openClient(ctx);
  try {
    const session = await client.session(spec.ttlMs !== undefined ? { ttlMs: spec.ttlMs } : {});
    try {
      const grant = await waitForGrant(ctx.io, spec, session);
      if (typeof grant === 'number') return grant;
      return await runHeld(ctx.io, spec, session, grant);
    } finally {
      await closeQuietly(ctx.io, session);
    }
  } finally {
    client.close();
  }
}

/** The grant, or the exit code when waiting ended without one (interrupted or timed out). */
async function waitForGrant(io: Io, spec: HoldSpec, session: Session): Promise<Grant | number> {
  const waiting = new AbortController();
  const interrupt = () => waiting.abort(io.signal.reason);
  io.signal.addEventListener('abort', interrupt, { once: true });
  if (io.signal.aborted) interrupt();
  let timedOut = false;
  const timer =
    spec.waitTimeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          waiting.abort(new Error('--wait-timeout'));
        }, spec.waitTimeoutMs);
  try {
    return await spec.acquire(session, waiting.signal);
  } catch (err) {
    if (!waiting.signal.aborted) throw err;
    if (timedOut) {
      io.err(`palisade: did not get the ${spec.what} "${spec.name}" within ${spec.waitTimeoutMs} ms (--wait-timeout); CMD was not run\n`);
      return ExitCode.Timeout;
    }
    io.err(`palisade: interrupted while waiting for the ${spec.what} "${spec.name}"; CMD was not run\n`);
    return signalExitCode(io.signal.reason);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    io.signal.removeEventListener('abort', interrupt);
  }
}

async function runHeld(io: Io, spec: HoldSpec, session: Session, grant: Grant): Promise<number> {
  const [command, ...args] = spec.command;
  const env = {
    ...io.env,
    [HOLD_ENV.token]: String(grant.token),
    [HOLD_ENV.name]: spec.name,
    [HOLD_ENV.session]: session.id,
  };
  const holding = { lost: grant.lost, remainingMs: () => session.remainingMs(), ttlMs: session.ttlMs };
  try {
    const outcome = await runWhileHolding({ command, args, env }, holding, signalSource(io));
    if (outcome.kind === 'exited') return outcome.exitCode;
    io.err(
      `palisade: lost the ${spec.what} "${spec.name}" (token ${grant.token}): session ${session.id} could not be kept alive or ended; ` +
        `killed ${command} (process group ${outcome.pid})\n`,
    );
    return ExitCode.HoldLost;
  } catch (err) {
    if (!(err instanceof CommandStartError)) throw err;
    io.err(`palisade: ${err.message}\n`);
    return err.exitCode;
  }
}

/** Closing ends the session and with it the grant; if that fails the cluster expires it after its TTL. */
async function closeQuietly(io: Io, session: Session): Promise<void> {
  try {
    await session.close();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    io.err(`palisade: warning: could not close session ${session.id} (the cluster ends it within its TTL): ${why}\n`);
  }
}

/** io.onSignal, else the first signal only (through io.signal), for in-process use. */
function signalSource(io: Io): SignalSource {
  if (io.onSignal !== undefined) return io.onSignal;
  return (listener) => {
    const forward = () => listener(signalName(io.signal.reason));
    io.signal.addEventListener('abort', forward, { once: true });
    return () => io.signal.removeEventListener('abort', forward);
  };
}

function signalName(reason: unknown): NodeJS.Signals {
  return reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
}

/** 128 + the signal's number, as a shell reports a command a signal ended. */
function signalExitCode(reason: unknown): number {
  return 128 + constants.signals[signalName(reason)];
}
