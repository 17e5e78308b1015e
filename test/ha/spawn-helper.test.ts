// The agent's spawn helper (src/ha/spawn-helper.ts): commands start in the helper, never in the
// agent's own process (a spawn there forks the agent and blocks its event loop until the child
// has exec'd: the stall that let a tuned leader's lease lapse mid-promotion, issue 20); a kill
// decided before the helper reported the pid still reaches the group; a helper that dies fails
// what it ran and is replaced. The hook contract through the helper: hook-runner.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launcherRunner } from '../../src/ha/command-runner.js';
import { runHook, type HookContext } from '../../src/ha/hook-runner.js';
import { SpawnHelper } from '../../src/ha/spawn-helper.js';
import {
  allFixturesExecutable,
  cleanEnv,
  fixture,
  killQuietly,
  processDead,
  recordingLogger,
  tempDir,
  waitFor,
  waitForPidFile,
} from './fixtures/helpers.js';

const ctx: HookContext = {
  event: 'promote',
  nodeId: 'n2',
  epoch: 3,
  term: 2,
  previousActive: 'n1',
  target: 'n2',
  reason: 'test',
  cluster: 'c',
};

let tmp: ReturnType<typeof tempDir>;
let helper: SpawnHelper;
before(async () => {
  allFixturesExecutable();
  tmp = tempDir('pal-spawner-');
  helper = new SpawnHelper(recordingLogger());
  helper.start();
  assert.ok(await helper.whenReady(), 'the spawn helper starts');
});
after(() => {
  helper.stop();
  tmp.cleanup();
});

