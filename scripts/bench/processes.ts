// Every process and temp dir the benchmark creates is registered here, so one cleanup()
// (run in `finally`, on SIGINT/SIGTERM and on exit) leaves nothing behind even on failure.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (commands for the result files run there). */
const ROOT = resolve(import.meta.dirname, '..', '..');

export const HOST = '127.0.0.1';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, everyMs = 50): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export class ProcessGroup {
  readonly #children = new Set<ChildProcess>();
  readonly #dirs: string[] = [];
  readonly #logs: string[] = [];

  tempDir(label: string): string {
    // Under the OS temp dir, which here is on the ext4 root disk: fsync is real (not tmpfs).
    const dir = mkdtempSync(join(tmpdir(), `palisade-bench-${label}-`));
    this.#dirs.push(dir);
    return dir;
  }

  /** Starts a long-running process with stdout+stderr appended to logFile; env adds variables. */
  spawn(command: string, args: readonly string[], logFile: string, env?: Readonly<Record<string, string>>): ChildProcess {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
    const log = createWriteStream(logFile, { flags: 'a' });
    this.#logs.push(logFile);
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /** Registers a child started elsewhere (e.g. a forked load worker). */
  track(child: ChildProcess): void {
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves when the process has exited. */
  static async stop(child: ChildProcess, graceMs = 5000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(graceMs = 5000): Promise<void> {
    await Promise.all([...this.#children].map((c) => ProcessGroup.stop(c, graceMs)));
  }

  /** Synchronous last resort (process 'exit' handler): SIGKILL what is left, remove the dirs. */
  killAllNow(): void {
    for (const c of this.#children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    this.removeDirs();
  }

  removeDirs(): void {
    // PALISADE_BENCH_KEEP=1 keeps the temp dirs (agent logs, data dirs) to look into a failure.
    if (process.env['PALISADE_BENCH_KEEP'] === '1') {
      for (const d of this.#dirs.splice(0)) process.stderr.write(`kept ${d}\n`);
      return;
    }
    for (const d of this.#dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }

  /** The last lines of every process log, to explain a failure before the dirs go away. */
  logTails(lines = 15): string {
    return this.#logs
      .map((f) => {
        const text = existsSync(f) ? readFileSync(f, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no log)';
        return `--- ${f}\n${text}`;
      })
      .join('\n');
  }
}

/**
 * Runs a benchmark's main with one ProcessGroup, and removes every process and temp dir at the
 * end, also on failure or Ctrl-C. On failure, prints the error and the processes' log tails.
 */
export function runBench(tag: string, main: (group: ProcessGroup) => Promise<void>): void {
  const group = new ProcessGroup();
  process.on('exit', () => group.killAllNow());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      process.stderr.write(`[${tag}] ${sig}: cleaning up\n`);
      group.killAllNow();
      process.exit(130);
    });
  }
  main(group)
    .catch((err: unknown) => {
      console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      console.error(group.logTails());
      process.exitCode = 1;
    })
    .finally(async () => {
      await group.stopAll(5000);
      group.removeDirs();
    });
}

/** A command's trimmed stdout, run at the repository root; 'unknown' when it fails. */
export function commandOutput(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', cwd: ROOT }).trim();
  } catch {
    return 'unknown';
  }
}
