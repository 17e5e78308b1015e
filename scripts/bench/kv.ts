// `npm run bench:kv` — small-put commit throughput and latency of a local 3-member cluster with
// fsync on, palisade side by side with etcd in ONE run on the same machine:
//   0. one client right after start ("cold": Node's JIT is still compiling), then a warm-up that
//      is not measured (half at 64 in flight, half at one client), so that the phases below
//      compare steady states — etcd gets the same warm-up;
//   1. one client, sequential puts (16-byte keys, 64-byte values);
//   2. 64 in-flight puts from one client process, then from two processes (32 each);
//   3. idle CPU and RSS per member over 30 s, then RSS at rest (the lowest reading in 3 minutes),
//      also its private part (RssAnon: without the executable's shared pages);
//   4. a CPU profile of the palisade leader under the 64-client load (fresh cluster).
// `--no-rest` skips the RSS-at-rest watch of phase 3 (for runs about throughput and latency only),
// `--no-profile` phase 4;
// `--etcd-first` measures etcd before palisade (alternate it between runs: the load of a shared
// machine drifts). `--baseline DIR` also measures another checkout's build (DIR/dist, built
// there first) on its own fresh cluster in the same run: this build, baseline, etcd (reversed with
// `--etcd-first`, so alternating runs put this build first and last), and prints the same table for
// the baseline beside etcd. Prints a table and writes scripts/bench/results/kv-<date>.json. `--quick` shortens every phase
// (a smoke run; its numbers are not for the record). Every process and temp dir is removed at the
// end, also on failure or Ctrl-C; all traffic stays on 127.0.0.1.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from '../../src/index.js';
import type { BenchCluster, System } from './cluster.js';
import { summarizeProfile } from './cpu-profile.js';
import { ETCD_BIN, startEtcd } from './etcd-cluster.js';
import { runLoad, type LoadResult } from './load.js';
import type { WorkerSpec } from './load-spec.js';
import { AGENT_ENV, startPalisade, type PalisadeOptions } from './palisade-cluster.js';
import { CpuWindow, rssAnonMiB, rssMiB } from './proc-stats.js';
import { ProcessGroup, commandOutput, runBench } from './processes.js';
import { perPut, scrape, type PerPut } from './server-metrics.js';
import { renderProfile, renderServerCosts, renderTable, type BenchResult, type IdleResult, type SystemResult } from './report.js';
import { checkFlags } from './bench-flags.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const RESULTS = join(import.meta.dirname, 'results');
checkFlags('kv.ts', { switches: ['--quick', '--no-rest', '--no-profile', '--etcd-first'], values: ['--baseline'] });
const quick = process.argv.includes('--quick');
const noRest = process.argv.includes('--no-rest');
const noProfile = process.argv.includes('--no-profile');
const etcdFirst = process.argv.includes('--etcd-first');
const baselineDir = baselineFlag();

/** `--baseline DIR`: another checkout whose build (DIR/dist) is measured too, for an A/B in one run. */
function baselineFlag(): string | undefined {
  const i = process.argv.indexOf('--baseline');
  if (i < 0) return undefined;
  const dir = process.argv[i + 1];
  if (dir === undefined || dir.startsWith('--')) throw new Error('--baseline needs a directory');
  if (!existsSync(baselineCli(dir))) throw new Error(`--baseline ${dir}: no build there (run npm run build in that checkout first)`);
  return resolve(dir);
}

function baselineCli(dir: string): string {
  return join(dir, 'dist', 'src', 'cli', 'main.js');
}

const SETTINGS = {
  keyBytes: 16,
  valueBytes: 64,
  warmupPuts: quick ? 50 : 500,
  /** Unmeasured load between the cold phase and the measured ones (see the header). */
  warmupMs: quick ? 2000 : 10_000,
  sequentialPuts: quick ? 300 : 2000,
  concurrency: 64,
  concurrentMs: quick ? 3000 : 15_000,
  maxPutsPerPhase: 500_000,
  idleMs: quick ? 5000 : 30_000,
  /**
   * Then RSS is watched this long and its lowest reading kept: a Node process gives memory back
   * only after V8's memory reducer has run, minutes after the load (docs/benchmarks.md,
   * "Memory after load").
   */
  restMs: noRest ? 0 : quick ? 10_000 : 180_000,
  restEveryMs: quick ? 2000 : 10_000,
  settleMs: quick ? 1000 : 3000,
} as const;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

