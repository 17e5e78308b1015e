// `palisade lock NAME -- CMD` as real processes against three real agents (issue 17):
// - three shells take turns in a critical section (mkdir as the "someone is inside" test) while
//   the Raft leader is killed: never two inside at once, tokens increase, every turn finishes;
// - a holder whose connection to the cluster is cut (its traffic dropped, or its only agent
//   stopped) has its command killed BEFORE the next holder's command starts, by the commands'
//   own timestamps.
// Every wait is bounded; every CLI, command and agent is killed in after().
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueueInfo, SessionInfo } from '../../src/client/index.js';
import { CLI, ProcessCluster, REPO, waitFor, withTimeout } from './process-cluster.js';
import { startCuttableLink, type CuttableLink } from './tcp-cut.js';

const ELECTION_MS = 300;
const dir = mkdtempSync(join(tmpdir(), 'palisade-coord-lock-'));
const clis = new Set<ChildProcess>();
const links: CuttableLink[] = [];

interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** A `palisade` CLI process; its exit settles with what it wrote to stderr. */
function palisade(
  args: readonly string[],
  env: Record<string, string> = {},
): { child: ChildProcess; exited: Promise<CliExit>; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, PALISADE_ENDPOINTS: '', D: dir, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  clis.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<CliExit>((ok) =>
    child.once('close', (code, signal) => {
      clis.delete(child);
      ok({ code, signal, stderr });
    }),
  );
  // 'close' waits for stderr, which CMD shares: `exit` is the CLI process alone.
  const exit = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, exited, stderr: () => stderr, exit };
}

