// Runs one hook (docs/design.md "Hook contract"): an executable started without a shell as the
// leader of its own process group, with the PALISADE_* environment, a timeout that kills the
// whole group (SIGTERM, then SIGKILL after a bounded grace), and its output logged line by
// line. A hook that cannot run is a failed result, never an exception: the role controller
// must always get an answer.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { untrustedFileProblem } from './file-trust.js';
import { HookOutput } from './hook-output.js';
import type { HookContext, HookHandle, HookSpec } from './hook-types.js';
import { RunningHook } from './running-hook.js';

export type { HaLogger, HookContext, HookHandle, HookResult, HookSpec } from './hook-types.js';

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
  const logFields = { hook: spec.context.event, path: spec.path, epoch: spec.context.epoch, term: spec.context.term };
  const log = spec.logger;

  const problem = checkHookPath(spec.path);
  if (problem !== undefined) {
    log.error(logFields, `hook not run: ${problem}`);
    return failedBeforeStart(problem, now() - started);
  }
  let child: ChildProcess;
  try {
    child = spawnHook(spec);
  } catch (err) {
    const detail = `hook ${spec.path} could not start: ${(err as Error).message}`;
    log.error(logFields, detail);
    return failedBeforeStart(detail, now() - started);
  }
  log.info({ ...logFields, pid: child.pid, reason: spec.context.reason }, 'hook started');

  const output = new HookOutput(log, logFields, {
    tailLines: spec.tailLines ?? 40,
    maxLoggedLines: spec.maxLoggedLines ?? 1000,
    maxLineChars: spec.maxLineChars ?? 2000,
  });
  output.capture(child);
  const run = new RunningHook({
    child,
    path: spec.path,
    timeoutMs: spec.timeoutMs,
    graceMs: Math.max(0, spec.killGraceMs ?? 1000),
    output,
    logger: log,
    logFields,
    now,
    started,
  });
  return { pid: child.pid, result: run.result, kill: () => run.terminate('killed') };
}

/** Starts the hook without a shell, as the leader of its own process group. Throws when it cannot. */
function spawnHook(spec: HookSpec): ChildProcess {
  // Resolved: a bare name would otherwise be looked up in PATH, not where checkHookPath looked.
  return spawn(resolve(spec.path), [], {
    shell: false,
    // Leads its own process group, so a timeout can kill everything the hook started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: hookEnvironment(spec.context, spec.baseEnv),
  });
}

function failedBeforeStart(detail: string, durationMs: number): HookHandle {
  return {
    pid: undefined,
    result: Promise.resolve({
      ok: false,
      exitCode: null,
      signal: null,
      timedOut: false,
      killed: false,
      durationMs,
      outputTail: [],
      detail,
    }),
    kill: () => {},
  };
}
