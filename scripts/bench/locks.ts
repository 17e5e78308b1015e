// `npm run bench:locks` — palisade's locks and elections beside etcd 3.4's Mutex and Election
// (through the `etcd3` npm client) in ONE run, each on its own fresh 3-member cluster on loopback
// with fsync on, the systems' order alternating between rounds (the load of a shared machine
// drifts). Per kind (lock-spec.ts) and round:
//   1. uncontended: one contender, acquire then release, again (the name is free every time);
//   2. 64 contenders on one name, each with its own session (lease), closed loops: grants/s and
//      the time from a call to its grant (mostly the wait in the queue). Sessions and leases in
//      these two phases have a 10 s TTL, palisade's default (keep-alives every TTL/3 are load too);
//   3. the holder dies: a forked holder takes the name, a waiter queues behind it, the holder gets
//      SIGKILL; the time from just before kill(2) to the waiter's grant. The session TTL is the same
//      for both systems (etcd's lease takes whole seconds, at least 2 s at its default timings).
// Goals (issue 17): grants/s ≥ etcd's; the next grant after a holder's death ≤ TTL + one round
// trip (the uncontended acquire's median in the same run). Contenders and holders run in forked
// processes. Each throughput phase is warmed up first, unmeasured (at least 100 cycles and 15 s: a
// fresh agent's code is cold); the kinds' order alternates between rounds like the systems'; the
// leader is asked before and after each phase (a move is reported). `--phases` picks phases,
// `--help` lists the options. Prints the tables, writes scripts/bench/results/locks-<date>.json.
// `--quick` is a smoke run (its numbers are not for the record). Every process and temp dir is
// removed at the end.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import type { BenchCluster } from './cluster.js';
import { ETCD_BIN, startEtcd } from './etcd-cluster.js';
import { runHolderDeath, runThroughput, type ThroughputResult } from './lock-phases.js';
import { renderLocks, type KindRound, type LocksResult } from './lock-report.js';
import { LOCK_KINDS, LockKind, isPalisadeKind, type ContenderOptions } from './lock-spec.js';
import { startPalisade } from './palisade-cluster.js';
import { ProcessGroup, commandOutput, runBench } from './processes.js';
import { checkFlags, unknownFlags } from './bench-flags.js';