function spec(system: System, endpoints: string[], keyPrefix: string, concurrency: number, measure: WorkerSpec['measure']): WorkerSpec {
  return { system, endpoints, concurrency, warmupPuts: SETTINGS.warmupPuts, measure, keyPrefix, valueBytes: SETTINGS.valueBytes };
}

/** Client endpoints with the leader first (the etcd3 client is given only the leader). */
async function endpointsOf(cluster: BenchCluster): Promise<{ leader: string; endpoints: string[] }> {
  const leader = await cluster.leader();
  const sorted = [...cluster.members].sort((a, b) => Number(b.id === leader) - Number(a.id === leader));
  return { leader, endpoints: sorted.map((m) => m.clientAddress) };
}

async function measureIdle(cluster: BenchCluster): Promise<IdleResult> {
  await sleep(SETTINGS.settleMs);
  const cpu = new CpuWindow(cluster.members.map((m) => m.pid));
  await sleep(SETTINGS.idleMs);
  const pct = cpu.percent();
  const heap = async (http: string | undefined): Promise<{ heapUsedMiB?: number }> => {
    if (http === undefined) return {};
    const used = (await scrape(http))['nodejs_heap_size_used_bytes'];
    return used === undefined ? {} : { heapUsedMiB: Math.round((used / 2 ** 20) * 10) / 10 };
  };
  const members: Record<string, IdleResult['members'][string]> = Object.fromEntries(
    await Promise.all(
      cluster.members.map(
        async (m) => [m.id, { cpuPercent: pct.get(m.pid)!, rssMiB: rssMiB(m.pid), ...(await heap(m.httpAddress)) }] as const,
      ),
    ),
  );
  const resting = new Map(cluster.members.map((m) => [m.id, rssMiB(m.pid)]));
  const restingAnon = new Map(cluster.members.map((m) => [m.id, rssAnonMiB(m.pid)]));
  for (let waited = 0; waited < SETTINGS.restMs; waited += SETTINGS.restEveryMs) {
    await sleep(SETTINGS.restEveryMs);
    for (const m of cluster.members) {
      resting.set(m.id, Math.min(resting.get(m.id)!, rssMiB(m.pid)));
      restingAnon.set(m.id, Math.min(restingAnon.get(m.id)!, rssAnonMiB(m.pid)));
    }
  }
  for (const [id, mib] of resting) members[id] = { ...members[id], restingRssMiB: mib, restingRssAnonMiB: restingAnon.get(id)! };
  return { seconds: SETTINGS.idleMs / 1000, restSeconds: SETTINGS.restMs / 1000, members };
}

