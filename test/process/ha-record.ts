// The recording hooks of the HA process and namespace tests, and the checks run on what they
// recorded. Every hook run appends a START line and (unless SIGKILLed) an END line to one file:
//   <realtime ns> TAB <PALISADE_NODE_ID> TAB <PALISADE_EVENT> TAB start|end TAB <PALISADE_EPOCH>
//   TAB <PALISADE_TERM> TAB <PALISADE_PREVIOUS_ACTIVE> TAB <PALISADE_TARGET> TAB <PALISADE_REASON>
//   TAB <PALISADE_CLUSTER> TAB <status> TAB <hook pid> TAB <parent pid = the agent>
// Every node runs on one machine, so one clock (`date +%s%N`) orders all of them.
//
// The safety property (issue 4 "Tests"): the active intervals [promote start, demote end or
// fence end] of different epochs never overlap; epochs increase; every promote hook got the
// contract environment; /primary answered 200 only inside its node's active interval.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type HookEvent = 'promote' | 'demote' | 'fence';
export type HookMode = 'ok' | 'fail' | 'hang';

export interface HookRecord {
  /** Realtime clock, nanoseconds since the Unix epoch. */
  readonly ns: bigint;
  readonly node: string;
  readonly event: HookEvent;
  readonly phase: 'start' | 'end';
  readonly epoch: number;
  readonly term: number;
  readonly previousActive: string;
  readonly target: string;
  readonly reason: string;
  readonly cluster: string;
  /** end: the exit status ('0', '1', 'killed' when SIGTERM reached it); start: ''. */
  readonly status: string;
  readonly pid: number;
  /** The process that started the hook: the agent (hooks run without a shell). */
  readonly ppid: number;
  readonly line: string;
}

export interface HookDir {
  readonly dir: string;
  /** The one executable given to --on-promote, --on-demote and --on-fence. */
  readonly hook: string;
  readonly recordFile: string;
  /** `<pids>/<node id>` holds the agent's pid (what the fence hook kills). */
  readonly pidDir: string;
  readonly controlDir: string;
}

/**
 * Writes the recording hook into `dir`. Behaviour per node and event comes from the control
 * file `<control>/<node>.<event>` ("ok", "fail": exit 1, "hang": sleep until killed), read at
 * each run so a test can change it while the cluster runs. A fence hook SIGKILLs its target
 * when `<control>/fence-kills` says "yes" and the target's pid is alive; `fenceCommand`, when
 * given, is run too (the namespace test removes the dead node's VIP with it).
 */
export function writeRecordingHook(dir: string, opts: { fenceCommand?: string } = {}): HookDir {
  const recordFile = join(dir, 'record.tsv');
  const pidDir = join(dir, 'pids');
  const controlDir = join(dir, 'control');
  mkdirSync(pidDir, { recursive: true });
  mkdirSync(controlDir, { recursive: true });
  writeFileSync(recordFile, '');
  const hook = join(dir, 'record-hook');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(
    hook,
    `#!/bin/sh
# Recording hook written by test/process/ha-record.ts: START/END lines, behaviour from control files.
REC=${q(recordFile)}
CTL=${q(controlDir)}
PIDS=${q(pidDir)}
rec() {
  printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$(date +%s%N)" "$PALISADE_NODE_ID" "$PALISADE_EVENT" "$1" \\
    "$PALISADE_EPOCH" "$PALISADE_TERM" "$PALISADE_PREVIOUS_ACTIVE" "$PALISADE_TARGET" "$PALISADE_REASON" "$PALISADE_CLUSTER" "$2" "$$" "$PPID" >> "$REC"
}
rec start ''
mode=ok
[ -f "$CTL/$PALISADE_NODE_ID.$PALISADE_EVENT" ] && mode=$(cat "$CTL/$PALISADE_NODE_ID.$PALISADE_EVENT")
case "$mode" in
  fail) rec end 1; exit 1 ;;
  hang)
    trap 'rec end killed; exit 143' TERM
    sleep 600 &
    echo $! > "$CTL/$PALISADE_NODE_ID.$PALISADE_EVENT.sleeper"
    wait
    rec end 0
    exit 0 ;;
esac
if [ "$PALISADE_EVENT" = fence ]; then
  if [ "$(cat "$CTL/fence-kills" 2>/dev/null)" = yes ]; then
    pid=$(cat "$PIDS/$PALISADE_TARGET" 2>/dev/null)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
  fi
  ${opts.fenceCommand ?? ':'}
fi
rec end 0
exit 0
`,
  );
  chmodSync(hook, 0o755);
  return { dir, hook, recordFile, pidDir, controlDir };
}

