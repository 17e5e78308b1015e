// The resource executor runs the role controller's `run` actions one at a time, latest
// decision wins (docs/design.md "Single active" 3-5): real fixture hooks, a scripted runner for the VIP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandOptions, CommandResult, CommandRunner } from '../../src/ha/command-runner.js';
import { ResourceExecutor, type ActionResult, type ResourceExecutorOptions, type RunAction } from '../../src/ha/resource-executor.js';
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

let tmp: ReturnType<typeof tempDir>;
let seq = 0;
before(() => {
  allFixturesExecutable();
  tmp = tempDir('pal-exec-');
});
after(() => tmp.cleanup());

function action(kind: RunAction['kind'], epoch: number, over: Partial<RunAction> = {}): RunAction {
  return {
    type: 'run',
    kind,
    epoch,
    target: 'n1',
    reason: `test ${kind}`,
    previousActive: kind === 'promote' ? 'n3' : 'n1',
    term: 7,
    notAfter: Number.POSITIVE_INFINITY,
    ...over,
  };
}

interface Harness {
  readonly exec: ResourceExecutor;
  readonly done: ActionResult[];
  readonly hookLog: string;
  readonly pidFile: string;
  readonly log: ReturnType<typeof recordingLogger>;
  lines(): string[];
  waitDone(n: number, timeoutMs?: number): Promise<void>;
}

/** `checkPid`: record.sh notes whether the hang hook's child was alive when it started. */
function harness(over: Partial<ResourceExecutorOptions> = {}, env: Record<string, string> = {}, checkPid = false): Harness {
  const id = ++seq;
  const hookLog = join(tmp.dir, `hooks-${id}.log`);
  const pidFile = join(tmp.dir, `hang-${id}.pid`);
  const done: ActionResult[] = [];
  const log = recordingLogger();
  const record = fixture('record.sh');
  const exec = new ResourceExecutor({
    nodeId: 'n1',
    cluster: 'test-cluster',
    hooks: { promote: record, demote: record, fence: record },
    hookTimeoutMs: 5000,
    killGraceMs: 1000,
    logger: log,
    onDone: (r) => done.push(r),
    baseEnv: cleanEnv({ HOOK_LOG: hookLog, HOOK_PIDFILE: pidFile, ...(checkPid ? { HOOK_CHECK_PIDFILE: pidFile } : {}), ...env }),
    ...over,
  });
  return {
    exec,
    done,
    hookLog,
    pidFile,
    log,
    lines: () => (existsSync(hookLog) ? readFileSync(hookLog, 'utf8').trim().split('\n') : []),
    waitDone: (n, timeoutMs = 8000) => waitFor(`${n} onDone reports (have ${done.length})`, () => done.length >= n, timeoutMs),
  };
}

/** A scripted VIP runner: `arping -U` runs until aborted, everything else answers at once. */
function vipRunner(opts: { probeExit?: number } = {}): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    run(argv: readonly string[], o: CommandOptions): Promise<CommandResult> {
      const cmd = argv.join(' ');
      calls.push(cmd);
      const res = (exitCode: number, stdout = ''): CommandResult => ({
        exitCode,
        signal: null,
        stdout,
        stderr: '',
        timedOut: false,
        aborted: false,
      });
      if (argv[0] === 'arping' && argv[1] === '-U') {
        return new Promise((resolve) => {
          const end = (): void => {
            calls.push('announce aborted');
            resolve({ exitCode: null, signal: 'SIGKILL', stdout: '', stderr: '', timedOut: false, aborted: true });
          };
          if (o.signal?.aborted) end();
          else o.signal?.addEventListener('abort', end, { once: true });
        });
      }
      if (argv[0] === 'arping') return Promise.resolve(res(opts.probeExit ?? 0));
      if (argv[1] === '-o') return Promise.resolve(res(0, ''));
      return Promise.resolve(res(0));
    },
  };
}

const VIP = { address: '10.0.0.50', prefixLength: 24, interface: 'eth0' };

