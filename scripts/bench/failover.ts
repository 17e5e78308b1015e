// `npm run bench:failover` — failover times of a local 3-node cluster, palisade side by side with
// etcd 3.4 and keepalived in ONE run on the same machine (see docs/benchmarks.md "Failover"):
//   1. etcd leader failover after kill -9 of the leader, defaults and tuned (10 ms / 100 ms);
//   2. palisade on loopback, defaults and tuned: kill -9 of the active → (a) the new active's
//      promote hook start, (b) /primary 200 on a survivor; then graceful switchovers;
//   3. palisade behind a real HAProxy (the shipped cluster-examples/haproxy.cfg) on loopback,
//      defaults and tuned: kill -9 of the active → (d) the first connection through HAProxy
//      served by the new active;
//   4. in network namespaces (root only): palisade with a VIP, crash of the active → (c) the VIP
//      answering the client again; keepalived (advert_int 1 and 0.1), crash and graceful stop;
//   5. health failover (issue 15): the active's service dies while its agent lives → (e) the new
//      active's promote hook start, detection included, palisade (loopback, default check
//      settings) beside keepalived's track_script with the same interval, fall and rise
//      (namespaces, root only; health-failover.ts).
// Every series has N repetitions (20; `--reps N` another count; `--quick`: 3, a smoke run whose
// numbers are not for the record). `--only etcd,palisade,haproxy,vip,keepalived,health` runs only the parts named (a smoke run
// of one part; a run for the record runs them all); `--vip-series defaults-lease,defaults-hook,tuned-hook`
// runs only the VIP series named (all three by default); `--baseline DIR` runs each VIP series
// from DIR's build too, just before this checkout's (an A/B of two commits in one run). Prints a table and writes scripts/bench/results/failover-<date>.json. Every process,
// temp dir and namespace is removed at the end, also on failure or Ctrl-C.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { ETCD_BIN } from './etcd-cluster.js';
import { stopAllGroups } from './failover/detached.js';
import { benchEtcdFailover, ETCD_PROFILES } from './failover/etcd-failover.js';
import { benchKeepalived, KEEPALIVED_BIN, KEEPALIVED_PROFILES } from './failover/keepalived-failover.js';
import { createNet, netnsSkipReason, VipProbe, type Net } from './failover/netns.js';
import { benchHaproxy, haproxySkipReason } from './failover/haproxy-failover.js';
import { benchKeepalivedHealth, benchPalisadeHealth, CHECK, PALISADE_HEALTH_PROFILE } from './failover/health-failover.js';
import { benchPalisadeFailover, PALISADE_PROFILES } from './failover/palisade-failover.js';
import {
  checkGoals,
  haproxyGoals,
  healthGoals,
  Measure,
  renderGoals,
  renderTable,
  series,
  type FailoverResult,
  type Series,
} from './failover/report.js';
import { createStampHook } from './failover/stamp-hook.js';
import { benchPalisadeVip } from './failover/vip-failover.js';
import { commandOutput, ProcessGroup } from './processes.js';
import { checkFlags } from './bench-flags.js';

const RESULTS = join(import.meta.dirname, 'results');
checkFlags('failover.ts', { switches: ['--quick'], values: ['--reps', '--only', '--vip-series', '--baseline'] });
const quick = process.argv.includes('--quick');
const repsArg = process.argv.indexOf('--reps');
const N = repsArg >= 0 ? Number(process.argv[repsArg + 1]) : quick ? 3 : 20;
if (!Number.isSafeInteger(N) || N < 1)
  throw new Error(`--reps ${process.argv[repsArg + 1]}: give a whole number of repetitions per series, e.g. --reps 10`);
