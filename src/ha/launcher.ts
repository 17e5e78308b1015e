// How the HA layer starts a program (hooks, checks, `ip`, `arping`): a Launcher. The direct one
// is child_process.spawn in this process; the agent's is the spawn helper (spawn-helper.ts),
// because spawn forks the whole agent and blocks its event loop until the child has exec'd,
// which under CPU contention holds heartbeats and lease renewals back for tens of milliseconds.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface LaunchOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Leader of its own process group (hooks: a timeout kills the whole group). */
  readonly detached: boolean;
}

/**
 * The part of a ChildProcess the HA layer uses. `pid` may be known only after 'spawn'; a start
 * failure is an 'error' before any 'spawn'; 'exit' then 'close' end every started process.
 */
export interface LaunchedProcess {
  readonly pid?: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  on(event: 'spawn', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  on(event: 'close', listener: () => void): this;
}

/** Starts `file` with `args` (no shell), stdin ignored, stdout and stderr piped. */
export type Launcher = (file: string, args: readonly string[], options: LaunchOptions) => LaunchedProcess;

/** child_process.spawn in this process. Throws when Node refuses the arguments. */
export const directLauncher: Launcher = (file, args, options) =>
  spawn(file, [...args], {
    shell: false,
    detached: options.detached,
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
    ...(options.env !== undefined ? { env: options.env } : {}),
  });