describe('ResourceExecutor with real hooks', () => {
  test('promote, demote, fence: each hook gets exactly the contract environment; serving follows', async () => {
    const h = harness();
    assert.equal(h.exec.serving, false);
    h.exec.run(action('promote', 12));
    assert.equal(h.exec.busy, true);
    await h.waitDone(1);
    assert.equal(h.exec.serving, true);
    h.exec.run(action('demote', 12, { reason: 'lease expiring' }));
    assert.equal(h.exec.serving, false, 'not serving from the start of the demote');
    await h.waitDone(2);
    h.exec.run(action('fence', 13, { target: 'n3', previousActive: 'n3', reason: 'n3 did not confirm' }));
    await h.waitDone(3);
    assert.equal(h.exec.busy, false);

    assert.deepEqual(
      h.done.map((d) => [d.kind, d.epoch, d.ok, d.detail]),
      [
        ['promote', 12, true, ''],
        ['demote', 12, true, ''],
        ['fence', 13, true, ''],
      ],
    );
    for (const d of h.done) assert.ok(d.durationMs > 0);
    const base = { PALISADE_NODE_ID: 'n1', PALISADE_TERM: '7', PALISADE_CLUSTER: 'test-cluster' };
    assert.deepEqual(parseEnvFile(`${h.hookLog}.env.promote.12`), {
      ...base,
      PALISADE_EVENT: 'promote',
      PALISADE_EPOCH: '12',
      PALISADE_PREVIOUS_ACTIVE: 'n3',
      PALISADE_TARGET: 'n1',
      PALISADE_REASON: 'test promote',
    });
    assert.deepEqual(parseEnvFile(`${h.hookLog}.env.demote.12`), {
      ...base,
      PALISADE_EVENT: 'demote',
      PALISADE_EPOCH: '12',
      PALISADE_PREVIOUS_ACTIVE: 'n1',
      PALISADE_TARGET: 'n1',
      PALISADE_REASON: 'lease expiring',
    });
    assert.deepEqual(parseEnvFile(`${h.hookLog}.env.fence.13`), {
      ...base,
      PALISADE_EVENT: 'fence',
      PALISADE_EPOCH: '13',
      PALISADE_PREVIOUS_ACTIVE: 'n3',
      PALISADE_TARGET: 'n3',
      PALISADE_REASON: 'n3 did not confirm',
    });
    // Output landed in the log with the hook's name and epoch.
    const line = h.log.lines.find((l) => l.msg === 'stdout line from fence');
    assert.equal(line?.obj['hook'], 'fence');
    assert.equal(line?.obj['epoch'], 13);
  });

  test('serialized: a queued action starts only after the running one ended, in order', async () => {
    const h = harness();
    h.exec.run(action('demote', 0, { reason: 'startup', previousActive: '' }));
    h.exec.run(action('fence', 4, { target: 'n2' })); // queued behind the demote
    await h.waitDone(2);
    h.exec.run(action('promote', 4));
    await h.waitDone(3);
    assert.deepEqual(h.lines(), ['start demote 0', 'end demote 0', 'start fence 4', 'end fence 4', 'start promote 4', 'end promote 4']);
    assert.deepEqual(
      h.done.map((d) => `${d.kind} ${d.epoch} ${d.ok}`),
      ['demote 0 true', 'fence 4 true', 'promote 4 true'],
    );
  });

  test('a queued action replaced by a newer one is dropped and reported superseded', async () => {
    const h = harness({
      hooks: { fence: fixture('hang.sh'), promote: fixture('record.sh'), demote: fixture('record.sh') },
      hookTimeoutMs: 60_000,
    });
    h.exec.run(action('fence', 5, { target: 'n2' }));
    const child = await waitForPidFile(h.pidFile);
    try {
      h.exec.run(action('promote', 5)); // queued
      h.exec.run(action('demote', 5)); // replaces the queued promote; the fence is not preempted
      await h.waitDone(1);
      assert.deepEqual(h.done[0], { kind: 'promote', epoch: 5, ok: false, detail: 'superseded by demote (epoch 5)', durationMs: 0 });
      assert.equal(h.exec.busy, true, 'the fence still runs');
      const group = groupOf(child);
      const stopping = h.exec.stop(); // drops the queued demote, lets the fence finish: end it by hand
      process.kill(-group, 'SIGTERM');
      await stopping;
    } finally {
      killQuietly(child);
    }
    await h.waitDone(3);
    assert.deepEqual(
      h.done.map((d) => `${d.kind} ${d.epoch} ${d.ok}`),
      ['promote 5 false', 'demote 5 false', 'fence 5 false'],
    );
    assert.match(h.done[1].detail, /executor stopped/);
    assert.deepEqual(h.lines(), [], 'neither the superseded promote nor the dropped demote ran');
  });

  test('a hanging promote hook is killed at the timeout, its child too; not serving', async () => {
    const h = harness({ hooks: { promote: fixture('hang.sh') }, hookTimeoutMs: 300, killGraceMs: 1000 });
    h.exec.run(action('promote', 8));
    await h.waitDone(1);
    const child = Number(readFileSync(h.pidFile, 'utf8'));
    try {
      await waitFor(`hook child ${child} to die`, () => processDead(child), 3000);
    } finally {
      killQuietly(child);
    }
    const [r] = h.done;
    assert.equal(r?.ok, false);
    assert.match(r?.detail ?? '', /promote hook: timed out after 300 ms/);
    assert.equal(h.exec.serving, false);
    assert.ok(
      h.log.lines.some((l) => /hanging with child/.test(l.msg)),
      'hook output in the log',
    );
  });

  test('latest decision wins: a demote kills the running promote, then runs after its group is gone', async () => {
    const h = harness({ hooks: { promote: fixture('hang.sh'), demote: fixture('record.sh') }, hookTimeoutMs: 60_000 }, {});
    h.exec.run(action('promote', 9));
    const child = await waitForPidFile(h.pidFile);
    try {
      h.exec.run(action('demote', 9, { reason: 'lost leadership' }));
      assert.equal(h.exec.serving, false);
      await h.waitDone(2, 5000);
    } finally {
      killQuietly(child);
    }
    assert.deepEqual(
      h.done.map((d) => [d.kind, d.epoch, d.ok]),
      [
        ['promote', 9, false],
        ['demote', 9, true],
      ],
    );
    assert.match(h.done[0].detail, /preempted by demote \(lost leadership\)/);
    assert.ok(h.done[0].durationMs < 5000, 'killed, not waited for');
    assert.equal(processDead(child), true);
    assert.equal(h.exec.serving, false);
    // The same epoch is never promoted twice on this node.
    h.exec.run(action('promote', 9));
    await h.waitDone(3);
    assert.equal(h.done[2].ok, false);
    assert.match(h.done[2].detail, /already promoted once/);
  });

  test('the demote hook starts only when the preempted promote hook group is dead', async () => {
    const h = harness(
      { hooks: { promote: fixture('orphan.sh'), demote: fixture('record.sh') }, hookTimeoutMs: 60_000, killGraceMs: 300 },
      {},
      true,
    );
    h.exec.run(action('promote', 21));
    const child = await waitForPidFile(h.pidFile);
    try {
      h.exec.run(action('demote', 21));
      await h.waitDone(2, 5000);
    } finally {
      killQuietly(child);
    }
    // orphan.sh's leader dies of SIGTERM at once, its child only of the SIGKILL after the grace:
    // the demote hook must not start in between.
    assert.deepEqual(h.lines(), ['start demote 21', `checked ${child} dead`, 'end demote 21']);
    assert.equal(h.done[0].ok, false);
    assert.equal(h.done[1].ok, true);
  });

  test('a promote past its notAfter does not start; duplicates of a running promote are ignored', async () => {
    let now = 1000;
    const h = harness({ now: () => now });
    h.exec.run(action('promote', 30, { notAfter: 999 }));
    await h.waitDone(1);
    assert.equal(h.done[0].ok, false);
    assert.match(h.done[0].detail, /not started: 1 ms past its notAfter/);
    assert.deepEqual(h.lines(), []);

    now = 2000;
    h.exec.run(action('promote', 31, { notAfter: 5000 }));
    h.exec.run(action('promote', 31, { notAfter: 5000 })); // duplicate: ignored, no report
    await h.waitDone(2);
    assert.equal(h.done[1].ok, true);
    h.exec.run(action('promote', 31)); // already serving this epoch
    await h.waitDone(3);
    assert.deepEqual(
      h.done.slice(1).map((d) => [d.epoch, d.ok, d.detail]),
      [
        [31, true, ''],
        [31, true, 'already active'],
      ],
    );
    assert.deepEqual(h.lines(), ['start promote 31', 'end promote 31'], 'the hook ran once');
  });

  test('a failing promote hook fails the promotion; a fence without a hook never succeeds', async () => {
    const h = harness({}, { HOOK_EXIT: '4' });
    h.exec.run(action('promote', 40));
    await h.waitDone(1);
    assert.deepEqual([h.done[0].ok, h.done[0].detail], [false, 'promote hook: exit code 4']);
    assert.equal(h.exec.serving, false);

    const bare = harness({ hooks: {} });
    bare.exec.run(action('fence', 41, { target: 'n2' }));
    bare.exec.run(action('promote', 41)); // no hooks, no VIP: nothing to do but serve
    await bare.waitDone(2);
    assert.deepEqual(
      bare.done.map((d) => [d.kind, d.ok, d.detail]),
      [
        ['fence', false, 'no fence hook configured'],
        ['promote', true, ''],
      ],
    );
    assert.equal(bare.exec.serving, true);
  });

  test('stop() kills a running promote and ignores later actions', async () => {
    const h = harness({ hooks: { promote: fixture('hang.sh') }, hookTimeoutMs: 60_000 });
    h.exec.run(action('promote', 50));
    const child = await waitForPidFile(h.pidFile);
    try {
      await h.exec.stop();
    } finally {
      killQuietly(child);
    }
    assert.equal(processDead(child), true);
    await h.waitDone(1);
    assert.match(h.done[0].detail, /executor stopped/);
    h.exec.run(action('demote', 50));
    assert.equal(h.exec.busy, false);
  });
});

