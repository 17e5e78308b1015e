// Service health checks (issue 15): the fall/rise hysteresis (pure), and the runner against real
// executables (the hooks' spawning rules: PALISADE_* environment, process group killed at the
// timeout) and embedded functions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Health } from '../../src/statemachine/ha-record.js';
import { HealthTracker } from '../../src/ha/health.js';
import { detailText } from '../../src/statemachine/ha-state.js';
import { HealthCheckRunner, type CheckFunction, type CheckSource } from '../../src/ha/health-check.js';
import type { HookContext } from '../../src/ha/hook-runner.js';
import {
  allFixturesExecutable,
  cleanEnv,
  fixture,
  killQuietly,
  parseEnvFile,
  processDead,
  tempDir,
  waitFor,
  waitForPidFile,
} from './fixtures/helpers.js';

describe('HealthTracker (fall/rise hysteresis)', () => {
  test('starts unknown; rise successes make it healthy, fall failures unhealthy', () => {
    const t = new HealthTracker({ fall: 3, rise: 2 });
    assert.equal(t.health, Health.Unknown);
    assert.equal(t.record(true), undefined);
    assert.equal(t.record(true), Health.Healthy);
    assert.equal(t.record(false), undefined);
    assert.equal(t.record(false), undefined);
    assert.equal(t.record(false), Health.Unhealthy);
    assert.equal(t.record(false), undefined, 'no change reported twice');
    assert.equal(t.record(true), undefined);
    assert.equal(t.record(true), Health.Healthy);
  });

  test('a blip shorter than fall (or rise) changes nothing: the streak restarts', () => {
    const t = new HealthTracker({ fall: 3, rise: 2 });
    t.record(true);
    t.record(true);
    for (const ok of [false, false, true, false, false, true]) assert.equal(t.record(ok), undefined, `result ${String(ok)}`);
    assert.equal(t.health, Health.Healthy);
    t.record(false);
    t.record(false);
    t.record(false);
    for (const ok of [true, false, true, false]) assert.equal(t.record(ok), undefined);
    assert.equal(t.health, Health.Unhealthy);
  });

  test('from unknown, fall failures give unhealthy (a node whose service never came up)', () => {
    const t = new HealthTracker({ fall: 2, rise: 2 });
    assert.equal(t.record(false), undefined);
    assert.equal(t.record(false), Health.Unhealthy);
  });

  test('fall 1 and rise 1 follow every result', () => {
    const t = new HealthTracker({ fall: 1, rise: 1 });
    assert.deepEqual(
      [true, false, true, true, false].map((ok) => t.record(ok)),
      [Health.Healthy, Health.Unhealthy, Health.Healthy, undefined, Health.Unhealthy],
    );
  });

  test('bad settings are refused with a clear error', () => {
    assert.throws(() => new HealthTracker({ fall: 0, rise: 2 }), /fall must be a whole number ≥ 1, got 0/);
    assert.throws(() => new HealthTracker({ fall: 3, rise: 1.5 }), /rise must be a whole number ≥ 1, got 1.5/);
  });
});

const ctx = (role: 'active' | 'replica' = 'replica'): HookContext => ({
  event: 'check',
  nodeId: 'n2',
  epoch: 0,
  term: 3,
  previousActive: 'n1',
  target: 'n2',
  reason: 'periodic check',
  cluster: 'c1',
  role,
});

const silent = { info() {}, warn() {}, error() {}, debug() {} };

interface Harness {
  readonly runner: HealthCheckRunner;
  readonly verdicts: { health: Health; detail: string }[];
}

function harness(
  source: CheckSource,
  opts: {
    fall?: number;
    rise?: number;
    intervalMs?: number;
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
    role?: () => 'active' | 'replica';
  } = {},
): Harness {
  const verdicts: { health: Health; detail: string }[] = [];
  const runner = new HealthCheckRunner({
    source,
    intervalMs: opts.intervalMs ?? 30,
    timeoutMs: opts.timeoutMs ?? 2000,
    fall: opts.fall ?? 2,
    rise: opts.rise ?? 2,
    killGraceMs: 50,
    context: () => ctx(opts.role?.() ?? 'replica'),
    logger: silent,
    onVerdict: (health, detail) => verdicts.push({ health, detail }),
    ...(opts.env !== undefined ? { baseEnv: opts.env } : {}),
  });
  return { runner, verdicts };
}

describe('detailText (a check detail as replicated text)', () => {
  const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

  test('never splits a surrogate pair at the cut, and stays within the limit', () => {
    for (let pad = 0; pad < 4; pad++) {
      const s = `${'x'.repeat(195 + pad)}😀😀😀😀`;
      const t = detailText(s, 200);
      assert.ok(wellFormed(t), `pad ${pad}: ${JSON.stringify(t.slice(-4))}`);
      assert.ok(t.length <= 200 && t.endsWith('…'));
    }
  });

  test('a lone surrogate (half an emoji from a cut elsewhere) becomes U+FFFD; short text is kept as is', () => {
    assert.equal(detailText('db \ud83d down', 200), 'db \ufffd down');
    assert.equal(detailText('ok 😀', 200), 'ok 😀');
  });

  test('an embedded check whose detail would be cut inside an emoji yields a well-formed verdict detail', async () => {
    const verdicts: string[] = [];
    const runner = new HealthCheckRunner({
      source: { kind: 'function', fn: async () => ({ healthy: false, detail: `${'y'.repeat(198)}😀 tail` }) },
      intervalMs: 5,
      timeoutMs: 1000,
      fall: 1,
      rise: 1,
      killGraceMs: 100,
      context: () => ({}) as HookContext,
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      onVerdict: (_h: Health, detail: string) => void verdicts.push(detail),
    });
    runner.start();
    try {
      await waitFor('a verdict', () => verdicts.length > 0, 5000);
    } finally {
      await runner.stop();
    }
    assert.ok(wellFormed(verdicts[0]), JSON.stringify(verdicts[0].slice(-4)));
  });
});

