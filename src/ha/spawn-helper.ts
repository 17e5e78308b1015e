// The agent's spawn helper: a small Node process started once with the agent that starts hooks,
// checks, `ip` and `arping` on its behalf, so the agent's event loop never forks (launcher.ts
// says why). A launch returns at once a LaunchedProcess that the helper's reports feed; timeouts
// and kills stay with the caller, which signals the pid or process group itself.
// Until the helper says it listens (it takes a moment to load, longer on a busy machine),
// launches spawn directly: a command's timeout must not run while the helper is still loading.
// If the helper dies, what it was running is killed and reported failed (its exit status is lost,
// so a hook or command counts as failed: never a vacuous success), launches spawn directly
// meanwhile, and a new helper is started a moment later.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { HaLogger } from './hook-types.js';
import { directLauncher, type LaunchedProcess, type Launcher } from './launcher.js';
import type { HelperReply, HelperRequest } from './spawn-helper-protocol.js';

/** After the helper died, how long before a new one is started (a helper that dies at once must not spin). */
const RESTART_DELAY_MS = 1000;

/** A process started by the helper, as the agent sees it. */
class HelperProcess extends EventEmitter implements LaunchedProcess {
  pid: number | undefined;
  constructor(private readonly detached: boolean) {
    super();
  }

  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  private exited = false;
  private closed = false;

  onReply(m: HelperReply): void {
    switch (m.t) {
      case 'spawn':
        this.pid = m.pid;
        this.emit('spawn');
        return;
      case 'error':
        this.fail(m.code === 'ENOENT' ? `${m.message} (command not found)` : m.message, m.code);
        return;
      case 'out':
        (m.stream === 'stdout' ? this.stdout : this.stderr).write(m.data);
        return;
      case 'exit':
        this.exited = true;
        this.emit('exit', m.code, m.signal);
        return;
      case 'close':
        this.close();
        return;
    }
  }

  /**
   * The helper is gone: this process's exit status is lost. It is killed (its group, for a hook)
   * so that nothing it would still do can land after the caller has moved on (an `ip addr add`
   * after the demotion's `ip addr del`); a process whose pid never arrived cannot be reached.
   */
  lost(why: string, kill: boolean): void {
    if (this.closed) return;
    if (kill && this.pid !== undefined && !this.exited) {
      try {
        process.kill(this.detached ? -this.pid : this.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    this.fail(why);
    if (!this.exited) {
      this.exited = true;
      this.emit('exit', null, null);
    }
    this.close();
  }

  private fail(message: string, code?: string): void {
    const err: NodeJS.ErrnoException = new Error(message);
    if (code !== undefined) err.code = code;
    // An 'error' without a listener would throw; every user listens, but never crash the agent.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stdout.end();
    this.stderr.end();
    // After the output written above has reached the readers, as a child's 'close' comes after its pipes'.
    setImmediate(() => this.emit('close'));
  }
}

export class SpawnHelper {
  private helper: ChildProcess | undefined;
  /** The running helper has said it listens. */
  private ready = false;
  private readonly readyWaiters: (() => void)[] = [];
  private readonly procs = new Map<number, HelperProcess>();
  private nextId = 1;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: HaLogger,
    private readonly script = helperScript(),
  ) {}

  /** Starts the helper (the one fork of the agent it costs happens now, not when a command runs). */
  start(): void {
    if (this.stopped || this.helper !== undefined) return;
    let child: ChildProcess;
    try {
      child = fork(this.script.path, [], { execArgv: this.script.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'spawn helper could not start: commands and hooks are spawned by the agent itself');
      return;
    }
    child.on('message', (m) => this.onReply(child, m as HelperReply));
    child.on('exit', (code, signal) => this.gone(child, `spawn helper exited (${signal ?? `exit code ${code}`})`));
    child.on('error', (err) => this.gone(child, `spawn helper failed: ${err.message}`));
    // An idle helper does not keep the agent alive; the channel does while a command runs.
    child.unref();
    child.channel?.unref();
    this.helper = child;
    this.ready = false;
  }

  /** Resolves once a helper listens (tests; the agent never waits for it). False after `timeoutMs`. */
  whenReady(timeoutMs = 10_000): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** The helper's pid while one runs (tests). */
  get pid(): number | undefined {
    return this.helper?.pid;
  }

  /** Through the helper when one runs, directly otherwise. */
  readonly launch: Launcher = (file, args, options) => {
    const helper = this.helper;
    if (helper === undefined || !this.ready || !helper.connected) return directLauncher(file, args, options);
    const id = this.nextId++;
    const proc = new HelperProcess(options.detached);
    this.procs.set(id, proc);
    if (this.procs.size === 1) helper.channel?.ref();
    const req: HelperRequest = { id, file, args: [...args], env: options.env ?? process.env, detached: options.detached };
    helper.send(req, (err) => {
      if (err) this.gone(helper, `spawn helper unreachable: ${err.message}`);
    });
    return proc;
  };

  /** Stops the helper; later launches spawn directly. Processes it started keep running. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    const helper = this.helper;
    if (helper === undefined) return;
    this.gone(helper, 'spawn helper stopped', false);
    // It ends when its channel closes (it ignores stop signals meant for the agent's group).
    if (helper.connected) helper.disconnect();
  }

  private onReply(helper: ChildProcess, m: HelperReply): void {
    if (m.t === 'ready') {
      if (helper !== this.helper) return;
      this.ready = true;
      for (const w of this.readyWaiters.splice(0)) w();
      return;
    }
    const proc = this.procs.get(m.id);
    if (proc === undefined) return;
    if (m.t === 'close') {
      this.procs.delete(m.id);
      if (this.procs.size === 0) this.helper?.channel?.unref();
    }
    proc.onReply(m);
  }

  /** `kill`: what it ran is killed (it died; on a stop they run on, as after a crash of the agent). */
  private gone(helper: ChildProcess, why: string, kill = true): void {
    if (this.helper !== helper) return;
    this.helper = undefined;
    this.ready = false;
    const lost = [...this.procs.values()];
    this.procs.clear();
    for (const p of lost) p.lost(`${why}: the outcome of pid ${p.pid ?? '(not started)'} is unknown`, kill);
    if (this.stopped) return;
    this.log.error({ running: lost.length }, `${why}: commands and hooks are spawned by the agent itself until a new helper runs`);
    this.restartTimer = setTimeout(() => this.start(), RESTART_DELAY_MS);
    this.restartTimer.unref();
  }
}

/** The helper's entry point: the compiled one beside this file, or the TypeScript source under tsx (tests). */
function helperScript(): { path: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./spawn-helper-main.js', import.meta.url));
  if (existsSync(js)) return { path: js, execArgv: [] };
  return { path: fileURLToPath(new URL('./spawn-helper-main.ts', import.meta.url)), execArgv: ['--import', 'tsx'] };
}