describe('ResourceExecutor with a VIP (scripted runner)', () => {
  test('promote adds then announces; demote stops the announcement before removing the address', async () => {
    const runner = vipRunner();
    const h = harness({ hooks: { promote: fixture('record.sh'), demote: fixture('record.sh') }, vip: VIP, runner });
    h.exec.run(action('promote', 60));
    await h.waitDone(1);
    assert.equal(h.done[0].ok, true);
    assert.equal(h.exec.serving, true);
    assert.deepEqual(runner.calls, [
      'ip -o -4 addr show dev eth0',
      'arping -D -c 1 -w 2 -I eth0 10.0.0.50',
      'ip addr add 10.0.0.50/24 dev eth0',
      'arping -U -c 2 -I eth0 10.0.0.50',
    ]);
    assert.deepEqual(h.lines(), ['start promote 60', 'end promote 60'], 'hook before the VIP');
    h.exec.run(action('demote', 60));
    await h.waitDone(2);
    assert.equal(h.done[1].ok, true);
    assert.deepEqual(runner.calls.slice(4), ['announce aborted', 'ip addr del 10.0.0.50/24 dev eth0']);
    assert.deepEqual(h.lines().slice(2), ['start demote 60', 'end demote 60'], 'VIP removed, then the demote hook');
    // Re-announce only while serving.
    h.exec.announce();
    assert.equal(runner.calls.length, 6);
  });

  test('a refused duplicate-address probe fails the promotion; nothing is added', async () => {
    const runner = vipRunner({ probeExit: 1 });
    const h = harness({ hooks: {}, vip: VIP, runner });
    h.exec.run(action('promote', 70));
    await h.waitDone(1);
    assert.equal(h.done[0].ok, false);
    assert.match(h.done[0].detail, /already answers ARP/);
    assert.equal(h.exec.serving, false);
    assert.ok(!runner.calls.some((c) => c.startsWith('ip addr add')));
  });

  test('a promotion whose previous holders are known down adds the VIP without the probe', async () => {
    const runner = vipRunner({ probeExit: 1 }); // a probe would refuse: it must not run
    const h = harness({ hooks: {}, vip: VIP, runner });
    h.exec.run(action('promote', 75, { previousHolderDown: true }));
    await h.waitDone(1);
    assert.equal(h.done[0].ok, true, h.done[0].detail);
    // Nor the presence check: the add alone, then the announcement.
    assert.deepEqual(runner.calls.slice(0, 2), ['ip addr add 10.0.0.50/24 dev eth0', 'arping -U -c 2 -I eth0 10.0.0.50']);
    h.exec.run(action('demote', 75));
    await h.waitDone(2);
  });

  test('start-up demote removes a VIP left from a previous life (absent is fine)', async () => {
    const runner = vipRunner();
    const h = harness({ hooks: {}, vip: VIP, runner });
    h.exec.run(action('demote', 0, { reason: 'startup' }));
    await h.waitDone(1);
    assert.deepEqual(runner.calls, ['ip addr del 10.0.0.50/24 dev eth0']);
    assert.equal(h.done[0].ok, true);
  });
});

