// Runs short system commands (ip, arping) for the HA resources: argv only, never a shell,
// always with a timeout. Injectable so unit tests can check argv without root, and so the
// network-namespace tests can prefix every command with `ip netns exec NS`.
import { execFile } from 'node:child_process';

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
