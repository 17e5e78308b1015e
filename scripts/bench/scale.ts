// `npm run bench:scale` — how palisade grows with the cluster and with the store, etcd 3.4 in the
// same run as the anchor (docs/benchmarks.md, "Scale"; issue 20):
//   sizes: for 3, 5 and 7 members, at the same timings for both (heartbeat 50 ms, election
//     300 ms: palisade's defaults): failover (palisade: kill -9 of the active → the new active's
//     promote hook starts, as bench:failover's (a); etcd: kill -9 of the leader → a survivor
//     reports a new leader), commit latency of single puts (one client, one put at a time) and
//     idle CPU per member (a window after the cluster settled);
//   data: for 10^5 and 10^6 keys in a 3-member cluster at each system's defaults: the snapshot's
//     size, restarts of a follower (kill -9, then spawn → the first linearizable read it answers)
//     and the catch-up of a new member (`members add`, then spawn → its applied index reaches
//     the leader's at that moment).
// Options: `--sizes 3,5,7`, `--keys 100000,1000000`, `--reps N` (failovers per size and system,
// default 10), `--data-reps N` (restarts and new members per key count, default 3), `--only
// sizes|data`, `--systems palisade,etcd` (both by default), `--quick` (3 and 5 members, 10^4 keys, 2 and 1 reps, short windows: a smoke run,
// not for the record). Prints the tables and writes scripts/bench/results/scale-<date>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { ETCD_BIN } from './etcd-cluster.js';
import { AGENT_ENV } from './palisade-cluster.js';
import { ProcessGroup, commandOutput, runBench } from './processes.js';
import type { DataRun } from './scale/data-run.js';
import { etcdData } from './scale/etcd-data.js';
import { palisadeData } from './scale/palisade-data.js';
import { checkGoals, renderData, renderGoals, renderSizes } from './scale/report.js';
import { measureSize, TIMINGS, type SizeRun, type SizeSettings } from './scale/sizes.js';
import { checkFlags } from './bench-flags.js';

const RESULTS = join(import.meta.dirname, 'results');
const argv = process.argv.slice(2);
checkFlags('scale.ts', { switches: ['--quick'], values: ['--sizes', '--keys', '--reps', '--data-reps', '--only', '--systems'] });
const quick = argv.includes('--quick');

function flag(name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}

function counts(name: string, fallback: readonly number[], min: number): number[] {
  const v = flag(name);
  if (v === undefined) return [...fallback];
  const xs = v.split(',').map(Number);
  for (const x of xs)
    if (!Number.isSafeInteger(x) || x < min) throw new Error(`${name} ${v}: give whole numbers ≥ ${min}, comma-separated`);
  return xs;
}

const SIZES = counts('--sizes', quick ? [3, 5] : [3, 5, 7], 1);
const KEYS = counts('--keys', quick ? [10_000] : [100_000, 1_000_000], 1);
const [REPS] = counts('--reps', [quick ? 2 : 10], 1);
const [DATA_REPS] = counts('--data-reps', [quick ? 1 : 3], 1);
const PARTS = ['sizes', 'data'] as const;
const only = (flag('--only') ?? PARTS.join(',')).split(',');
for (const p of only) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--only ${p}: not a part (${PARTS.join(', ')})`);
const SYSTEMS = ['etcd', 'palisade'] as const;
const systems = (flag('--systems') ?? SYSTEMS.join(',')).split(',');
for (const s of systems)
  if (!(SYSTEMS as readonly string[]).includes(s)) throw new Error(`--systems ${s}: not a system (${SYSTEMS.join(', ')})`);
/** The systems of round `i`, in that round's order. */
const roundOrder = (i: number) =>
  (i % 2 === 0 ? SYSTEMS : ([...SYSTEMS].reverse() as ['palisade', 'etcd'])).filter((s) => systems.includes(s));
const SIZE_SETTINGS: SizeSettings = {
  failoverReps: REPS,
  commitPuts: quick ? 300 : 2000,
  warmupPuts: quick ? 50 : 500,
  settleMs: quick ? 3000 : 60_000,
  idleMs: quick ? 5000 : 20_000,
};
const log = (s: string): void => void process.stderr.write(`[scale] ${s}\n`);

async function main(group: ProcessGroup): Promise<void> {
  const started = new Date();
  const commit = commandOutput('git', ['rev-parse', '--short', 'HEAD']);
  const loadBefore = loadavg();
  const sizes: SizeRun[] = [];
  const data: DataRun[] = [];
  // The order alternates between rounds: a shared machine's load drifts.
  if (only.includes('sizes')) {
    for (const [i, size] of SIZES.entries()) {
      for (const system of roundOrder(i)) {
        log(`${system}, ${size} members`);
        sizes.push(await measureSize(group, system, size, SIZE_SETTINGS, log));
      }
    }
  }
  if (only.includes('data')) {
    for (const [i, keys] of KEYS.entries()) {
      for (const system of roundOrder(i)) {
        log(`${system}, ${keys} keys`);
        data.push(
          system === 'palisade' ? await palisadeData(group, keys, DATA_REPS, log) : await etcdData(group, keys, DATA_REPS, [], log),
        );
      }
    }
  }
  const goals = checkGoals(sizes, data);
  const result = {
    benchmark: 'scale',
    date: started.toISOString(),
    command: `npm run bench:scale${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    quick,
    commit,
    machine: {
      nproc: availableParallelism(),
      cpu: cpus()[0]?.model ?? 'unknown',
      kernel: release(),
      node: process.version,
      loadAverageBefore: loadBefore.map((x) => Math.round(x * 100) / 100),
      loadAverageAfter: loadavg().map((x) => Math.round(x * 100) / 100),
    },
    etcdVersion: commandOutput(ETCD_BIN, ['--version']).split('\n')[0].replace('etcd Version: ', ''),
    settings: {
      sizes: SIZES,
      keys: KEYS,
      systems,
      ...SIZE_SETTINGS,
      dataReps: DATA_REPS,
      sizeTimings: `heartbeat ${TIMINGS.heartbeatMs} ms, election ${TIMINGS.electionMs} ms for both systems`,
      dataTimings:
        'each system at its defaults (palisade 50/300, a snapshot after ≥ 10,000 entries and a log ≥ a quarter of the last image; etcd 100/1000, snapshot-count 100,000)',
      palisadeAgentEnv: Object.entries(AGENT_ENV)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    },
    sizes,
    data,
    goals,
  };
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `scale-${started.toISOString().slice(0, 19).replace(/[:T]/g, '-')}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  const out = [
    sizes.length > 0 ? `\n${renderSizes(sizes)}\n` : '',
    data.length > 0 ? `\n${renderData(data)}\n` : '',
    `\nGoals:\n${renderGoals(goals)}\n\nresult: ${file}\n`,
  ];
  process.stdout.write(out.join(''));
}

runBench('scale', main);
