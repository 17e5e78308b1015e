// Processes started as leaders of their own process group, so "kill -9 the node" takes every
// process of it at once (keepalived's VRRP child, a hook in flight) the way a crash would; all of
// them are killed from an exit handler too, so a failed run leaves nothing behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

const live = new Set<ChildProcess>();
let hooked = false;

export interface GroupProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  /** Signal the whole process group. */
  signal(sig: NodeJS.Signals): void;
  /** Resolves when no process of the group is left (the leader's exit is not enough: children linger). */
  gone(timeoutMs?: number): Promise<void>;
  /** SIGTERM the group, SIGKILL after graceMs; resolves on exit. */
  stop(graceMs?: number): Promise<void>;
}

/** env: added to this process's environment for the child. */
export function spawnGroup(argv: readonly string[], logFile: string, env?: Readonly<Record<string, string>>): GroupProcess {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const c of live) killGroup(c, 'SIGKILL');
    });
  }
  const child = spawn(argv[0], argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...(env !== undefined ? { env: { ...process.env, ...env } } : {}),
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  live.add(child);
  const exited = new Promise<void>((r) => child.once('exit', () => (live.delete(child), r())));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    exited,
    signal: (sig) => alive() && killGroup(child, sig),
    gone: async (timeoutMs = 5000) => {
      await exited;
      const deadline = performance.now() + timeoutMs;
      while (killGroup(child, 0)) {
        if (performance.now() > deadline) throw new Error(`process group ${child.pid} still has members after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    stop: async (graceMs = 5000) => {
      if (!alive()) return;
      killGroup(child, 'SIGTERM');
      const t = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function stopAllGroups(graceMs = 5000): Promise<void> {
  await Promise.all(
    [...live].map(async (c) => {
      const done = new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
      killGroup(c, 'SIGTERM');
      const t = setTimeout(() => killGroup(c, 'SIGKILL'), graceMs);
      await done;
      clearTimeout(t);
    }),
  );
}

function killGroup(c: ChildProcess, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-c.pid!, sig);
    return true;
  } catch {
    return false;
  }
}