export function setHookMode(h: HookDir, node: string, event: HookEvent, mode: HookMode): void {
  writeFileSync(join(h.controlDir, `${node}.${event}`), mode);
}

export function setFenceKills(h: HookDir, kills: boolean): void {
  writeFileSync(join(h.controlDir, 'fence-kills'), kills ? 'yes' : 'no');
}

export function readRecords(file: string): HookRecord[] {
  return parseRecords(readFileSync(file, 'utf8'));
}

export function parseRecords(text: string): HookRecord[] {
  const out: HookRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const f = line.split('\t');
    if (f.length !== 13) throw new Error(`malformed record line (${f.length} fields): ${JSON.stringify(line)}`);
    const [ns, node, event, phase, epoch, term, previousActive, target, reason, cluster, status, pid, ppid] = f as [string, ...string[]];
    if (event !== 'promote' && event !== 'demote' && event !== 'fence') throw new Error(`unknown event in ${JSON.stringify(line)}`);
    if (phase !== 'start' && phase !== 'end') throw new Error(`unknown phase in ${JSON.stringify(line)}`);
    out.push({
      ns: BigInt(ns),
      node: node,
      event,
      phase,
      epoch: Number(epoch),
      term: Number(term),
      previousActive: previousActive,
      target: target,
      reason: reason,
      cluster: cluster,
      status: status,
      pid: Number(pid),
      ppid: Number(ppid),
      line,
    });
  }
  // Appends from concurrent hooks land in write order; sort by the clock reading to be sure.
  return out.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
}

export interface ActiveInterval {
  readonly node: string;
  readonly epoch: number;
  readonly start: bigint;
  /** Demote end on the node or fence end against it; undefined while still open. */
  readonly end: bigint | undefined;
  readonly endedBy: string;
}

/**
 * One interval per promote START: it lasts until the node's next demote END (any epoch: a
 * demotion clears everything the node held, also the start-up demotion of a restarted agent)
 * or a successful fence END targeting it, whichever comes first. A failed promote still counts
 * from its START: the design cleans up with a demotion, which closes the interval.
 */
export function activeIntervals(records: readonly HookRecord[]): ActiveInterval[] {
  const out: ActiveInterval[] = [];
  records.forEach((r, i) => {
    if (r.event !== 'promote' || r.phase !== 'start') return;
    const closer = records
      .slice(i + 1)
      .find(
        (x) =>
          x.phase === 'end' &&
          ((x.event === 'demote' && x.node === r.node) || (x.event === 'fence' && x.target === r.node && x.status === '0')),
      );
    out.push({
      node: r.node,
      epoch: r.epoch,
      start: r.ns,
      end: closer?.ns,
      endedBy:
        closer === undefined ? 'still open' : closer.event === 'demote' ? `demote end on ${closer.node}` : `fence end by ${closer.node}`,
    });
  });
  return out;
}

const fmtNs = (base: bigint, ns: bigint | undefined): string => (ns === undefined ? '∞' : `+${(Number(ns - base) / 1e6).toFixed(1)}ms`);

/** Pairs of intervals (different node or epoch) that overlap in time. */
export function overlapViolations(intervals: readonly ActiveInterval[]): string[] {
  const bad: string[] = [];
  const base = intervals[0]?.start ?? 0n;
  for (let i = 0; i < intervals.length; i++) {
    for (let j = i + 1; j < intervals.length; j++) {
      const a = intervals[i];
      const b = intervals[j];
      const aEnd = a.end ?? BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n;
      const bEnd = b.end ?? BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n;
      if (a.start < bEnd && b.start < aEnd) {
        bad.push(
          `${a.node} epoch ${a.epoch} [${fmtNs(base, a.start)}, ${fmtNs(base, a.end)}] (${a.endedBy}) overlaps ` +
            `${b.node} epoch ${b.epoch} [${fmtNs(base, b.start)}, ${fmtNs(base, b.end)}] (${b.endedBy})`,
        );
      }
    }
  }
  return bad;
}

/** Promote STARTs in time order must carry strictly increasing epochs (the fencing token). */
export function epochViolations(records: readonly HookRecord[]): string[] {
  const bad: string[] = [];
  let last: HookRecord | undefined;
  for (const r of records) {
    if (r.event !== 'promote' || r.phase !== 'start') continue;
    if (!(Number.isSafeInteger(r.epoch) && r.epoch > 0)) bad.push(`promote on ${r.node} has epoch ${r.epoch}`);
    if (last !== undefined && r.epoch <= last.epoch)
      bad.push(`promote on ${r.node} epoch ${r.epoch} after promote on ${last.node} epoch ${last.epoch}`);
    last = r;
  }
  return bad;
}

