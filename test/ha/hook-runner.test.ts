// The hook contract (docs/design.md "Hook contract") against real executables: no shell, the
// PALISADE_* environment, a timeout that kills the whole process group, output in the log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkHookPath, hookEnvironment, runHook, type HookContext } from '../../src/ha/hook-runner.js';
import {
  allFixturesExecutable,
  cleanEnv,
  fixture,
  killQuietly,
  parseEnvFile,
  processDead,
  recordingLogger,
  tempDir,
  waitFor,
  waitForPidFile,
} from './fixtures/helpers.js';

const ctx: HookContext = {
  event: 'promote',
  nodeId: 'n2',
  epoch: 17,
  term: 4,
  previousActive: 'n1',
  target: 'n2',
  reason: 'failover from n1',
  cluster: 'prod-db',
};

let tmp: ReturnType<typeof tempDir>;
before(() => {
  allFixturesExecutable();
  tmp = tempDir('pal-hook-');
});
after(() => tmp.cleanup());

describe('checkHookPath (config-time validation)', () => {
  test('an executable regular file has no problem', () => {
    assert.equal(checkHookPath(fixture('record.sh')), undefined);
  });
  test('missing, empty, a directory and a non-executable file are each explained', () => {
    assert.match(checkHookPath(join(tmp.dir, 'nope.sh')) ?? '', /does not exist/);
    assert.match(checkHookPath('') ?? '', /empty/);
    const d = join(tmp.dir, 'a-dir');
    mkdirSync(d, { recursive: true });
    assert.match(checkHookPath(d) ?? '', /not a regular file/);
    const f = join(tmp.dir, 'plain.sh');
    writeFileSync(f, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    assert.match(checkHookPath(f) ?? '', /not executable \(chmod \+x/);
  });
});

test('hookEnvironment adds exactly the eight contract variables', () => {
  const env = hookEnvironment(ctx, { PATH: '/bin', PALISADE_EPOCH: 'stale' });
  assert.deepEqual(env, {
    PATH: '/bin',
    PALISADE_EVENT: 'promote',
    PALISADE_NODE_ID: 'n2',
    PALISADE_EPOCH: '17',
    PALISADE_TERM: '4',
    PALISADE_PREVIOUS_ACTIVE: 'n1',
    PALISADE_TARGET: 'n2',
    PALISADE_REASON: 'failover from n1',
    PALISADE_CLUSTER: 'prod-db',
  });
});

describe('runHook', () => {
  test('runs without a shell with the PALISADE_* environment; output goes to the log and the tail', async () => {
    const log = recordingLogger();
    const hookLog = join(tmp.dir, 'env-run.log');
    const h = runHook({ path: fixture('record.sh'), context: ctx, timeoutMs: 5000, logger: log, baseEnv: cleanEnv({ HOOK_LOG: hookLog }) });
    assert.equal(typeof h.pid, 'number');
    const r = await h.result;
    assert.equal(r.ok, true, r.detail);
    assert.equal(r.exitCode, 0);
    assert.equal(r.timedOut, false);
    assert.equal(r.killed, false);
    assert.ok(r.durationMs >= 0);
    assert.deepEqual(parseEnvFile(`${hookLog}.env.promote.17`), {
      PALISADE_CLUSTER: 'prod-db',
      PALISADE_EPOCH: '17',
      PALISADE_EVENT: 'promote',
      PALISADE_NODE_ID: 'n2',
      PALISADE_PREVIOUS_ACTIVE: 'n1',
      PALISADE_REASON: 'failover from n1',
      PALISADE_TARGET: 'n2',
      PALISADE_TERM: '4',
    });
    assert.deepEqual(r.outputTail, ['stdout: stdout line from promote', 'stderr: stderr line from promote']);
    const out = log.lines.find((l) => l.msg === 'stdout line from promote');
    assert.ok(out, 'stdout line logged');
    assert.equal(out.level, 'info');
    assert.equal(out.obj['hook'], 'promote');
    assert.equal(out.obj['epoch'], 17);
    const err = log.lines.find((l) => l.msg === 'stderr line from promote');
    assert.equal(err?.level, 'warn');
    assert.equal(err?.obj['stream'], 'stderr');
  });

  test('a non-zero exit is a failed result with its code', async () => {
    const r = await runHook({
      path: fixture('record.sh'),
      context: ctx,
      timeoutMs: 5000,
      logger: recordingLogger(),
      baseEnv: cleanEnv({ HOOK_LOG: join(tmp.dir, 'exit3.log'), HOOK_EXIT: '3' }),
    }).result;
    assert.equal(r.ok, false);
    assert.equal(r.exitCode, 3);
    assert.equal(r.detail, 'exit code 3');
  });

  test('a missing or non-executable hook is a clear failed result, not a crash', async () => {
    const log = recordingLogger();
    const missing = await runHook({ path: join(tmp.dir, 'missing.sh'), context: ctx, timeoutMs: 1000, logger: log }).result;
    assert.equal(missing.ok, false);
    assert.equal(missing.exitCode, null);
    assert.match(missing.detail, /does not exist/);
    const f = join(tmp.dir, 'noexec.sh');
    writeFileSync(f, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    const noexec = runHook({ path: f, context: ctx, timeoutMs: 1000, logger: log });
    noexec.kill(); // harmless on a hook that never started
    const r = await noexec.result;
    assert.equal(r.ok, false);
    assert.match(r.detail, /not executable/);
    assert.ok(log.lines.some((l) => l.level === 'error' && /hook not run/.test(l.msg)));
  });

  test('timeout: SIGTERM to the whole process group, the background child dies too', async () => {
    const pidFile = join(tmp.dir, 'hang-timeout.pid');
    const log = recordingLogger();
    const r = await runHook({
      path: fixture('hang.sh'),
      context: ctx,
      timeoutMs: 300,
      killGraceMs: 2000,
      logger: log,
      baseEnv: cleanEnv({ HOOK_PIDFILE: pidFile }),
    }).result;
    assert.equal(r.ok, false);
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGTERM');
    assert.match(r.detail, /timed out after 300 ms/);
    // Well under the 2 s grace: the group died of SIGTERM and we noticed.
    assert.ok(r.durationMs >= 290 && r.durationMs < 1500, `duration ${r.durationMs}`);
    const child = Number(readFileSync(pidFile, 'utf8'));
    try {
      await waitFor(`sleep child ${child} to die`, () => processDead(child), 3000);
    } finally {
      killQuietly(child);
    }
    assert.ok(log.lines.some((l) => /timed out/.test(l.msg)));
    assert.ok(r.outputTail.some((l) => l.startsWith('stdout: hanging with child')));
  });

  test('a group that ignores SIGTERM gets SIGKILL after the grace (bounded)', async () => {
    const pidFile = join(tmp.dir, 'stubborn.pid');
    const r = await runHook({
      path: fixture('stubborn.sh'),
      context: ctx,
      timeoutMs: 200,
      killGraceMs: 300,
      logger: recordingLogger(),
      baseEnv: cleanEnv({ HOOK_PIDFILE: pidFile }),
    }).result;
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGKILL');
    assert.match(r.detail, /with SIGKILL/);
    assert.ok(r.durationMs >= 480 && r.durationMs < 3000, `duration ${r.durationMs}`);
    const child = Number(readFileSync(pidFile, 'utf8'));
    try {
      await waitFor(`sleep child ${child} to die`, () => processDead(child), 3000);
    } finally {
      killQuietly(child);
    }
  });

  test('kill() ends a running hook and its group (a demotion preempting a promotion)', async () => {
    const pidFile = join(tmp.dir, 'hang-kill.pid');
    const h = runHook({
      path: fixture('hang.sh'),
      context: ctx,
      timeoutMs: 60_000,
      logger: recordingLogger(),
      baseEnv: cleanEnv({ HOOK_PIDFILE: pidFile }),
    });
    const child = await waitForPidFile(pidFile);
    h.kill();
    h.kill(); // idempotent
    const r = await h.result;
    assert.equal(r.killed, true);
    assert.equal(r.timedOut, false);
    assert.equal(r.ok, false);
    assert.match(r.detail, /preempted/);
    try {
      await waitFor(`sleep child ${child} to die`, () => processDead(child), 3000);
    } finally {
      killQuietly(child);
    }
  });

  test('output is bounded: a tail in memory, a capped number of logged lines, long lines cut', async () => {
    const log = recordingLogger();
    const r = await runHook({
      path: fixture('flood.sh'),
      context: ctx,
      timeoutMs: 10_000,
      logger: log,
      tailLines: 30,
      maxLoggedLines: 100,
      maxLineChars: 500,
    }).result;
    assert.equal(r.ok, true, r.detail);
    // The 10,000-character line arrives cut in pieces of at most maxLineChars (+ an ellipsis).
    assert.equal(r.outputTail.length, 30);
    assert.ok(r.outputTail.includes('stdout: 3000'));
    assert.ok(r.outputTail[r.outputTail.length - 1].startsWith('stdout: xxx'));
    for (const line of r.outputTail) assert.ok(line.length <= 'stdout: '.length + 501, `line of ${line.length}`);
    const logged = log.lines.filter((l) => l.obj['stream'] === 'stdout');
    assert.equal(logged.length, 100);
    assert.ok(log.lines.some((l) => /more lines not logged/.test(l.msg)));
  });

  test('a hook that leaves a process holding its output still finishes promptly', async () => {
    const pidFile = join(tmp.dir, 'daemon.pid');
    const h = runHook({
      path: fixture('daemonize.sh'),
      context: ctx,
      timeoutMs: 10_000,
      logger: recordingLogger(),
      baseEnv: cleanEnv({ HOOK_PIDFILE: pidFile }),
    });
    const r = await h.result;
    const daemon = Number(readFileSync(pidFile, 'utf8'));
    try {
      assert.equal(r.ok, true, r.detail);
      assert.ok(r.durationMs < 2000, `duration ${r.durationMs}`);
      assert.deepEqual(r.outputTail, ['stdout: started a daemon']);
      // A hook that exited by itself is not killed afterwards: its daemon is its business.
      assert.equal(processDead(daemon), false);
    } finally {
      killQuietly(daemon);
    }
  });
});
