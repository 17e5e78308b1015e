// The data part of bench:scale for palisade: three agents at the defaults, filled with `keys`
// keys; then the size of the newest snapshot image, restarts of a follower (kill -9, start, until
// it answers a linearizable read), and new members' catch-up (`members add`, start with --join,
// until its applied index reaches the leader's; then `members remove`, so every round starts from
// the same three members). A snapshot waits until the log since the last one is large next to its
// image (src/storage/compaction.ts), so the newest image may predate the last keys: its index is
// recorded, and each restart logs how many entries after the image it read back and replayed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '../../../src/index.js';
import type { PalisadeClient } from '../../../src/client/types.js';
import { memberIds, System } from '../cluster.js';
import { AgentCluster, type AgentSpec } from '../failover/agent-cluster.js';
import { msBetween, nowNs } from '../failover/stamp-hook.js';
import { AGENT_ENV } from '../palisade-cluster.js';
import { HOST, freePort, waitFor, type ProcessGroup } from '../processes.js';
import { makePutter } from '../putter.js';
import { patienceMs, POLL_MS, type DataRun } from './data-run.js';
import { fill, scrambledKey } from './fill.js';

async function newSpec(id: string): Promise<AgentSpec> {
  return { id, listen: `${HOST}:${await freePort()}`, http: `${HOST}:${await freePort()}` };
}

/** One call on a client that knows only `address` (no failover elsewhere), closed afterwards. */
async function onlyAt<T>(address: string, f: (c: PalisadeClient) => Promise<T>, timeoutMs = 1000): Promise<T> {
  const c = connect([address], { timeoutMs, attemptTimeoutMs: timeoutMs });
  try {
    return await f(c);
  } finally {
    c.close();
  }
}

const appliedAt = (address: string): Promise<number> => onlyAt(address, async (c) => (await c.status()).appliedIndex);

/** The newest snapshot image of a member: its index (from the file name) and size. */
function newestImage(dataDir: string): { index: number; bytes: number } | undefined {
  const snapDir = join(dataDir, 'snap');
  let best: { index: number; bytes: number } | undefined;
  for (const name of readdirSync(snapDir)) {
    const m = /^[0-9a-f]{16}-([0-9a-f]{16})-[0-9a-f]{8}\.snap$/.exec(name);
    if (m === null) continue;
    const index = parseInt(m[1], 16);
    if (best === undefined || index > best.index) best = { index, bytes: statSync(join(snapDir, name)).size };
  }
  return best;
}

/** ms from `spawnWall` to the first 'node started' line the agent logged after it. */
function startedAfter(logFile: string, spawnWall: number): number | undefined {
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"node started"')) continue;
    const t = (JSON.parse(line) as { time?: number }).time;
    if (t !== undefined && t >= spawnWall) return t - spawnWall;
  }
  return undefined;
}

/** What the restarted agent's 'state loaded' line after `spawnWall` says (image, log entries after it, ms). */
function stateLoadedAfter(logFile: string, spawnWall: number): Record<string, number> | undefined {
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"state loaded"')) continue;
    const { time, snapshotIndex, imageBytes, logEntries, openMs, restoreMs } = JSON.parse(line) as Record<string, number>;
    if (time !== undefined && time >= spawnWall) return { snapshotIndex, imageBytes, logEntries, openMs, restoreMs };
  }
  return undefined;
}

export async function palisadeData(group: ProcessGroup, keys: number, reps: number, log: (s: string) => void): Promise<DataRun> {
  const dir = group.tempDir('scale-palisade');
  const specs = await Promise.all(memberIds(3).map(newSpec));
  const cluster = new AgentCluster(dir, specs, [], AGENT_ENV);
  const dataDir = (id: string) => join(dir, id);
  const listen = (id: string) => cluster.spec(id).listen;
  cluster.startAll();
  const client = connect(
    specs.map((s) => s.listen),
    { timeoutMs: 10_000 },
  );
  try {
    const leader = await cluster.awaitSteadyActive('palisade data part');
    const putter = makePutter(System.Palisade, [listen(leader), ...specs.filter((s) => s.id !== leader).map((s) => s.listen)]);
    let filled;
    try {
      filled = await fill(putter, keys, log);
    } finally {
      putter.close();
    }
    const applied = await appliedAt(listen(leader));
    const image = newestImage(dataDir(leader)) ?? { index: 0, bytes: 0 };
    log(`palisade ${keys} keys: filled in ${filled.seconds} s; the leader's newest image is at index ${image.index} of ${applied}`);
    const run: DataRun = {
      system: 'palisade',
      keys,
      fill: filled,
      snapshotBytes: image.bytes,
      snapshotWhat: `the leader's newest image file (snap/*.snap) after the fill, at index ${image.index} of ${applied} applied`,
      restartMs: [],
      restartStartedMs: [],
      catchUpMs: [],
      notes: [],
    };
    const probeKey = scrambledKey(1);
    for (let r = 0; r < reps; r++) {
      const active = await cluster.awaitSteadyActive('palisade before a restart');
      const victim = specs.find((s) => s.id !== active)!.id;
      const goal = await appliedAt(listen(active));
      await waitFor(
        `${victim} caught up before its restart`,
        patienceMs(keys),
        async () => ((await appliedAt(listen(victim))) >= goal ? true : undefined),
        POLL_MS,
      );
      await cluster.kill9(victim);
      const spawnWall = Date.now();
      const t0 = nowNs();
      cluster.start(victim);
      await waitFor(
        `a linearizable read answered by the restarted ${victim}`,
        patienceMs(keys),
        async () => {
          cluster.assertRunning();
          const got = await onlyAt(listen(victim), (c) => c.kv.get(probeKey));
          if (got.kv === undefined) throw new Error(`${victim} answered without ${probeKey}`);
          return true;
        },
        POLL_MS,
      );
      const ms = msBetween(t0, nowNs());
      const started = startedAfter(cluster.logFile(victim), spawnWall);
      const loaded = stateLoadedAfter(cluster.logFile(victim), spawnWall);
      run.restartMs.push(ms);
      if (started !== undefined) run.restartStartedMs.push(started);
      const what = loaded === undefined ? '' : `, ${JSON.stringify(loaded)}`;
      run.notes.push(`restart #${r + 1}: ${ms.toFixed(0)} ms${what}`);
      log(
        `palisade ${keys} keys: restart #${r + 1} of ${victim}: 'node started' after ${started ?? '?'} ms, first linearizable read after ${ms.toFixed(0)} ms${what}`,
      );
    }
    for (let r = 0; r < reps; r++) {
      const spec = await newSpec(`n${4 + r}`);
      await client.members.add(spec.id, spec.listen);
      const active = await cluster.awaitSteadyActive('palisade before a catch-up');
      const goal = await appliedAt(listen(active));
      const t0 = nowNs();
      cluster.join(spec, listen(active));
      await waitFor(
        `${spec.id} catching up to index ${goal}`,
        patienceMs(keys),
        async () => {
          cluster.assertRunning();
          return (await appliedAt(spec.listen)) >= goal ? true : undefined;
        },
        POLL_MS,
      );
      const ms = msBetween(t0, nowNs());
      run.catchUpMs.push(ms);
      log(`palisade ${keys} keys: ${spec.id} caught up to index ${goal} ${ms.toFixed(0)} ms after its start`);
      await client.members.remove(spec.id);
      await cluster.dismiss(spec.id);
    }
    return run;
  } finally {
    client.close();
    await cluster.stopAll();
  }
}
