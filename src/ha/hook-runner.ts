// Runs one hook (DESIGN.md "Hook contract"): an executable started without a shell as the
// leader of its own process group, with the PALISADE_* environment, a timeout that kills the
// whole group (SIGTERM, then SIGKILL after a bounded grace), and its output logged line by
// line. A hook that cannot run is a failed result, never an exception: the role controller
// must always get an answer.
import { spawn } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { untrustedFileProblem } from './file-trust.js';
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

/** After the leader exits, how long to wait for its pipes to drain (a daemon it left may hold them). */
const DRAIN_MS = 200;
/** After SIGKILL, how long before we stop waiting for the exit (uninterruptible sleep). */
const AFTER_KILL_MS = 2000;
/** While a killed group's members are dying, how often to look whether any is left. */
const GROUP_POLL_MS = 10;

/**
 * Config-time check for the validator: undefined when `path` names an executable regular
 * file, otherwise what is wrong with it.
 */
export function checkHookPath(path: string): string | undefined {
  if (path.trim() === '') return 'hook path is empty';
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `hook ${path} does not exist` : `hook ${path} cannot be read: ${(err as Error).message}`;
  }
  if (!st.isFile()) return `hook ${path} is not a regular file`;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return `hook ${path} is not executable (chmod +x ${path})`;
  }
  return untrustedFileProblem(path);
}

/** The hook's environment: the base environment plus the PALISADE_* contract variables. */
export function hookEnvironment(ctx: HookContext, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    PALISADE_EVENT: ctx.event,
    PALISADE_NODE_ID: ctx.nodeId,
    PALISADE_EPOCH: String(ctx.epoch),
    PALISADE_TERM: String(ctx.term),
    PALISADE_PREVIOUS_ACTIVE: ctx.previousActive,
    PALISADE_TARGET: ctx.target,
    PALISADE_REASON: ctx.reason,
    PALISADE_CLUSTER: ctx.cluster,
    ...(ctx.role !== undefined ? { PALISADE_ROLE: ctx.role } : {}),
  };
}