const PARTS = ['etcd', 'palisade', 'haproxy', 'vip', 'keepalived', 'health'] as const;
const HEALTH_SETTINGS = `check every ${CHECK.intervalMs} ms, fall ${CHECK.fall}, rise ${CHECK.rise}`;
const PALISADE_HEALTH = `${PALISADE_HEALTH_PROFILE.name}, ${HEALTH_SETTINGS}`;
const KEEPALIVED_HEALTH = `keepalived advert_int 1 track_script (${HEALTH_SETTINGS})`;
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg < 0 ? [...PARTS] : (process.argv[onlyArg + 1] ?? '').split(',');
for (const p of only)
  if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--only ${p}: not a part of this benchmark (${PARTS.join(', ')})`);
const runs = (part: (typeof PARTS)[number]): boolean => only.includes(part);
// The VIP part's series: defaults in fencing mode lease and hook, tuned (mode hook: see below).
const VIP_SERIES = ['defaults-lease', 'defaults-hook', 'tuned-hook'] as const;
const vipSeriesArg = process.argv.indexOf('--vip-series');
const vipSeries = vipSeriesArg < 0 ? [...VIP_SERIES] : (process.argv[vipSeriesArg + 1] ?? '').split(',');
for (const v of vipSeries)
  if (!(VIP_SERIES as readonly string[]).includes(v))
    throw new Error(`--vip-series ${v}: not a series of the VIP part (${VIP_SERIES.join(', ')})`);
/** `--baseline DIR`: each VIP series also runs from another checkout's build (DIR/dist), just before this one's: an A/B in one run. */
const baselineArg = process.argv.indexOf('--baseline');
const baselineDir = baselineArg < 0 ? undefined : process.argv[baselineArg + 1];
if (baselineDir !== undefined && !existsSync(join(baselineDir, 'dist', 'src', 'cli', 'main.js')))
  throw new Error(`--baseline ${baselineDir}: no build there (run npm run build in that checkout first)`);
const log = (s: string): void => void process.stderr.write(`[failover] ${s}\n`);

function version(argv: readonly string[], pattern: RegExp): string {
  // keepalived prints its version on stderr, etcd on stdout: look at both.
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 5000 });
  const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  return pattern.exec(out)?.[1] ?? 'unknown';
}

async function main(): Promise<void> {
  const group = new ProcessGroup();
  let net: Net | undefined;
  let probe: VipProbe | undefined;
  const cleanup = async (): Promise<void> => {
    probe?.stop();
    await stopAllGroups(3000).catch(() => undefined);
    await group.stopAll(3000).catch(() => undefined);
    net?.destroy();
    group.removeDirs();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  process.once('exit', () => group.killAllNow());

  const all: Series[] = [];
  const skipped: string[] = [];
  const notes: string[] = [];
  const started = new Date();
  const hookKind = createStampHook(group.tempDir('fo-probe')).kind;
  let healthOverlaps: number | undefined;
  try {
    // 1. etcd, the yardstick.
    for (const p of runs('etcd') ? ETCD_PROFILES : []) {
      const r = await benchEtcdFailover(group, p, N, log);
      all.push(series(p.name, Measure.EtcdLeader, r.samplesMs));
    }
    // 2. palisade on loopback.
    for (const p of runs('palisade') ? PALISADE_PROFILES : []) {
      const r = await benchPalisadeFailover(group, p, { kill: N, switchover: N }, log);
      all.push(series(p.name, Measure.Promote, r.killToPromoteMs));
      all.push(series(p.name, Measure.Primary, r.killToPrimaryMs));
      all.push(series(p.name, Measure.Switchover, r.switchoverToPromoteMs));
      all.push(series(p.name, Measure.SwitchoverRpc, r.switchoverRpcMs));
      if (r.switchoverRefusals.length > 0)
        notes.push(
          `${p.name}: ${r.switchoverRefusals.length} switchover(s) refused and retried: ${[...new Set(r.switchoverRefusals)].join('; ')}`,
        );
    }
    // 3. palisade behind HAProxy.
    const noHaproxy = haproxySkipReason();
    if (runs('haproxy') && noHaproxy !== undefined) skipped.push(`HAProxy measurements (d): ${noHaproxy}`);
    else if (runs('haproxy')) {
      for (const p of PALISADE_PROFILES) {
        const name = `${p.name} + HAProxy`;
        const r = await benchHaproxy(group, p, N, log);
        all.push(series(name, Measure.Haproxy, r.killToRoutedMs));
        all.push(series(name, Measure.HaproxyPrimary, r.killToPrimaryMs));
      }
    }
    // 4. namespaces: palisade with a VIP, keepalived.
    const why = netnsSkipReason();
    if (why !== undefined) skipped.push(`VIP measurements (c), keepalived and health failover (e): ${why}`);
    else if (runs('vip') || runs('keepalived') || runs('health')) {
      net = createNet();
      probe = new VipProbe(net);
      // With a VIP the demote budget grows by the `ip addr del` allowance: the defaults still pass
      // the lease-mode rule, the tuned timings do not (the validator says so), so tuned runs with
      // --fencing hook and a fence hook that records and takes the VIP off its target.
      // Lease mode probes for the address (the crashed holder never confirmed its demotion);
      // mode hook knows it is down once fenced and adds the address at once: defaults in both.
      const vipRuns = [
        [VIP_SERIES[0], PALISADE_PROFILES[0], false],
        [VIP_SERIES[1], PALISADE_PROFILES[0], true],
        [VIP_SERIES[2], PALISADE_PROFILES[1], true],
      ] as const;
      const builds = baselineDir === undefined ? [undefined] : [baselineDir, undefined];
      for (const [key, p, fenceHook] of runs('vip') ? vipRuns : []) {
        if (!vipSeries.includes(key)) continue;
        for (const build of builds) {
          const base = `${p.name.replace(', fencing lease', fenceHook ? ', fencing hook' : ', fencing lease')} + VIP`;
          const name = build === undefined ? base : `${base}, baseline build`;
          const cli = build === undefined ? undefined : join(build, 'dist', 'src', 'cli', 'main.js');
          const r = await benchPalisadeVip(group, net, probe, p, N, log, fenceHook, name, cli);
          all.push(series(name, Measure.Vip, r.killToVipMs));
          all.push(series(name, Measure.VipPromote, r.killToPromoteMs));
          notes.push(
            `${name}: ${r.holders.dual} of ${r.holders.samples} samples of the live nodes' addresses (every ~50 ms through the rounds) had two VIP holders`,
          );
          if (r.failure !== undefined) notes.push(`${name}: stopped after ${r.killToVipMs.length} of ${N} rounds: ${r.failure}`);
        }
      }
      for (const p of runs('keepalived') ? KEEPALIVED_PROFILES : []) {
        const r = await benchKeepalived(group, net, probe, p, { crash: N, graceful: N }, log);
        all.push(series(p.name, Measure.KeepalivedCrash, r.crashMs));
        all.push(series(p.name, Measure.KeepalivedGraceful, r.gracefulMs));
        notes.push(
          `${p.name}: ${r.holders.dual} of ${r.holders.samples} samples of the live nodes' addresses (every ~50 ms through the rounds) had two VIP holders`,
        );
      }
      // 5. health failover: palisade beside keepalived's track_script, same check settings.
      if (runs('health')) {
        const p = await benchPalisadeHealth(group, PALISADE_HEALTH_PROFILE, N, log);
        all.push(series(PALISADE_HEALTH, Measure.Health, p.serviceDownToPromoteMs));
        const k = await benchKeepalivedHealth(group, net, N, log);
        all.push(series(KEEPALIVED_HEALTH, Measure.Health, k.serviceDownToPromoteMs));
        healthOverlaps = p.overlaps;
        if (p.fences > 0) notes.push(`palisade health failover: ${p.fences} fence hook run(s); an ordered handover needs none`);
        if (k.overlaps > 0)
          notes.push(
            `keepalived track_script: ${k.overlaps} round(s) where notify_master on the new master started before notify_fault on the old one`,
          );
      }
    }
  } catch (err) {
    log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    log(group.logTails());
    process.exitCode = 1;
  } finally {
    await cleanup();
  }

  const goals = [
    ...checkGoals(all, PALISADE_PROFILES[0].name, PALISADE_PROFILES[1].name, ETCD_PROFILES[1].name),
    ...haproxyGoals(all, `${PALISADE_PROFILES[0].name} + HAProxy`, `${PALISADE_PROFILES[0].name} + VIP`, KEEPALIVED_PROFILES[1].name),
    ...healthGoals(all, PALISADE_HEALTH, KEEPALIVED_HEALTH, healthOverlaps),
  ];
  const result: FailoverResult = {
    benchmark: 'failover',
    date: started.toISOString(),
    command: `npm run bench:failover${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    quick,
    commit: commandOutput('git', ['rev-parse', '--short', 'HEAD']),
    ...(baselineDir !== undefined ? { baselineCommit: commandOutput('git', ['-C', baselineDir, 'rev-parse', '--short', 'HEAD']) } : {}),
    machine: {
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memGiB: Math.round(totalmem() / 2 ** 30),
      kernel: release(),
      node: process.version,
      etcd: version([ETCD_BIN, '--version'], /etcd Version: (\S+)/),
      keepalived: version([KEEPALIVED_BIN, '--version'], /Keepalived (v\S+)/),
    },
    method: {
      clock:
        'CLOCK_MONOTONIC everywhere: kill times from process.hrtime.bigint() just before kill(2); hook start from clock_gettime(CLOCK_MONOTONIC) ' +
        `in the hook itself (${hookKind === 'c' ? 'a compiled C hook, ~1 ms after exec' : 'a Perl hook: adds its 10-30 ms start-up'}); poll and ping answers stamped on arrival`,
      hook: hookKind,
      repetitions: String(N),
      crash:
        'VIP runs and keepalived: bridge port down + SIGKILL at the same moment (a machine losing power); loopback runs: SIGKILL of the agent only',
    },
    series: all,
    goals,
    skipped,
    notes,
  };
  mkdirSync(RESULTS, { recursive: true });
  const stamp = started.toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
  const file = join(RESULTS, `failover-${stamp}${quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `\n${renderTable(all)}\n\nGoals:\n${renderGoals(goals)}\n${skipped.map((s) => `skipped: ${s}\n`).join('')}${notes.map((s) => `note: ${s}\n`).join('')}\nresult: ${file}\n`,
  );
}

await main();
