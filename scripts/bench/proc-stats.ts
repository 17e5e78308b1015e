// CPU and memory of a process from /proc (Linux only): utime+stime in clock ticks from
// /proc/PID/stat and VmRSS (all resident pages) and RssAnon (the private ones) from /proc/PID/status. Ticks are 1/100 s on Linux x86-64 (USER_HZ).
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** utime + stime of a process, in milliseconds of CPU. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after its closing ')' are fixed.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so utime (field 14) is rest[11] and stime (field 15) rest[12].
  const ticks = Number(rest[11]) + Number(rest[12]);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * Voluntary context switches — each time a thread went to sleep to wait for something — of a
 * process's main thread and of all its threads (libuv's pool, V8's helpers; Go's threads for
 * etcd). Per put, a count of the wake-ups a put costs: stable where CPU time is noisy.
 */
export function voluntarySwitches(pid: number): { readonly main: number; readonly all: number } {
  let main = 0;
  let all = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    const n = Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1] ?? 0);
    all += n;
    if (Number(tid) === pid) main = n;
  }
  return { main, all };
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (m === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Math.round((Number(m[1]) / 1024) * 10) / 10;
}

/**
 * The process's private resident memory (RssAnon: heap, stacks, anonymous maps), without the
 * pages of its executable and libraries (RssFile), which every process running the same binary
 * shares: Node's executable alone is most of the RSS of a process that does nothing.
 */
export function rssAnonMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^RssAnon:\s+(\d+) kB$/m.exec(status);
  if (m === null) throw new Error(`no RssAnon for pid ${pid}`);
  return Math.round((Number(m[1]) / 1024) * 10) / 10;
}

/** CPU used by each process between two readings, as % of one core. */
export class CpuWindow {
  readonly #start: Map<number, number>;
  readonly #startedAt = performance.now();
  constructor(readonly pids: readonly number[]) {
    this.#start = new Map(pids.map((p) => [p, cpuMs(p)]));
  }
  /** pid → % of a core since construction. */
  percent(): Map<number, number> {
    const elapsed = performance.now() - this.#startedAt;
    return new Map(this.pids.map((p) => [p, Math.round(((cpuMs(p) - this.#start.get(p)!) / elapsed) * 1000) / 10]));
  }
}
