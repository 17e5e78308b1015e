// Runs short system commands (ip, arping) for the HA resources: argv only, never a shell,
// always with a timeout. Injectable so unit tests can check argv without root, and so the
// network-namespace tests can prefix every command with `ip netns exec NS`. The agent's runner
// starts them through its spawn helper (launcherRunner), never forking the agent itself.
import { execFile } from 'node:child_process';
import type { LaunchedProcess, Launcher } from './launcher.js';

export interface CommandResult {
  /** Exit code, or null when the process was killed by a signal or never started. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Killed because it ran past `timeoutMs`. */
  readonly timedOut: boolean;
  /** Killed because the caller's AbortSignal fired. */
  readonly aborted: boolean;
  /** Set when the command could not run at all (e.g. `spawn arping ENOENT`). */
  readonly error?: string;
}

export interface CommandOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface CommandRunner {
  /** `argv[0]` is the program (looked up in PATH), the rest its arguments. Never rejects. */
  run(argv: readonly string[], options: CommandOptions): Promise<CommandResult>;
}

/** Output kept per stream; these commands print a few lines, anything more is noise. */
const MAX_BUFFER = 256 * 1024;

/** The real runner. `prefix` is prepended to every argv (e.g. `['ip', 'netns', 'exec', 'ns1']`). */
export function execFileRunner(prefix: readonly string[] = []): CommandRunner {
  return {
    run(argv, options) {
      const full = [...prefix, ...argv];
      const [file, ...args] = full;
      if (file === undefined) {
        return Promise.resolve({
          exitCode: null,
          signal: null,
          stdout: '',
          stderr: '',
          timedOut: false,
          aborted: false,
          error: 'empty command',
        });
      }
      if (options.signal?.aborted) {
        return Promise.resolve({
          exitCode: null,
          signal: null,
          stdout: '',
          stderr: '',
          timedOut: false,
          aborted: true,
          error: 'aborted before start',
        });
      }
      return new Promise((resolve) => {
        execFile(
          file,
          args,
          {
            timeout: options.timeoutMs,
            // SIGKILL: these tools hold no state worth a clean exit, and a timeout must be bounded.
            killSignal: 'SIGKILL',
            maxBuffer: MAX_BUFFER,
            encoding: 'utf8',
            windowsHide: true,
            ...(options.signal ? { signal: options.signal } : {}),
          },
          (err, stdout, stderr) => {
            const out = String(stdout ?? '');
            const errText = String(stderr ?? '');
            if (err === null) {
              resolve({ exitCode: 0, signal: null, stdout: out, stderr: errText, timedOut: false, aborted: false });
              return;
            }
            const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: NodeJS.Signals | null; code?: number | string | null };
            const aborted = e.name === 'AbortError' || options.signal?.aborted === true;
            const exitCode = typeof e.code === 'number' ? e.code : null;
            const signal = e.signal ?? null;
            const spawnFailed = typeof e.code === 'string' && !aborted;
            resolve({
              exitCode,
              signal,
              stdout: out,
              stderr: errText,
              timedOut: !aborted && e.killed === true && signal !== null,
              aborted,
              ...(spawnFailed ? { error: `${file}: ${e.code === 'ENOENT' ? 'command not found' : e.message}` } : {}),
            });
          },
        );
      });
    },
  };
}

/**
 * A runner on a Launcher (the agent's spawn helper), with execFile's contract: the timeout and
 * the caller's abort SIGKILL the command; output beyond MAX_BUFFER per stream is dropped.
 */
export function launcherRunner(launch: Launcher, prefix: readonly string[] = []): CommandRunner {
  return {
    run(argv, options) {
      const [file, ...args] = [...prefix, ...argv];
      const notRun = (error: string, aborted = false): CommandResult => ({
        exitCode: null,
        signal: null,
        stdout: '',
        stderr: '',
        timedOut: false,
        aborted,
        error,
      });
      if (file === undefined) return Promise.resolve(notRun('empty command'));
      if (options.signal?.aborted) return Promise.resolve(notRun('aborted before start', true));
      let child: LaunchedProcess;
      try {
        child = launch(file, args, { detached: false });
      } catch (err) {
        return Promise.resolve(notRun(`${file}: ${(err as Error).message}`));
      }
      return collect(file, child, options);
    },
  };
}

/** Waits for a launched command's end, killing it at its timeout or the caller's abort. */
function collect(file: string, child: LaunchedProcess, options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve) => {
    const out = { stdout: '', stderr: '' };
    let timedOut = false;
    let aborted = false;
    let error: string | undefined;
    let exit: { code: number | null; signal: string | null } = { code: null, signal: null };
    let killWanted = false;
    const kill = (): void => {
      killWanted = true;
      if (child.pid === undefined) return; // sent once it has started
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const onTimeout = (): void => {
      timedOut = true;
      kill();
    };
    // As execFile counts it: from the command's start (the same bound applies to getting it started).
    let timer = setTimeout(onTimeout, options.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      kill();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const keep = (stream: 'stdout' | 'stderr') => (s: string) => {
      if (out[stream].length < MAX_BUFFER) out[stream] += s.slice(0, MAX_BUFFER - out[stream].length);
    };
    child.stdout?.setEncoding('utf8').on('data', keep('stdout'));
    child.stderr?.setEncoding('utf8').on('data', keep('stderr'));
    child.on('spawn', () => {
      if (killWanted) return kill();
      clearTimeout(timer);
      timer = setTimeout(onTimeout, options.timeoutMs);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      error ??= `${file}: ${err.code === 'ENOENT' ? 'command not found' : err.message}`;
    });
    child.on('exit', (code, signal) => (exit = { code, signal }));
    child.on('close', () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        exitCode: exit.code,
        signal: exit.signal,
        ...out,
        timedOut: timedOut && !aborted,
        aborted,
        ...(error !== undefined && !aborted ? { error } : {}),
      });
    });
  });
}

/** One line for logs and error details: how the command ended. */
export function describeCommandResult(argv: readonly string[], r: CommandResult): string {
  const cmd = argv.join(' ');
  if (r.error !== undefined) return `${cmd}: ${r.error}`;
  if (r.aborted) return `${cmd}: aborted`;
  if (r.timedOut) return `${cmd}: timed out`;
  const why = r.exitCode !== null ? `exit code ${r.exitCode}` : `killed by ${r.signal ?? 'a signal'}`;
  const msg = r.stderr.trim() || r.stdout.trim();
  return msg ? `${cmd}: ${why}: ${lastLine(msg)}` : `${cmd}: ${why}`;
}

function lastLine(s: string): string {
  const lines = s.split('\n').filter((l) => l.trim() !== '');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}
