// A command run in a process group of its own (`palisade lock|elect NAME -- CMD`), so the CLI can
// stop CMD together with everything CMD started: a shell's pipeline, a worker it forked. A lock
// that outlives its holder's children would not be exclusive.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';

export interface GroupExit {
  /** The exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ProcessGroup {
  /** The leader's pid, which is also the group id. */
  readonly pid: number;
  /** Settles when CMD (the group's leader) has ended; other members may live on. */
  readonly exited: Promise<GroupExit>;
  /** Sends `signal` to every process of the group; false when none is left. */
  signal(signal: NodeJS.Signals): boolean;
  /** True while any process of the group runs (a zombie, dead but not reaped, does not count). */
  alive(): boolean;
}

/** Why CMD could not start, with the code a shell gives (127 not found, 126 not executable). */
export class CommandStartError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number,
    cause: Error,
  ) {
    super(`cannot run ${command}: ${cause.message}`, { cause });
  }
}

/**
 * Starts `command args` as the leader of a new process group (and session: setsid), with the
 * CLI's stdin, stdout and stderr. Rejects with CommandStartError when it cannot be started.
 */
export async function spawnGroup(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProcessGroup> {
  const child = spawn(command, [...args], { detached: true, stdio: 'inherit', env });
  await new Promise<void>((ok, fail) => {
    child.once('spawn', ok);
    child.once('error', (err: NodeJS.ErrnoException) => fail(new CommandStartError(command, startFailureCode(err), err)));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${command} started without a pid`);
  return groupOf(child, pid);
}

function groupOf(child: ChildProcess, pid: number): ProcessGroup {
  const exited = new Promise<GroupExit>((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) ok({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => ok({ code, signal }));
  });
  const signal = (sig: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-pid, sig);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw err;
    }
  };
  return { pid, exited, signal: (sig) => signal(sig), alive: () => signal(0) && (!HAS_PROC || runningInGroup(pid)) };
}

const HAS_PROC = process.platform === 'linux';

/**
 * Whether a process of group `pgid` runs, by /proc. kill(-pgid, 0) alone also counts zombies: an
 * orphan killed in a container whose init does not reap stays one for good.
 */
function runningInGroup(pgid: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

function startFailureCode(err: NodeJS.ErrnoException): number {
  if (err.code === 'ENOENT') return 127;
  if (err.code === 'EACCES') return 126;
  return 1;
}

/** The shell's convention for a process a signal ended: 128 + the signal's number. */
export function exitCodeOf(exit: GroupExit): number {
  if (exit.code !== null) return exit.code;
  return 128 + (exit.signal !== null ? constants.signals[exit.signal] : 0);
}

/**
 * Ends every process of the group: SIGTERM, then SIGKILL once `graceMs` have passed (at once when
 * `graceMs` is 0). Resolves when no process of the group runs, or after `killWaitMs` more.
 */
export async function terminateGroup(group: ProcessGroup, graceMs: number, killWaitMs = 2000): Promise<void> {
  if (graceMs > 0) {
    if (!group.signal('SIGTERM')) return;
    if (await gone(group, graceMs)) return;
  }
  if (!group.signal('SIGKILL')) return;
  await gone(group, killWaitMs);
}

/** Polls until the group is empty; false when `withinMs` passed first. */
async function gone(group: ProcessGroup, withinMs: number): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  // The leader's exit is an event; only members it left behind need polling.
  await Promise.race([group.exited, new Promise((ok) => setTimeout(ok, withinMs))]);
  for (;;) {
    if (!group.alive()) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await new Promise((ok) => setTimeout(ok, Math.min(10, left)));
  }
}