async function benchSystem(group: ProcessGroup, cluster: BenchCluster, version: string): Promise<SystemResult> {
  const { system } = cluster;
  const { leader, endpoints } = await endpointsOf(cluster);
  // Before any load: the empty cluster's footprint (the idle figure at the end includes the data written).
  const rssAtStartMiB = Object.fromEntries(cluster.members.map((m) => [m.id, rssMiB(m.pid)]));
  const rssAnonAtStartMiB = Object.fromEntries(cluster.members.map((m) => [m.id, rssAnonMiB(m.pid)]));
  const serverCosts: Record<string, Record<string, PerPut>> = {};
  /** One load phase, with palisade's own /metrics scraped around it (etcd members have none here). */
  const phase = async (name: string, specs: WorkerSpec[]): Promise<LoadResult> => {
    const scraped = cluster.members.filter((m) => m.httpAddress !== undefined);
    // Read after the workers' warm-up: its puts are not in result.puts.
    let before: Awaited<ReturnType<typeof scrape>>[] = [];
    const result = await runLoad(group, specs, cluster.members, async () => {
      before = await Promise.all(scraped.map((m) => scrape(m.httpAddress!)));
    });
    const after = await Promise.all(scraped.map((m) => scrape(m.httpAddress!)));
    if (scraped.length > 0) {
      serverCosts[name] = Object.fromEntries(scraped.map((m, i) => [m.id, perPut(before[i], after[i], result.puts, result.seconds)]));
    }
    return result;
  };
  log(`${system}: leader ${leader}; 1 client right after start (cold), ${SETTINGS.sequentialPuts} sequential puts`);
  const sequentialCold = await phase('sequentialCold', [
    spec(system, endpoints, 'w0', 1, { kind: 'count', puts: SETTINGS.sequentialPuts }),
  ]);
  log(`${system}: warm-up, not measured: ${SETTINGS.warmupMs / 2} ms at 64 in flight, ${SETTINGS.warmupMs / 2} ms at 1 client`);
  const warm = (prefix: string, concurrency: number): WorkerSpec =>
    spec(system, endpoints, prefix, concurrency, { kind: 'duration', ms: SETTINGS.warmupMs / 2, maxPuts: SETTINGS.maxPutsPerPhase });
  await runLoad(group, [warm('w1', SETTINGS.concurrency)], cluster.members);
  await runLoad(group, [warm('w2', 1)], cluster.members);
  log(`${system}: 1 client, ${SETTINGS.sequentialPuts} sequential puts`);
  const sequential = await phase('sequential', [spec(system, endpoints, 's0', 1, { kind: 'count', puts: SETTINGS.sequentialPuts })]);
  const during: WorkerSpec['measure'] = { kind: 'duration', ms: SETTINGS.concurrentMs, maxPuts: SETTINGS.maxPutsPerPhase };
  log(`${system}: 64 in-flight puts from 1 client process for ${SETTINGS.concurrentMs} ms`);
  const concurrent = await phase('concurrent', [spec(system, endpoints, 'c0', SETTINGS.concurrency, during)]);
  log(`${system}: 64 in-flight puts from 2 client processes (32 each)`);
  const half = SETTINGS.concurrency / 2;
  const two = { ...during, maxPuts: SETTINGS.maxPutsPerPhase / 2 };
  const concurrentTwoProcesses = await phase('concurrentTwoProcesses', [
    spec(system, endpoints, 'd0', half, two),
    spec(system, endpoints, 'd1', half, two),
  ]);
  const stillLeader = await cluster.leader();
  if (stillLeader !== leader) log(`${system}: WARNING leadership moved ${leader} → ${stillLeader} during the run`);
  log(`${system}: idle for ${SETTINGS.idleMs} ms, then RSS watched for ${SETTINGS.restMs} ms`);
  const idle = await measureIdle(cluster);
  return {
    system,
    version,
    leader,
    rssAtStartMiB,
    rssAnonAtStartMiB,
    sequentialCold,
    sequential,
    concurrent,
    concurrentTwoProcesses,
    idle,
    ...(Object.keys(serverCosts).length > 0 ? { serverCosts } : {}),
  };
}

/** A fresh palisade cluster whose n1 runs under --cpu-prof; n1 is made leader, loaded, stopped. */
async function profileLeader(group: ProcessGroup): Promise<BenchResult['profile']> {
  const dir = group.tempDir('cpuprof');
  const member = 'n1';
  const cluster = await startPalisade(group, { cpuProfile: { id: member, dir } });
  let run: LoadResult;
  try {
    if ((await cluster.leader()) !== member) {
      const admin = connect(
        cluster.members.map((m) => m.clientAddress),
        { timeoutMs: 10_000 },
      );
      try {
        await admin.transfer(member);
      } finally {
        admin.close();
      }
    }
    const { leader, endpoints } = await endpointsOf(cluster);
    if (leader !== member) throw new Error(`could not make ${member} the leader (leader is ${leader})`);
    log(`profile: warm-up, not profiled: ${SETTINGS.warmupMs} ms at 64 in flight`);
    const warmup: WorkerSpec['measure'] = { kind: 'duration', ms: SETTINGS.warmupMs, maxPuts: SETTINGS.maxPutsPerPhase };
    await runLoad(group, [spec('palisade', endpoints, 'w0', SETTINGS.concurrency, warmup)], cluster.members);
    log(`profile: 64 in-flight puts against ${member} under --cpu-prof`);
    const measure: WorkerSpec['measure'] = { kind: 'duration', ms: SETTINGS.concurrentMs, maxPuts: SETTINGS.maxPutsPerPhase };
    run = await runLoad(group, [spec('palisade', endpoints, 'p0', SETTINGS.concurrency, measure)], cluster.members);
  } finally {
    // The profile is written when the process exits (graceful stop).
    await cluster.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) {
    log('WARNING: no .cpuprofile was written');
    return undefined;
  }
  return { member, run, summary: summarizeProfile(join(dir, file), run.windowUs) };
}