/**
 * The hook contract's environment on every promote (and the basic shape of every record):
 * PALISADE_NODE_ID is the agent that ran it (its pid is the hook's parent), PALISADE_TARGET is
 * that node, PALISADE_EPOCH and PALISADE_TERM are positive, PALISADE_CLUSTER is the cluster,
 * PALISADE_REASON is said, PALISADE_PREVIOUS_ACTIVE is a member or empty (which member it must
 * be depends on the scenario: the tests check that themselves).
 */
export function environmentViolations(
  records: readonly HookRecord[],
  want: { cluster: string; nodes: readonly string[]; pidsOf: (node: string) => readonly number[] },
): string[] {
  const bad: string[] = [];
  for (const r of records) {
    if (r.phase !== 'start') continue;
    const where = `${r.event} start on ${r.node} (${r.line})`;
    if (!want.nodes.includes(r.node)) bad.push(`${where}: PALISADE_NODE_ID is not a member`);
    else if (!want.pidsOf(r.node).includes(r.ppid))
      bad.push(`${where}: run by pid ${r.ppid}, not by ${r.node}'s agent (${want.pidsOf(r.node).join(', ')})`);
    if (r.cluster !== want.cluster) bad.push(`${where}: PALISADE_CLUSTER ${JSON.stringify(r.cluster)} ≠ ${want.cluster}`);
    if (r.reason.trim() === '') bad.push(`${where}: PALISADE_REASON is empty`);
    if (r.event === 'fence') {
      if (!want.nodes.includes(r.target) || r.target === r.node) bad.push(`${where}: fence PALISADE_TARGET ${JSON.stringify(r.target)}`);
      continue;
    }
    if (r.target !== r.node) bad.push(`${where}: PALISADE_TARGET ${JSON.stringify(r.target)} ≠ the node`);
    if (r.previousActive !== '' && !want.nodes.includes(r.previousActive))
      bad.push(`${where}: PALISADE_PREVIOUS_ACTIVE ${JSON.stringify(r.previousActive)}`);
    if (r.event === 'promote') {
      if (!(r.epoch > 0)) bad.push(`${where}: PALISADE_EPOCH ${r.epoch}`);
      if (!(r.term > 0)) bad.push(`${where}: PALISADE_TERM ${r.term}`);
    } else if (!(Number.isSafeInteger(r.epoch) && r.epoch >= 0 && Number.isSafeInteger(r.term) && r.term >= 0)) {
      bad.push(`${where}: epoch/term not whole numbers`);
    }
  }
  return bad;
}

/** One answer of /primary: asked at `sent`, answered at `received` (realtime ns). */
export interface PrimaryObservation {
  readonly round: number;
  readonly node: string;
  readonly sent: bigint;
  readonly received: bigint;
  /** HTTP status, or 0 when there was no answer (down, stopped, timed out). */
  readonly code: number;
}

/**
 * /primary 200 on at most one node per polling round, and every 200 inside an active interval
 * of that node (the design serves /primary only after the promote hook and stops before the
 * demote hook).
 */
export function primaryViolations(polls: readonly PrimaryObservation[], intervals: readonly ActiveInterval[]): string[] {
  const bad: string[] = [];
  const byRound = new Map<number, PrimaryObservation[]>();
  for (const p of polls) {
    if (p.code !== 200) continue;
    const list = byRound.get(p.round) ?? [];
    list.push(p);
    byRound.set(p.round, list);
    const inside = intervals.some((iv) => iv.node === p.node && iv.start <= p.received && (iv.end === undefined || iv.end >= p.sent));
    if (!inside) bad.push(`/primary 200 from ${p.node} (round ${p.round}) outside any active interval of ${p.node}`);
  }
  for (const [round, list] of byRound) {
    if (list.length > 1) bad.push(`round ${round}: /primary 200 from ${list.map((p) => p.node).join(' and ')}`);
  }
  return bad;
}

export function formatRecords(records: readonly HookRecord[]): string {
  const base = records[0]?.ns ?? 0n;
  return records
    .map(
      (r) =>
        `${fmtNs(base, r.ns).padStart(10)} ${r.node} ${r.event} ${r.phase}${r.status ? `(${r.status})` : ''} epoch=${r.epoch} term=${r.term} prev=${r.previousActive || '-'} target=${r.target} reason=${JSON.stringify(r.reason)}`,
    )
    .join('\n');
}

export function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}
