// `palisade lock|elect -- CMD`'s runner against real child processes (sh) and a scripted grant:
// CMD's exit code comes back; a lost grant kills CMD's whole process group, SIGTERM first and
// SIGKILL while the session's validity still has its reserve left; signals are passed on.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWhileHolding, type Holding, type SignalSource } from '../../src/cli/hold-command.js';
import { CommandStartError } from '../../src/cli/process-group.js';
import { stopBounds, watchValidity } from '../../src/cli/validity-watch.js';

const tmp = mkdtempSync(join(tmpdir(), 'palisade-hold-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const noSignals: SignalSource = () => () => undefined;

/** A grant whose validity ends at `validUntil` (performance.now() time) unless `lose()` first. */
function scriptedHolding(ttlMs: number, validUntil: number): Holding & { lose(): void; extendTo(t: number): void } {
  let until = validUntil;
  let lose!: () => void;
  const lost = new Promise<void>((ok) => (lose = ok));
  return {
    ttlMs,
    lost,
    remainingMs: () => Math.max(0, until - performance.now()),
    lose: () => {
      until = 0;
      lose();
    },
    extendTo: (t) => (until = t),
  };
}

/** Whether pid runs (a zombie does not: this container's init does not reap orphans). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

async function waitForFile(path: string, timeoutMs = 10_000): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  while (!existsSync(path) || readFileSync(path, 'utf8') === '') {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${path}`);
    await new Promise((ok) => setTimeout(ok, 10));
  }
  return readFileSync(path, 'utf8').trim();
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((ok) => setTimeout(ok, 5));
  }
}

const sh = (script: string) => ({ command: 'sh', args: ['-c', script], env: { ...process.env, HOLD_DIR: tmp } });

describe('runWhileHolding', () => {
  test("CMD ending while held: its exit code, with the environment it was given; the group's leftovers are stopped", async () => {
    const pidFile = join(tmp, 'leftover.pid');
    const holding = scriptedHolding(10_000, performance.now() + 60_000);
    const out = await runWhileHolding(
      {
        ...sh(`sleep 60 & echo $! > ${pidFile}; [ "$PALISADE_FENCING_TOKEN" = 42 ] && exit 3; exit 9`),
        env: { ...process.env, PALISADE_FENCING_TOKEN: '42' },
      },
      holding,
      noSignals,
    );
    assert.deepEqual(out, { kind: 'exited', exit: { code: 3, signal: null }, exitCode: 3 });
    const leftover = Number(await waitForFile(pidFile));
    assert.equal(running(leftover), false, 'a process CMD left in its group outlived the grant');
  });

  test('a lost grant (session over): SIGKILL to the whole group at once, outcome lost', async () => {
    const pidFile = join(tmp, 'child.pid');
    const holding = scriptedHolding(10_000, performance.now() + 60_000);
    const run = runWhileHolding(sh(`trap '' TERM; sleep 60 & echo $! > ${pidFile}; wait`), holding, noSignals);
    const child = Number(await waitForFile(pidFile));
    const lostAt = performance.now();
    holding.lose();
    const out = await run;
    assert.equal(out.kind, 'lost');
    assert.equal(out.exit.signal, 'SIGKILL', 'SIGTERM was ignored; with no validity left the kill must not wait');
    assert.equal(running(child), false, "CMD's child outlived the grant");
    assert.ok(performance.now() - lostAt < 2000, `took ${performance.now() - lostAt} ms`);
  });

  test('a grant already at its bound when CMD has started (a slow spawn on a loaded host): stopped at once, outcome lost', async () => {
    const holding = scriptedHolding(10_000, performance.now() + 60_000);
    holding.lose();
    const out = await runWhileHolding(sh('trap "" TERM; sleep 60'), holding, noSignals);
    assert.equal(out.kind, 'lost');
    assert.equal(out.exit.signal, 'SIGKILL');
  });

  test('validity running out: SIGTERM first, SIGKILL while the reserve is left', async () => {
    const ttlMs = 3000;
    const { termAtMs, killAtMs } = stopBounds(ttlMs);
    assert.ok(killAtMs > 0 && termAtMs > killAtMs);
    const termFile = join(tmp, 'term.at');
    const validUntil = performance.now() + 1500;
    const holding = scriptedHolding(ttlMs, validUntil);
    // Notes the SIGTERM, then ignores it: only SIGKILL ends it.
    const out = await runWhileHolding(sh(`trap 'echo term > ${termFile}' TERM; while :; do sleep 0.05; done`), holding, noSignals);
    const endedAt = performance.now();
    assert.equal(out.kind, 'lost');
    assert.equal(out.exit.signal, 'SIGKILL');
    assert.equal(readFileSync(termFile, 'utf8').trim(), 'term', 'no SIGTERM came first');
    assert.ok(endedAt < validUntil, `the group was still alive ${endedAt - validUntil} ms after validity ran out`);
  });

  test('a command that exits on SIGTERM is not SIGKILLed', async () => {
    const holding = scriptedHolding(3000, performance.now() + 1000);
    const out = await runWhileHolding(sh(`trap 'exit 0' TERM; while :; do sleep 0.05; done`), holding, noSignals);
    assert.deepEqual(out.kind, 'lost');
    assert.deepEqual(out.exit, { code: 0, signal: null });
  });

  test('keep-alives that extend validity keep CMD running', async () => {
    const ttlMs = 2000;
    const holding = scriptedHolding(ttlMs, performance.now() + 600);
    const done = join(tmp, 'extended.done');
    const run = runWhileHolding(sh(`sleep 1.2; echo ok > ${done}`), holding, noSignals);
    // Extend as a keep-alive ack would, well before the stop threshold.
    const extender = setInterval(() => holding.extendTo(performance.now() + ttlMs), 50);
    try {
      const out = await run;
      assert.deepEqual(out, { kind: 'exited', exit: { code: 0, signal: null }, exitCode: 0 });
    } finally {
      clearInterval(extender);
    }
  });

  test('SIGINT and SIGTERM to the CLI are passed on to the group', async () => {
    let listener: ((s: NodeJS.Signals) => void) | undefined;
    let subscriptions = 0;
    let unsubscribed = false;
    const signals: SignalSource = (l) => {
      listener = l;
      subscriptions++;
      return () => (unsubscribed = true);
    };
    const ready = join(tmp, 'int.ready');
    const holding = scriptedHolding(10_000, performance.now() + 60_000);
    const run = runWhileHolding(sh(`trap 'exit 42' INT; echo up > ${ready}; while :; do sleep 0.05; done`), holding, signals);
    await waitForFile(ready);
    await until(() => subscriptions === 1);
    assert.ok(listener);
    listener('SIGINT');
    const out = await run;
    assert.deepEqual(out, { kind: 'exited', exit: { code: 42, signal: null }, exitCode: 42 });
    assert.equal(unsubscribed, true);

    const run2 = runWhileHolding({ command: 'sleep', args: ['60'], env: process.env }, holding, signals);
    await until(() => subscriptions === 2);
    listener('SIGTERM');
    assert.deepEqual(await run2, { kind: 'exited', exit: { code: null, signal: 'SIGTERM' }, exitCode: 143 });
  });

  test('a command that does not exist: CommandStartError with 127', async () => {
    const holding = scriptedHolding(10_000, performance.now() + 60_000);
    await assert.rejects(runWhileHolding({ command: 'no-such-command-xyz', args: [], env: process.env }, holding, noSignals), (err) => {
      assert.ok(err instanceof CommandStartError);
      assert.equal(err.exitCode, 127);
      assert.match(err.message, /^cannot run no-such-command-xyz: .*ENOENT/);
      return true;
    });
  });
});

describe('stopBounds and watchValidity', () => {
  test('bounds stay under the validity left just before a keep-alive is due', () => {
    for (const ttl of [1000, 2000, 10_000, 300_000]) {
      const { termAtMs, killAtMs } = stopBounds(ttl);
      assert.ok(killAtMs > 0 && killAtMs < termAtMs, `ttl ${ttl}`);
      assert.ok(termAtMs < ttl / 3, `ttl ${ttl}: ${termAtMs}`);
    }
  });

  test('fires once validity falls to the threshold, re-reading it after each timer', async () => {
    let until = performance.now() + 200;
    let fired = 0;
    const started = performance.now();
    const cancel = watchValidity(
      () => Math.max(0, until - performance.now()),
      50,
      () => fired++,
    );
    // Moved forward before the first timer: the watch must re-read, not fire on the old value.
    until = performance.now() + 400;
    const deadline = performance.now() + 5000;
    while (fired === 0 && performance.now() < deadline) await new Promise((ok) => setTimeout(ok, 10));
    cancel();
    assert.equal(fired, 1);
    assert.ok(performance.now() - started >= 340, `fired after ${performance.now() - started} ms`);
  });

  test('cancel stops it', async () => {
    let fired = false;
    const cancel = watchValidity(
      () => 100,
      50,
      () => (fired = true),
    );
    cancel();
    await new Promise((ok) => setTimeout(ok, 120));
    assert.equal(fired, false);
  });
});