function machine(): BenchResult['machine'] {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
  };
}

async function main(group: ProcessGroup): Promise<void> {
  const date = new Date().toISOString();
  const palisadeVersion = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const etcdVersion = commandOutput(ETCD_BIN, ['--version']).split('\n')[0].replace('etcd Version: ', '');
  log(`machine: ${JSON.stringify(machine())}${quick ? ' (quick run)' : ''}`);

  const benchPalisade = async (build: 'this' | 'baseline'): Promise<SystemResult> => {
    const opts: PalisadeOptions = build === 'baseline' ? { cli: baselineCli(baselineDir!) } : {};
    log(`starting 3 palisade agents${build === 'baseline' ? ` (baseline build: ${baselineDir})` : ''}`);
    const pal = await startPalisade(group, opts);
    try {
      return await benchSystem(group, pal, palisadeVersion);
    } finally {
      await pal.stop();
    }
  };
  const benchEtcd = async (): Promise<SystemResult> => {
    log('starting 3 etcd members');
    const etc = await startEtcd(group);
    try {
      return await benchSystem(group, etc, etcdVersion);
    } finally {
      await etc.stop();
    }
  };
  let palisade: SystemResult;
  let etcd: SystemResult;
  let baseline: SystemResult | undefined;
  // The baseline goes in the middle, so that alternating runs put this build first and last.
  if (etcdFirst) {
    etcd = await benchEtcd();
    if (baselineDir !== undefined) baseline = await benchPalisade('baseline');
    palisade = await benchPalisade('this');
  } else {
    palisade = await benchPalisade('this');
    if (baselineDir !== undefined) baseline = await benchPalisade('baseline');
    etcd = await benchEtcd();
  }

  if (!noProfile) log('profiling the palisade leader');
  const profile = noProfile ? undefined : await profileLeader(group);

  const result: BenchResult = {
    benchmark: 'kv',
    date,
    command: `npm run bench:kv${commandFlags()}`,
    machine: machine(),
    commit: commandOutput('git', ['rev-parse', '--short', 'HEAD']),
    settings: {
      ...SETTINGS,
      palisadeAgentEnv: Object.entries(AGENT_ENV)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    },
    palisade,
    etcd,
    ...(baseline !== undefined
      ? { baseline, baselineCommit: commandOutput('git', ['-C', baselineDir!, 'rev-parse', '--short', 'HEAD']) }
      : {}),
    ...(profile !== undefined ? { profile } : {}),
  };
  mkdirSync(RESULTS, { recursive: true });
  const out = join(RESULTS, `kv-${date.slice(0, 19).replace(/[:T]/g, '-')}${quick ? '-quick' : ''}.json`);
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(renderTable(result));
  console.log(`\n${renderServerCosts(palisade)}`);
  if (baseline !== undefined) {
    console.log(`\nbaseline build (${result.baselineCommit}), the same phases, as "palisade" beside the same etcd run:`);
    console.log(renderTable({ ...result, palisade: baseline }));
    console.log(`\n${renderServerCosts(baseline)}`);
  }
  if (profile !== undefined) console.log(`\n${renderProfile(profile)}`);
  console.log(`\nresult: ${out}`);
}

function commandFlags(): string {
  const flags = [
    quick && '--quick',
    noRest && '--no-rest',
    noProfile && '--no-profile',
    etcdFirst && '--etcd-first',
    baselineDir !== undefined && `--baseline ${baselineDir}`,
  ].filter((f) => f !== false);
  return flags.length === 0 ? '' : ` -- ${flags.join(' ')}`;
}

runBench('bench', main);
