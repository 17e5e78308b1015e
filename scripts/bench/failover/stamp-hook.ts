// The recording hook every failover measurement reads: one executable that appends
// "<CLOCK_MONOTONIC ns> <event> <node> <epoch>" to "<its own path>.log" and exits.
//
// Why CLOCK_MONOTONIC and why compiled: the kill time is taken in this process with
// process.hrtime.bigint(), which on Linux is clock_gettime(CLOCK_MONOTONIC) (libuv), a clock
// shared by every process on the machine — so hook times and kill times need no conversion and
// NTP cannot move them. /proc/uptime has 10 ms resolution, `date +%s%N` is the wall clock, and a
// Perl hook spends milliseconds starting up before it can read the clock; a few-line C program
// reads it right after exec. Without a C compiler we fall back to Perl
// (Time::HiRes, the same clock) and say so in the result.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const C_SOURCE = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
static const char *env(const char *k) { const char *v = getenv(k); return v && *v ? v : "-"; }
int main(int argc, char **argv) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  (void)argc;
  char path[4096], line[512];
  snprintf(path, sizeof path, "%s.log", argv[0]);
  int n = snprintf(line, sizeof line, "%lld %s %s %s\\n", (long long)t.tv_sec * 1000000000LL + t.tv_nsec,
                   env("PALISADE_EVENT"), env("PALISADE_NODE_ID"), env("PALISADE_EPOCH"));
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) return 1;
  /* One write with O_APPEND: lines from different nodes never interleave. */
  int ok = write(fd, line, (size_t)n) == n;
  close(fd);
  return ok ? 0 : 1;
}
`;

const PERL_SOURCE = `#!/usr/bin/perl
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC);
my $t = clock_gettime(CLOCK_MONOTONIC);
my $e = sub { my $v = $ENV{$_[0]}; defined($v) && $v ne '' ? $v : '-' };
open(my $fh, '>>', "$0.log") or exit 1;
syswrite($fh, sprintf("%d %s %s %s\\n", $t * 1e9, $e->('PALISADE_EVENT'), $e->('PALISADE_NODE_ID'), $e->('PALISADE_EPOCH')));
close($fh);
`;

export const HookKind = { C: 'c', Perl: 'perl' } as const;
export type HookKind = (typeof HookKind)[keyof typeof HookKind];

export interface StampHook {
  /** Give this as --on-promote / --on-demote / --on-fence. */
  readonly path: string;
  readonly kind: HookKind;
  /** Every line written so far, oldest first. */
  read(): HookStamp[];
}

export interface HookStamp {
  /** CLOCK_MONOTONIC, nanoseconds (compare with process.hrtime.bigint()). */
  readonly ns: bigint;
  readonly event: string;
  readonly node: string;
  readonly epoch: number;
}

export function createStampHook(dir: string): StampHook {
  const path = join(dir, 'stamp-hook');
  let kind: HookKind = HookKind.C;
  try {
    writeFileSync(`${path}.c`, C_SOURCE);
    execFileSync('cc', ['-O2', '-o', path, `${path}.c`], { stdio: 'pipe', timeout: 30_000 });
  } catch {
    kind = HookKind.Perl;
    writeFileSync(path, PERL_SOURCE);
    chmodSync(path, 0o755);
  }
  const log = `${path}.log`;
  return {
    path,
    kind,
    read: () => (existsSync(log) ? parseStamps(readFileSync(log, 'utf8')) : []),
  };
}

export function parseStamps(text: string): HookStamp[] {
  const out: HookStamp[] = [];
  for (const line of text.split('\n')) {
    const [ns, event, node, epoch] = line.trim().split(' ');
    if (ns === undefined || !/^\d+$/.test(ns) || event === undefined || node === undefined) continue;
    out.push({ ns: BigInt(ns), event, node, epoch: Number(epoch) });
  }
  return out;
}

/** CLOCK_MONOTONIC now, in nanoseconds: the same clock the hook reads. */
export const nowNs = (): bigint => process.hrtime.bigint();

/** Milliseconds from a to b (both CLOCK_MONOTONIC ns). */
export const msBetween = (a: bigint, b: bigint): number => Number(b - a) / 1e6;