export function runHook(spec: HookSpec): HookHandle {
  const now = spec.now ?? (() => performance.now());
  const started = now();
  const graceMs = Math.max(0, spec.killGraceMs ?? 1000);
  const tailLines = spec.tailLines ?? 40;
  const maxLogged = spec.maxLoggedLines ?? 1000;
  const maxLineChars = spec.maxLineChars ?? 2000;
  const logFields = { hook: spec.context.event, path: spec.path, epoch: spec.context.epoch, term: spec.context.term };
  const log = spec.logger;

  const problem = checkHookPath(spec.path);
  if (problem !== undefined) {
    log.error(logFields, `hook not run: ${problem}`);
    return failedBeforeStart(problem, now() - started);
  }

  let child;
  try {
    // Resolved: a bare name would otherwise be looked up in PATH, not where checkHookPath looked.
    child = spawn(resolve(spec.path), [], {
      shell: false,
      // Leads its own process group, so a timeout can kill everything the hook started.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: hookEnvironment(spec.context, spec.baseEnv),
    });
  } catch (err) {
    const detail = `hook ${spec.path} could not start: ${(err as Error).message}`;
    log.error(logFields, detail);
    return failedBeforeStart(detail, now() - started);
  }
  const pid = child.pid;
  log.info({ ...logFields, pid, reason: spec.context.reason }, 'hook started');

  const tail: string[] = [];
  let logged = 0;
  let dropped = 0;
  const onLine = (stream: 'stdout' | 'stderr', text: string): void => {
    tail.push(`${stream}: ${text}`);
    if (tail.length > tailLines) tail.shift();
    if (logged < maxLogged) {
      logged++;
      if (stream === 'stdout') log.info({ ...logFields, stream }, text);
      else log.warn({ ...logFields, stream }, text);
    } else {
      dropped++;
    }
  };
  const splitters = [lineSplitter('stdout', onLine, maxLineChars), lineSplitter('stderr', onLine, maxLineChars)] as const;
  child.stdout?.setEncoding('utf8').on('data', (s: string) => splitters[0].push(s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => splitters[1].push(s));

  let killReason: 'timeout' | 'killed' | undefined;
  let sigkillSent = false;
  let exited = false;
  let exit: { code: number | null; signal: string | null } = { code: null, signal: null };
  let spawnError: string | undefined;
  let settled = false;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): NodeJS.Timeout => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };
  const clear = (t: NodeJS.Timeout | undefined): void => {
    if (t === undefined) return;
    clearTimeout(t);
    timers.delete(t);
  };

  let resolveResult!: (r: HookResult) => void;
  const result = new Promise<HookResult>((r) => (resolveResult = r));

  const signalGroup = (sig: NodeJS.Signals): void => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // ESRCH: the group is already gone.
    }
  };
  const groupAlive = (): boolean => (pid === undefined ? false : processGroupAlive(pid));

  let graceTimer: NodeJS.Timeout | undefined;
  const terminate = (why: 'timeout' | 'killed'): void => {
    if (settled || killReason !== undefined) return;
    if (exited && !groupAlive()) return;
    killReason = why;
    log.warn({ ...logFields, pid, graceMs }, why === 'timeout' ? `hook timed out after ${spec.timeoutMs} ms: SIGTERM to its process group` : 'hook preempted: SIGTERM to its process group');
    signalGroup('SIGTERM');
    graceTimer = later(graceMs, () => {
      graceTimer = undefined;
      sigkillSent = true;
      log.warn({ ...logFields, pid }, 'hook process group still alive after the grace: SIGKILL');
      signalGroup('SIGKILL');
      if (exited) finishAfterDrain();
      else later(AFTER_KILL_MS, () => finish(`hook did not exit ${AFTER_KILL_MS} ms after SIGKILL`));
    });
  };
  const timeoutTimer = later(Math.max(0, spec.timeoutMs), () => terminate('timeout'));

  let drainTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const finishAfterDrain = (): void => {
    if (closed) finish();
    else if (drainTimer === undefined) drainTimer = later(DRAIN_MS, () => finish());
  };

  const finish = (stuck?: string): void => {
    if (settled) return;
    settled = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    splitters[0].flush();
    splitters[1].flush();
    // Whatever still holds the pipes (a daemon the hook left behind) must not keep us alive.
    child.stdout?.destroy();
    child.stderr?.destroy();
    if (dropped > 0) log.warn({ ...logFields, dropped }, `hook output: ${dropped} more lines not logged`);
    const durationMs = now() - started;
    const timedOut = killReason === 'timeout';
    const killed = killReason === 'killed';
    const ok = spawnError === undefined && stuck === undefined && killReason === undefined && exit.code === 0;
    const detail = ok
      ? ''
      : (spawnError ??
        stuck ??
        (timedOut
          ? `timed out after ${spec.timeoutMs} ms (process group killed${sigkillSent ? ' with SIGKILL' : ''})`
          : killed
            ? 'killed: preempted by a newer decision'
            : exit.code !== null
              ? `exit code ${exit.code}`
              : `killed by ${exit.signal ?? 'a signal'}`));
    const r: HookResult = { ok, exitCode: exit.code, signal: exit.signal, timedOut, killed, durationMs, outputTail: [...tail], detail };
    const fields = { ...logFields, pid, ok, exitCode: exit.code, signal: exit.signal, timedOut, killed, durationMs: Math.round(durationMs) };
    if (ok) log.info(fields, 'hook finished');
    else log.warn(fields, `hook failed: ${detail}`);
    resolveResult(r);
  };

  child.on('error', (err) => {
    // Only a spawn failure (raced with checkHookPath) lands here: we signal with process.kill.
    if (pid !== undefined) return;
    spawnError = `hook ${spec.path} could not start: ${err.message}`;
    log.error(logFields, spawnError);
    finish();
  });
  child.on('exit', (code, signal) => {
    exited = true;
    exit = { code, signal };
    clear(timeoutTimer);
    if (killReason !== undefined && !sigkillSent) {
      // Killed: the group must be gone before anything else runs (e.g. the demote after a
      // preempted promote). Members that outlive the leader get SIGKILL at the grace's end.
      // A member may still be dying (or a zombie awaiting its reaper): poll briefly.
      if (groupAlive()) {
        const poll = (): void => {
          if (settled || sigkillSent) return;
          if (groupAlive()) {
            later(GROUP_POLL_MS, poll);
            return;
          }
          clear(graceTimer);
          graceTimer = undefined;
          finishAfterDrain();
        };
        later(GROUP_POLL_MS, poll);
        return;
      }
      clear(graceTimer);
      graceTimer = undefined;
    }
    finishAfterDrain();
  });
  child.on('close', () => {
    closed = true;
    if (exited && (killReason === undefined || sigkillSent || graceTimer === undefined)) finish();
  });

  return {
    pid,
    result,
    kill: () => terminate('killed'),
  };
}

/**
 * Whether any process of group `pgid` can still run code. Zombies do not count: killed
 * members orphaned by their parent wait for init to reap them, which in a container can
 * take seconds. Without /proc (not Linux) any member counts.
 */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // `pid (comm) state ppid pgrp ...`; comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

function failedBeforeStart(detail: string, durationMs: number): HookHandle {
  return {
    pid: undefined,
    result: Promise.resolve({ ok: false, exitCode: null, signal: null, timedOut: false, killed: false, durationMs, outputTail: [], detail }),
    kill: () => {},
  };
}

interface LineSplitter {
  push(chunk: string): void;
  flush(): void;
}

function lineSplitter(stream: 'stdout' | 'stderr', onLine: (s: 'stdout' | 'stderr', text: string) => void, maxChars: number): LineSplitter {
  let partial = '';
  const emit = (line: string): void => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    onLine(stream, text.length > maxChars ? `${text.slice(0, maxChars)}…` : text);
  };
  return {
    push(chunk) {
      partial += chunk;
      let nl = partial.indexOf('\n');
      while (nl !== -1) {
        emit(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
        nl = partial.indexOf('\n');
      }
      // Bounded memory even for output that never ends a line.
      if (partial.length > maxChars) {
        emit(partial);
        partial = '';
      }
    },
    flush() {
      if (partial !== '') emit(partial);
      partial = '';
    },
  };
}