/** The process group of a hook's child: the hook's own pid (it leads its group). */
function groupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

describe('ResourceExecutor: a fresh lease before each process of a promotion', () => {
  /** A renewLease stand-in whose renewals the test answers one at a time. */
  function renewals() {
    const asked: { release(): void; signal: AbortSignal }[] = [];
    const renewLease = (signal: AbortSignal): Promise<void> =>
      new Promise<void>((resolve) => {
        asked.push({ release: resolve, signal });
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    return { asked, renewLease };
  }

  test('the promote hook, the VIP add and the announcement each start only after a renewal; demote and fence never ask', async () => {
    const runner = vipRunner();
    const r = renewals();
    const h = harness({ vip: VIP, runner, renewLease: r.renewLease });
    h.exec.run(action('promote', 80, { previousHolderDown: true }));
    // What had started when each renewal was asked for (and was still unanswered).
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      await waitFor(`renewal ${i + 1} asked for`, () => r.asked.length > i);
      seen.push(`hook lines ${h.lines().length}, commands ${runner.calls.join(' | ') || '-'}`);
      r.asked[i].release();
    }
    await h.waitDone(1);
    assert.equal(h.done[0].ok, true, h.done[0].detail);
    assert.deepEqual(seen, [
      'hook lines 0, commands -',
      'hook lines 2, commands -',
      'hook lines 2, commands ip addr add 10.0.0.50/24 dev eth0',
    ]);
    assert.deepEqual(runner.calls, ['ip addr add 10.0.0.50/24 dev eth0', 'arping -U -c 2 -I eth0 10.0.0.50']);
    h.exec.run(action('demote', 80));
    h.exec.run(action('fence', 81, { target: 'n3' }));
    await h.waitDone(3);
    assert.deepEqual(
      h.done.map((d) => d.ok),
      [true, true, true],
    );
    assert.equal(r.asked.length, 3, 'a demote or fence never waits for the lease');
  });

  test('a demote while the promotion waits for its renewal preempts it: the promote hook never runs', async () => {
    const runner = vipRunner();
    const r = renewals();
    const h = harness({ vip: VIP, runner, renewLease: r.renewLease });
    h.exec.run(action('promote', 90, { previousHolderDown: true }));
    await waitFor('the renewal asked for', () => r.asked.length === 1);
    h.exec.run(action('demote', 90));
    await h.waitDone(2);
    assert.equal(r.asked[0].signal.aborted, true, 'the wait is told the promotion is over');
    assert.equal(h.done[0].ok, false);
    assert.match(h.done[0].detail, /preempted by demote/);
    assert.equal(h.done[1].ok, true);
    assert.deepEqual(h.lines(), ['start demote 90', 'end demote 90']);
    assert.deepEqual(runner.calls, ['ip addr del 10.0.0.50/24 dev eth0']);
    assert.equal(h.exec.serving, false);
  });
});