/** SIGSTOP the helper for the duration of `fn`: nothing it would start can start meanwhile. */
async function withHelperStopped(fn: () => Promise<void>): Promise<void> {
  const pid = helper.pid;
  assert.ok(pid !== undefined, 'the helper runs');
  process.kill(pid, 'SIGSTOP');
  try {
    await fn();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('spawn helper', () => {
  test('a hook starts in the helper, not in this process: with the helper stopped it does not run until it resumes', async () => {
    const hookLog = join(tmp.dir, 'stopped.log');
    let handle: ReturnType<typeof runHook> | undefined;
    await withHelperStopped(async () => {
      handle = runHook({
        path: fixture('record.sh'),
        context: ctx,
        timeoutMs: 10_000,
        logger: recordingLogger(),
        baseEnv: cleanEnv({ HOOK_LOG: hookLog }),
        launch: helper.launch,
      });
      // Had this process spawned it, the hook would be running (or done) by now.
      await pause(300);
      assert.equal(existsSync(hookLog), false, 'the hook ran while the helper was stopped');
      assert.equal(handle.pid, undefined);
    });
    const r = await handle!.result;
    assert.equal(r.ok, true, r.detail);
    assert.equal(typeof handle!.pid, 'number');
    assert.ok(existsSync(hookLog));
  });

  test('a kill decided before the helper reported the pid reaches the whole group once it starts', async () => {
    const pidFile = join(tmp.dir, 'early-kill.pid');
    let handle: ReturnType<typeof runHook> | undefined;
    await withHelperStopped(async () => {
      handle = runHook({
        path: fixture('hang.sh'),
        context: ctx,
        timeoutMs: 10_000,
        killGraceMs: 200,
        logger: recordingLogger(),
        baseEnv: cleanEnv({ HOOK_PIDFILE: pidFile }),
        launch: helper.launch,
      });
      handle.kill();
      // Past the kill's grace: the SIGKILL at its end found no pid either.
      await pause(400);
    });
    const r = await handle!.result;
    assert.equal(r.ok, false);
    assert.equal(r.killed, true);
    // The hook may have been killed before it wrote its pid file: then nothing of it runs.
    if (existsSync(pidFile)) {
      const sleeper = await waitForPidFile(pidFile);
      await waitFor('the background child to die with its group', () => processDead(sleeper));
    }
  });

  test('commands: exit code, both streams, a missing program, the timeout and an abort, as execFile reports them', async () => {
    const run = launcherRunner(helper.launch);
    const ok = await run.run(['sh', '-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 5000 });
    assert.deepEqual(
      { exitCode: ok.exitCode, stdout: ok.stdout, stderr: ok.stderr, timedOut: ok.timedOut, aborted: ok.aborted, error: ok.error },
      { exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false, aborted: false, error: undefined },
    );
    const missing = await run.run(['palisade-no-such-program'], { timeoutMs: 5000 });
    assert.equal(missing.exitCode, null);
    assert.match(missing.error ?? '', /palisade-no-such-program: command not found/);
    const slow = await run.run(['sleep', '30'], { timeoutMs: 100 });
    assert.equal(slow.timedOut, true);
    assert.equal(slow.signal, 'SIGKILL');
    const abort = new AbortController();
    const pending = run.run(['sleep', '30'], { timeoutMs: 10_000, signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    const aborted = await pending;
    assert.equal(aborted.aborted, true);
    assert.equal(aborted.timedOut, false);
  });

  test("a command's timeout counts from its start, as execFile's does, not from the request to the helper", async () => {
    const run = launcherRunner(helper.launch);
    let pending: ReturnType<typeof run.run> | undefined;
    await withHelperStopped(async () => {
      pending = run.run(['sleep', '0.7'], { timeoutMs: 1000 });
      await pause(600);
    });
    // Requested 600 ms before it started, ran 700: over 1000 ms in all, within 1000 of its start.
    const r = await pending!;
    assert.equal(r.timedOut, false);
    assert.equal(r.exitCode, 0);
  });

  test("a stop signal meant for the agent's process group does not end the helper; stop() does", async () => {
    const own = new SpawnHelper(recordingLogger());
    own.start();
    assert.ok(await own.whenReady());
    const pid = own.pid!;
    const ppid = async (): Promise<number> =>
      Number((await launcherRunner(own.launch).run(['sh', '-c', 'echo $PPID'], { timeoutMs: 5000 })).stdout.trim());
    try {
      // Once it has run a command it is up, its signal handlers too.
      assert.equal(await ppid(), pid);
      process.kill(pid, 'SIGTERM');
      await pause(200);
      assert.equal(await ppid(), pid, 'still started by the same helper');
    } finally {
      own.stop();
    }
    await waitFor('the stopped helper to exit', () => processDead(pid));
  });

  test('a helper that dies while a hook runs: the hook fails and its group is killed (its outcome is unknown), a new helper takes over', async () => {
    const log = recordingLogger();
    const own = new SpawnHelper(log);
    own.start();
    assert.ok(await own.whenReady());
    const pidFile = join(tmp.dir, 'orphan.pid');
    const h = runHook({
      path: fixture('hang.sh'),
      context: ctx,
      timeoutMs: 10_000,
      logger: recordingLogger(),
      baseEnv: cleanEnv({ HOOK_PIDFILE: pidFile }),
      launch: own.launch,
    });
    const sleeper = await waitForPidFile(pidFile);
    const first = own.pid!;
    try {
      process.kill(first, 'SIGKILL');
      const r = await h.result;
      assert.equal(r.ok, false);
      assert.match(r.detail, /spawn helper exited \(SIGKILL\)/);
      // Its outcome unobservable, the hook's group is killed rather than left running unwatched.
      await waitFor('the orphaned hook group to be killed', () => processDead(sleeper));
      assert.ok(log.lines.some((l) => l.level === 'error' && /spawn helper exited/.test(l.msg)));
      await waitFor('a new helper', () => own.pid !== undefined && own.pid !== first);
      assert.ok(await own.whenReady());
      const again = await launcherRunner(own.launch).run(['sh', '-c', 'echo $PPID'], { timeoutMs: 5000 });
      assert.equal(again.exitCode, 0);
      assert.equal(Number(again.stdout.trim()), own.pid, 'started by the new helper');
    } finally {
      own.stop();
      killQuietly(h.pid ?? sleeper);
      killQuietly(sleeper);
    }
  });
});