/** Process groups the commands recorded (in $D/*.pgid), killed at the end whatever happened. */
function killCommandGroups(): void {
  for (const f of ['a.pgid', 'sig.pgid']) {
    const p = join(dir, f);
    if (!existsSync(p)) continue;
    try {
      process.kill(-Number(readFileSync(p, 'utf8').trim()), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

const lines = (file: string): string[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];

describe('palisade lock -- CMD: real processes', { concurrency: false }, () => {
  let c: ProcessCluster;
  before(async () => {
    c = await ProcessCluster.start({ size: 3, electionTimeoutMs: ELECTION_MS });
  });
  after(async () => {
    for (const child of clis) child.kill('SIGKILL');
    killCommandGroups();
    for (const l of links) await l.close();
    await c?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a command under lock sees its token, lists, writes with --if-token; the stale token is refused (11); elect passes the exit code', async () => {
    const endpoints = c.endpoints(c.founders);
    const cli = `"${process.execPath}" "${CLI}"`;
    const script = [
      'echo "$PALISADE_FENCING_TOKEN $PALISADE_LOCK_NAME $PALISADE_SESSION_ID" > "$D/fence.env"',
      `${cli} lock list jobs/ --json > "$D/fence.locks" || exit 21`,
      `${cli} session list --json > "$D/fence.sessions" || exit 22`,
      `${cli} kv put --if-token "jobs/fence=$PALISADE_FENCING_TOKEN" fenced/k v1 || exit 23`,
      `${cli} kv put --session "$PALISADE_SESSION_ID" fenced/ephemeral e || exit 24`,
      'exit 5',
    ].join('\n');
    const r = await withTimeout(
      palisade(['lock', 'jobs/fence', '--endpoints', endpoints, '--', 'sh', '-c', script], { PALISADE_ENDPOINTS: endpoints }).exited,
      60_000,
      'lock -- script',
    );
    assert.equal(r.code, 5, `the lock's exit code is CMD's: ${r.stderr}`);
    const [token, name, session] = readFileSync(join(dir, 'fence.env'), 'utf8').trim().split(' ');
    assert.equal(name, 'jobs/fence');
    assert.match(token, /^[1-9][0-9]*$/);
    const queues = (JSON.parse(readFileSync(join(dir, 'fence.locks'), 'utf8')) as { queues: QueueInfo[] }).queues;
    assert.deepEqual(
      queues.map((q) => [q.name, q.kind, q.holders.map((h) => [h.sessionId, h.token])]),
      [['jobs/fence', 'lock', [[session, Number(token)]]]],
    );
    const sessions = (JSON.parse(readFileSync(join(dir, 'fence.sessions'), 'utf8')) as { sessions: SessionInfo[] }).sessions;
    assert.deepEqual(sessions.find((s) => s.sessionId === session)?.holds, ['jobs/fence']);

    const client = c.connect(c.founders);
    try {
      assert.equal((await client.kv.get('fenced/k')).kv?.value, 'v1');
      // The session ended with the lock command: its ephemeral key went with it.
      assert.equal((await client.kv.get('fenced/ephemeral')).kv, undefined);
    } finally {
      client.close();
    }
    const stale = await withTimeout(
      palisade(['kv', 'put', '--if-token', `jobs/fence=${token}`, 'fenced/k', 'v2', '--endpoints', endpoints]).exited,
      30_000,
      'kv put with a stale token',
    );
    assert.equal(stale.code, 11, stale.stderr);
    assert.match(stale.stderr, /^palisade: .*/);
    const gone = await withTimeout(
      palisade(['kv', 'put', '--session', session, 'fenced/late', 'x', '--endpoints', endpoints]).exited,
      30_000,
      'kv put bound to an ended session',
    );
    assert.equal(gone.code, 5, gone.stderr);

    const e = await withTimeout(
      palisade(['elect', 'svc/leader', 'me', '--endpoints', endpoints, '--', 'sh', '-c', 'test -n "$PALISADE_FENCING_TOKEN" && exit 7'])
        .exited,
      60_000,
      'elect -- sh',
    );
    assert.equal(e.code, 7, e.stderr);
  });

  test('signals reach CMD through the real binary; a waiter gives up at --wait-timeout (6) or on SIGINT (130) without running CMD', async () => {
    const endpoints = c.endpoints(c.founders);
    const up = join(dir, 'sig.up');
    const got = join(dir, 'sig.got');
    // Traps INT and TERM, so only the forwarded signals end it; a second SIGTERM must not make
    // the CLI exit and leave it running without the lock.
    const script = `trap 'echo INT >> "${got}"; exit 3' INT; trap 'echo TERM >> "${got}"' TERM; echo $$ > "$D/sig.pgid"; echo up > "${up}"; while :; do sleep 0.05; done`;
    const holder = palisade(['lock', 'jobs/sig', '--endpoints', endpoints, '--', 'sh', '-c', script]);
    await waitFor('the holder to run CMD', () => existsSync(up), 30_000);

    const timedOut = await withTimeout(
      palisade(['lock', 'jobs/sig', '--wait-timeout', '1000', '--endpoints', endpoints, '--', 'sh', '-c', 'echo ran > "$D/sig.waiter"'])
        .exited,
      30_000,
      'a waiter with --wait-timeout',
    );
    assert.equal(timedOut.code, 6, timedOut.stderr);
    assert.match(timedOut.stderr, /did not get the lock "jobs\/sig" within 1000 ms \(--wait-timeout\); CMD was not run/);
    const interrupted = palisade(['lock', 'jobs/sig', '--endpoints', endpoints, '--', 'sh', '-c', 'echo ran > "$D/sig.waiter"']);
    const queued = c.connect(c.founders);
    try {
      await waitFor('a second waiter', async () => (await queued.locks.list('jobs/sig')).some((q) => q.waiters.length === 1), 30_000);
    } finally {
      queued.close();
    }
    interrupted.child.kill('SIGINT');
    const i = await withTimeout(interrupted.exited, 30_000, 'the interrupted waiter to exit');
    assert.equal(i.code, 130, i.stderr);
    assert.match(i.stderr, /interrupted while waiting for the lock "jobs\/sig"; CMD was not run/);
    assert.equal(existsSync(join(dir, 'sig.waiter')), false, 'a waiter that gave up ran CMD');

    holder.child.kill('SIGTERM');
    await waitFor('CMD to get the first SIGTERM', () => existsSync(got) && readFileSync(got, 'utf8').includes('TERM'), 10_000);
    holder.child.kill('SIGTERM');
    await waitFor('CMD to get the second SIGTERM', () => readFileSync(got, 'utf8').split('TERM').length === 3, 10_000);
    holder.child.kill('SIGINT');
    // Exiting at the second SIGTERM (130) would have left CMD running without the lock.
    assert.equal(await withTimeout(holder.exit, 30_000, 'the holder to exit after SIGINT'), 3, `CMD's exit code: ${holder.stderr()}`);
    assert.equal(readFileSync(got, 'utf8'), 'TERM\nTERM\nINT\n');
  });

  test('--semaphore N: N holders at once with distinct tokens, the next one waits', async () => {
    const endpoints = c.endpoints(c.founders);
    // Holds its slot until $D/pool.go exists (a minute at most).
    const hold =
      'echo "$PALISADE_FENCING_TOKEN" > "$D/pool.$W"; n=0; while [ ! -e "$D/pool.go" ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n+1)); done';
    const holders = [1, 2].map((w) =>
      palisade(['lock', 'pool', '--semaphore', '2', '--endpoints', endpoints, '--', 'sh', '-c', hold], { W: String(w) }),
    );
    await waitFor('both slots taken', () => existsSync(join(dir, 'pool.1')) && existsSync(join(dir, 'pool.2')), 30_000);
    const third = await withTimeout(
      palisade(['lock', 'pool', '--semaphore', '2', '--wait-timeout', '1500', '--endpoints', endpoints, '--', 'true']).exited,
      30_000,
      'a third taker',
    );
    assert.equal(third.code, 6, third.stderr);
    assert.match(third.stderr, /did not get the semaphore "pool"/);
    const client = c.connect(c.founders);
    try {
      const [q] = await client.locks.list('pool');
      assert.deepEqual([q.kind, q.limit, q.holders.length], ['semaphore', 2, 2]);
      const tokens = [1, 2].map((w) => Number(readFileSync(join(dir, `pool.${w}`), 'utf8').trim()));
      assert.deepEqual(q.holders.map((h) => h.token).sort(), [...tokens].sort());
      assert.notEqual(tokens[0], tokens[1]);
    } finally {
      client.close();
    }
    writeFileSync(join(dir, 'pool.go'), '');
    for (const h of holders) assert.equal((await withTimeout(h.exited, 30_000, 'a semaphore holder to finish')).code, 0);
  });

  test('three shells take turns in a critical section while the leader is killed: never two inside, all finish', async (t) => {
    const WORKERS = 3;
    const TURNS = 3;
    const log = join(dir, 'crit.log');
    // "inside" is renamed into place (atomic; fails if it exists) holding the entrant's pid. An
    // entrant that finds it checks that pid: alive = two inside at once (OVERLAP); dead = a
    // holder killed inside when its lock was lost, which must have died first (stale).
    const section = [
      'T=$PALISADE_FENCING_TOKEN; mkdir "$D/me.$$" && echo $$ > "$D/me.$$/pid" || exit 98',
      'if ! mv -T "$D/me.$$" "$D/inside" 2>/dev/null; then',
      '  old=$(cat "$D/inside/pid")',
      '  if kill -0 "$old" 2>/dev/null; then echo "OVERLAP $W $T $old" >> "$D/crit.log"; exit 99; fi',
      '  echo "stale $W $T $old" >> "$D/crit.log"; rm -rf "$D/inside"',
      '  mv -T "$D/me.$$" "$D/inside" || { echo "OVERLAP $W $T race" >> "$D/crit.log"; exit 99; }',
      'fi',
      'echo "enter $W $T $PALISADE_LOCK_NAME" >> "$D/crit.log"',
      'sleep 0.3',
      'echo "leave $W $T" >> "$D/crit.log"',
      'rm -rf "$D/inside"',
    ].join('\n');
    const endpoints = c.endpoints(c.founders);
    const failures: string[] = [];
    let retries = 0;
    let losses = 0;
    const worker = async (w: number) => {
      for (let turn = 0; turn < TURNS; turn++) {
        for (let attempt = 0; ; attempt++) {
          const { exited } = palisade(['lock', 'jobs/crit', '--timeout', '10000', '--endpoints', endpoints, '--', 'sh', '-c', section], {
            W: String(w),
          });
          const r = await exited;
          if (r.code === 0) break;
          // No endpoint / no leader / timed out during the failover: nothing ran. Lost (10): the
          // section was killed, which the next entrant checks. An operator's script retries both.
          if ([3, 4, 6, 10].includes(r.code ?? -1) && attempt < 10) {
            if (r.code === 10) losses++;
            else retries++;
            continue;
          }
          failures.push(`worker ${w} turn ${turn}: exit ${r.code ?? r.signal}: ${r.stderr.trim()}`);
          return;
        }
      }
    };
    const workers = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));

    // Kill the leader once turns are under way (one finished, others queued), then bring it back.
    await waitFor('a first finished turn', () => lines(log).some((l) => l.startsWith('leave')), 60_000);
    const { leader } = await c.waitForLeader();
    await c.kill9(leader);
    const next = await c.waitForLeader(
      c.founders.filter((id) => id !== leader),
      20_000,
    );
    t.diagnostic(
      `killed leader ${leader} after ${lines(log).filter((l) => l.startsWith('leave')).length} turns; new leader ${next.leader}`,
    );
    c.start(leader);

    await withTimeout(workers, 180_000, 'every worker to finish its turns');
    const all = lines(log);
    const turns = all.filter((l) => l.startsWith('leave')).length;
    t.diagnostic(`${turns} turns, ${retries} invocations retried (nothing run), ${losses} lost while inside (killed)`);
    assert.deepEqual(failures, []);
    assert.deepEqual(
      all.filter((l) => l.startsWith('OVERLAP')),
      [],
      'two commands were inside at once',
    );
    assert.equal(turns, WORKERS * TURNS, all.join('\n'));
    // A killed turn leaves its marker behind unless it died before taking it.
    assert.ok(all.filter((l) => l.startsWith('stale')).length <= losses, all.join('\n'));
    // Every turn enters, then leaves (or is killed: the next line is the next entrant's stale).
    let lastToken = 0;
    let open: string[] | undefined;
    for (const line of all) {
      const [what, w, token, name] = line.split(' ');
      if (what === 'enter') {
        assert.equal(open, undefined, `entered while ${open?.join(' ')} was inside:\n${all.join('\n')}`);
        assert.equal(name, 'jobs/crit');
        assert.ok(Number(token) > lastToken, `token ${token} after ${lastToken}: fencing tokens must increase`);
        lastToken = Number(token);
        open = [w, token];
      } else if (what === 'leave') {
        assert.deepEqual([w, token], open, `a turn left by someone else:\n${all.join('\n')}`);
        open = undefined;
      } else if (what === 'stale') {
        open = undefined; // the killed turn's (its holder is dead: checked by the entrant)
      }
    }
  });

  /**
   * A holds the lock with a command that writes a timestamp every few ms; B waits for it. Then
   * A is cut off from the cluster by `cut`. A's command must be dead before B's starts, and A
   * must exit 10. `aEndpoints` is the only way A knows to the cluster.
   */
  async function cutHolder(
    t: { diagnostic(s: string): void },
    name: string,
    aEndpoints: string,
    bEndpoints: string,
    cut: () => Promise<void>,
  ): Promise<void> {
    const ticks = join(dir, `${name}.a.ticks`);
    const bStart = join(dir, `${name}.b.start`);
    // Bounded: ends by itself after a minute even if nobody kills it.
    const ticker = `echo $$ > "$D/a.pgid"; end=$(( $(date +%s) + 60 )); while [ $(date +%s) -lt $end ]; do date +%s%N >> "${ticks}"; sleep 0.01; done`;
    const a = palisade(['lock', `jobs/${name}`, '--ttl', '3000', '--endpoints', aEndpoints, '--', 'sh', '-c', ticker]);
    await waitFor('A to hold the lock and tick', () => lines(ticks).length > 0, 30_000);
    const aGroup = Number(readFileSync(join(dir, 'a.pgid'), 'utf8').trim());
    const b = palisade(['lock', `jobs/${name}`, '--ttl', '10000', '--endpoints', bEndpoints, '--', 'sh', '-c', `date +%s%N > "${bStart}"`]);
    const client = c.connect(c.running());
    try {
      await waitFor(
        'B to wait behind A',
        async () => (await client.locks.list(`jobs/${name}`)).find((q) => q.holders.length === 1 && q.waiters.length === 1),
        30_000,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\nA: ${a.stderr()}\nB: ${b.stderr()}`);
    } finally {
      client.close();
    }
    const cutAt = Date.now();
    await cut();
    const aExit = await withTimeout(a.exited, 30_000, 'A to exit after its connection was cut');
    const bExit = await withTimeout(b.exited, 60_000, 'B to get the lock and finish');
    assert.equal(aExit.code, 10, `A: ${aExit.code ?? aExit.signal}: ${aExit.stderr}`);
    assert.match(aExit.stderr, new RegExp(`lost the lock "jobs/${name}" \\(token \\d+\\).*killed sh \\(process group ${aGroup}\\)`));
    assert.equal(bExit.code, 0, `B: ${bExit.stderr}`);
    assert.equal(running(aGroup), false, "A's command still runs");
    const lastTick = Math.max(...lines(ticks).map((l) => Number(l.slice(0, 13))));
    const bStarted = Number(readFileSync(bStart, 'utf8').trim().slice(0, 13));
    t.diagnostic(`cut → A's last tick ${lastTick - cutAt} ms, → B's start ${bStarted - cutAt} ms (gap ${bStarted - lastTick} ms)`);
    assert.ok(lastTick < bStarted, `A's command ticked at ${lastTick}, after B's began at ${bStarted}`);
  }

  test("a holder whose traffic is dropped: its command is killed before the next holder's starts", async (t) => {
    const { leader } = await c.waitForLeader(c.founders, 20_000);
    const link = await startCuttableLink(c.node(leader).clientAddress);
    links.push(link);
    // A reaches the leader only through the link: no other address, no hint to follow.
    await cutHolder(t, 'dropped', link.address, c.endpoints(), async () => link.cut());
  });

  test("a holder whose only agent is stopped (SIGSTOP of the leader): its command is killed before the next holder's starts", async (t) => {
    const { leader } = await c.waitForLeader();
    const others = c.running().filter((id) => id !== leader);
    try {
      await cutHolder(t, 'stopped', c.node(leader).clientAddress, c.endpoints(others), async () => {
        await c.signal(leader, 'SIGSTOP');
      });
    } finally {
      await c.signal(leader, 'SIGCONT');
    }
  });
});