const RESULTS = join(import.meta.dirname, 'results');
const argv = process.argv.slice(2);
const LOCK_FLAGS = { switches: ['--quick', '--help'], values: ['--rounds', '--reps', '--ttl-ms', '--only', '--phases', '--warmup-ms'] };
const flag = (name: string) => argv.includes(name);
function option(name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}
function positiveInt(name: string, fallback: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}
function kindsOption(): readonly LockKind[] {
  const raw = option('--only');
  if (raw === undefined) return LOCK_KINDS;
  const kinds = raw.split(',');
  const unknown = kinds.filter((k) => !(LOCK_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new Error(`--only: unknown kind ${unknown.join(', ')} (kinds: ${LOCK_KINDS.join(', ')})`);
  return kinds as LockKind[];
}

const PHASES = ['uncontended', 'contended', 'death'] as const;
type Phase = (typeof PHASES)[number];
function phasesOption(): readonly Phase[] {
  const raw = option('--phases');
  if (raw === undefined) return PHASES;
  const phases = raw.split(',');
  const unknown = phases.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`--phases: unknown phase ${unknown.join(', ')} (phases: ${PHASES.join(', ')})`);
  return phases as Phase[];
}

if (flag('--help')) {
  console.log(`usage: npx tsx scripts/bench/locks.ts [options]
  --rounds N        rounds, systems' order alternating (default 3; --quick 1)
  --reps N          holder kills per kind and round (default 10; --quick 2)
  --ttl-ms MS       the holder-death series' session TTL (default 2000; etcd: whole seconds)
  --only KINDS      comma-separated kinds (default all: ${LOCK_KINDS.join(', ')})
  --phases PHASES   comma-separated phases (default all: ${PHASES.join(', ')})
  --warmup-ms MS    unmeasured warm-up of each throughput phase, at least (default 15000; --quick 500)
  --quick           a smoke run (its numbers are not for the record)`);
  process.exit(0);
}

if (unknownFlags(LOCK_FLAGS, argv).length > 0) checkFlags('locks.ts', LOCK_FLAGS, argv);
const quick = flag('--quick');
const SETTINGS = {
  rounds: positiveInt('--rounds', quick ? 1 : 3),
  /** The holder-death series' TTL: short, so that a series ends in reasonable time. */
  ttlMs: positiveInt('--ttl-ms', 2000),
  /** The throughput phases' TTL: palisade's default, as an application would keep it. */
  sessionTtlMs: 10_000,
  contended: 64,
  measureMs: quick ? 2000 : 10_000,
  warmupCycles: quick ? 10 : 100,
  /**
   * Warm-up also lasts at least this long: on a fresh palisade cluster one contender's rate
   * climbs for 10–15 s of load (not of time: an idle wait first does not help), so a shorter one
   * measures the first kind on a cluster against the warm second. etcd gets the same.
   */
  warmupMs: positiveInt('--warmup-ms', quick ? 500 : 15_000),
  maxCycles: 1_000_000,
  deathReps: positiveInt('--reps', quick ? 2 : 10),
  kinds: kindsOption(),
  phases: phasesOption(),
} as const;

/** The try-lock fails instead of waiting: no contended or holder-death series for it. */
const waits = (kind: LockKind) => kind !== LockKind.Etcd3Lock;
const log = (s: string) => process.stderr.write(`[locks] ${s}\n`);

async function endpointsOf(cluster: BenchCluster): Promise<string[]> {
  const leader = await cluster.leader();
  return [...cluster.members].sort((a, b) => Number(b.id === leader) - Number(a.id === leader)).map((m) => m.clientAddress);
}

/** Runs `measure`, noting the leader before and after (a phase's client talks to the leader it started with). */
async function watchLeader<T>(
  cluster: BenchCluster,
  what: string,
  measure: () => Promise<T>,
): Promise<{ result: T; leaders: [string, string] }> {
  const before = await cluster.leader();
  const result = await measure();
  const after = await cluster.leader();
  if (after !== before) log(`WARNING: ${what}: the leader moved from ${before} to ${after} during the phase`);
  return { result, leaders: [before, after] };
}

async function benchKind(group: ProcessGroup, cluster: BenchCluster, kind: LockKind): Promise<KindRound> {
  const endpoints = await endpointsOf(cluster);
  const base: ContenderOptions = { kind, endpoints, name: `bench/${kind}`, ttlMs: SETTINGS.sessionTtlMs };
  const phase = (contenders: number): Promise<{ result: ThroughputResult; leaders: [string, string] }> =>
    watchLeader(cluster, `${kind} × ${contenders}`, () =>
      runThroughput(
        group,
        {
          ...base,
          contenders,
          warmupCycles: SETTINGS.warmupCycles,
          warmupMs: SETTINGS.warmupMs,
          measureMs: SETTINGS.measureMs,
          maxCycles: SETTINGS.maxCycles,
        },
        cluster.members,
      ),
    );
  const has = (p: Phase) => SETTINGS.phases.includes(p);
  const leaders: Record<string, [string, string]> = {};
  let uncontended: ThroughputResult | undefined;
  if (has('uncontended')) {
    log(`${kind}: uncontended, ${SETTINGS.measureMs} ms`);
    const u = await phase(1);
    uncontended = u.result;
    leaders.uncontended = u.leaders;
  }
  if (!waits(kind)) return { kind, uncontended, leaders };
  let contended: ThroughputResult | undefined;
  if (has('contended')) {
    log(`${kind}: ${SETTINGS.contended} contenders on one name, ${SETTINGS.measureMs} ms`);
    const c = await phase(SETTINGS.contended);
    contended = c.result;
    leaders.contended = c.leaders;
  }
  let deathMs: number[] | undefined;
  if (has('death')) {
    log(`${kind}: holder killed with SIGKILL, ${SETTINGS.deathReps} times (TTL ${SETTINGS.ttlMs} ms)`);
    deathMs = await runHolderDeath(group, { ...base, name: `bench/${kind}-death`, ttlMs: SETTINGS.ttlMs }, SETTINGS.deathReps);
  }
  return { kind, uncontended, contended, deathMs, leaders };
}

async function benchSystem(group: ProcessGroup, system: 'palisade' | 'etcd', round: number): Promise<KindRound[]> {
  const mine = SETTINGS.kinds.filter((k) => isPalisadeKind(k) === (system === 'palisade'));
  // The first kind on a fresh cluster runs on the coldest members: the kinds' order alternates too.
  const kinds = round % 2 === 0 ? mine : [...mine].reverse();
  if (kinds.length === 0) return [];
  log(`starting 3 ${system} members`);
  const cluster = system === 'palisade' ? await startPalisade(group) : await startEtcd(group);
  try {
    const out: KindRound[] = [];
    for (const kind of kinds) out.push(await benchKind(group, cluster, kind));
    return out;
  } finally {
    await cluster.stop();
  }
}

async function main(group: ProcessGroup): Promise<void> {
  const date = new Date().toISOString();
  const machine = { nproc: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', kernel: release(), node: process.version };
  log(
    `machine: ${JSON.stringify(machine)}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}${quick ? ' (quick run)' : ''}`,
  );
  const rounds: LocksResult['rounds'][number][] = [];
  for (let r = 0; r < SETTINGS.rounds; r++) {
    const order = r % 2 === 0 ? (['palisade', 'etcd'] as const) : (['etcd', 'palisade'] as const);
    const loadBefore = loadavg()[0];
    const kinds: KindRound[] = [];
    for (const system of order) kinds.push(...(await benchSystem(group, system, r)));
    rounds.push({ order: [...order], loadAverage: [loadBefore, loadavg()[0]], kinds });
  }
  const result: LocksResult = {
    benchmark: 'locks',
    date,
    command: `npm run bench:locks${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    commit: commandOutput('git', ['rev-parse', '--short', 'HEAD']),
    etcdVersion: commandOutput(ETCD_BIN, ['--version']).split('\n')[0].replace('etcd Version: ', ''),
    machine,
    settings: { ...SETTINGS, quick },
    rounds,
  };
  mkdirSync(RESULTS, { recursive: true });
  const out = join(RESULTS, `locks-${date.slice(0, 19).replace(/[:T]/g, '-')}${quick ? '-quick' : ''}.json`);
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(renderLocks(result));
  console.log(`\nresult: ${out}`);
}

runBench('locks', main);