describe('HealthCheckRunner with an executable', () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    allFixturesExecutable();
    tmp = tempDir('pal-check-');
  });
  after(() => tmp.cleanup());

  test('fall/rise over real runs; the check gets PALISADE_EVENT=check, PALISADE_ROLE and the hook variables', async () => {
    const flag = join(tmp.dir, 'n2');
    const envFile = join(tmp.dir, 'env');
    let role: 'active' | 'replica' = 'replica';
    const h = harness(
      { kind: 'command', path: fixture('check-flag.sh') },
      { env: cleanEnv({ CHECK_FLAG_DIR: tmp.dir, CHECK_ENV_FILE: envFile }), role: () => role },
    );
    h.runner.start();
    try {
      await waitFor('healthy', () => h.verdicts.length === 1);
      assert.deepEqual(h.verdicts[0], { health: Health.Healthy, detail: 'ok as replica' });
      const env = parseEnvFile(envFile);
      assert.equal(env['PALISADE_EVENT'], 'check');
      assert.equal(env['PALISADE_ROLE'], 'replica');
      assert.equal(env['PALISADE_NODE_ID'], 'n2');
      assert.equal(env['PALISADE_TERM'], '3');
      assert.equal(env['PALISADE_PREVIOUS_ACTIVE'], 'n1');
      assert.equal(env['PALISADE_CLUSTER'], 'c1');
      role = 'active';
      await waitFor('PALISADE_ROLE=active', () => parseEnvFile(envFile)['PALISADE_ROLE'] === 'active');
      writeFileSync(flag, 'down');
      await waitFor('unhealthy', () => h.verdicts.length === 2);
      assert.equal(h.verdicts[1].health, Health.Unhealthy);
      assert.match(h.verdicts[1].detail, /exit code 1: service down \(down\)/);
      writeFileSync(flag, 'up');
      await waitFor('healthy again', () => h.verdicts.length === 3);
      assert.equal(h.verdicts[2].health, Health.Healthy);
    } finally {
      await h.runner.stop();
    }
  });

  test('a check that hangs is killed with its process group at its timeout and counts as a failure', async () => {
    const flag = join(tmp.dir, 'n2');
    writeFileSync(flag, 'hang');
    const h = harness(
      { kind: 'command', path: fixture('check-flag.sh') },
      { fall: 1, timeoutMs: 150, env: cleanEnv({ CHECK_FLAG_DIR: tmp.dir }) },
    );
    const started = Date.now();
    h.runner.start();
    let child = 0;
    try {
      child = await waitForPidFile(`${flag}.pid`);
      await waitFor('unhealthy after the timeout', () => h.verdicts.length === 1, 5000);
      const took = Date.now() - started;
      assert.equal(h.verdicts[0].health, Health.Unhealthy);
      assert.match(h.verdicts[0].detail, /timed out after 150 ms \(process group killed/);
      assert.ok(took >= 150, `verdict after the timeout, not before (${took} ms)`);
      assert.ok(processDead(child), "the check's background child died with its group");
      // It keeps running (and failing) at each interval, one at a time.
      const runs = h.runner.count;
      await waitFor('another run', () => h.runner.count > runs, 5000);
    } finally {
      await h.runner.stop();
      writeFileSync(flag, 'up');
      if (child > 0) killQuietly(child);
    }
    assert.equal(existsSync(flag), true);
  });
});

describe('HealthCheckRunner with an embedded function', () => {
  test('boolean or {healthy, detail}; a throw is a failure with its message', async () => {
    let answer: unknown = true;
    const fn: CheckFunction = async () => {
      if (answer instanceof Error) throw answer;
      return answer as boolean | { healthy: boolean; detail?: string };
    };
    const h = harness({ kind: 'function', fn });
    h.runner.start();
    try {
      await waitFor('healthy', () => h.verdicts.length === 1);
      answer = { healthy: false, detail: 'replica lags 12 s' };
      await waitFor('unhealthy', () => h.verdicts.length === 2);
      assert.deepEqual(h.verdicts[1], { health: Health.Unhealthy, detail: 'replica lags 12 s' });
      answer = true;
      await waitFor('healthy', () => h.verdicts.length === 3);
      answer = new Error('connection refused');
      await waitFor('unhealthy', () => h.verdicts.length === 4);
      assert.deepEqual(h.verdicts[3], { health: Health.Unhealthy, detail: 'check threw: connection refused' });
    } finally {
      await h.runner.stop();
    }
  });

  test('a function that never settles fails at its timeout, and no second call starts while it hangs', async () => {
    let calls = 0;
    const fn: CheckFunction = () => {
      calls++;
      return new Promise<boolean>(() => {});
    };
    const h = harness({ kind: 'function', fn }, { fall: 2, timeoutMs: 40, intervalMs: 20 });
    h.runner.start();
    try {
      await waitFor('unhealthy', () => h.verdicts.length === 1);
      assert.equal(h.verdicts[0].health, Health.Unhealthy);
      assert.equal(calls, 1, 'the hung call is not doubled');
      assert.match(h.runner.detail, /still running after its timeout of 40 ms|timed out after 40 ms/);
    } finally {
      await h.runner.stop();
    }
  });
});
