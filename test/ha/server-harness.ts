// Shared by the test/ha/server-*.test.ts files: an in-process cluster of real nodes whose hooks
// are recording scripts. Every hook run appends "<monotonic ns> <node> <event> <epoch>" to one
// file (process.hrtime is CLOCK_MONOTONIC, comparable across processes) and its PALISADE_*
// environment as a JSON line to another, so tests check ordering and the hook contract.
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartNodeOptions } from '../../src/server/node.js';
import { startCluster, type TestCluster } from '../server/helpers.js';

export interface HookLine {
  readonly ns: bigint;
  readonly node: string;
  /** promote, demote, fence, or promote-failed (the scripted failure). */
  readonly event: string;
  readonly epoch: number;
}

export interface HookCluster extends TestCluster {
  readonly logFile: string;
  lines(): HookLine[];
  envs(): Record<string, string>[];
}

export interface HookOptions {
  /** The first promote hook run in the whole cluster fails (exit 1). */
  readonly failFirstPromote?: boolean;
  readonly extra?: Partial<StartNodeOptions>;
}

export function writeRecordingHook(dir: string, opts: HookOptions = {}): { hook: string; log: string; env: string } {
  const log = join(dir, 'hooks.log');
  const env = join(dir, 'hooks.env.jsonl');
  const mark = join(dir, 'first-promote-failed');
  const hook = join(dir, 'record-hook');
  writeFileSync(
    hook,
    `#!${process.execPath}
const fs = require('fs');
const e = process.env;
const vars = Object.fromEntries(Object.entries(e).filter(([k]) => k.startsWith('PALISADE_')));
fs.appendFileSync(${JSON.stringify(env)}, JSON.stringify(vars) + '\\n');
let event = e.PALISADE_EVENT;
let code = 0;
if (${opts.failFirstPromote === true} && event === 'promote') {
  try { fs.writeFileSync(${JSON.stringify(mark)}, '', { flag: 'wx' }); event = 'promote-failed'; code = 1; } catch {}
}
fs.appendFileSync(${JSON.stringify(log)}, process.hrtime.bigint() + ' ' + e.PALISADE_NODE_ID + ' ' + event + ' ' + e.PALISADE_EPOCH + '\\n');
process.exit(code);
`,
  );
  chmodSync(hook, 0o755);
  return { hook, log, env };
}

/** A 3-node cluster, fencing mode hook, every hook the recording script. */
export async function startHookCluster(opts: HookOptions = {}): Promise<HookCluster> {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const hookDir = mkdtempSync(join(tmpdir(), 'palisade-hooks-'));
  const { hook, log, env } = writeRecordingHook(hookDir, opts);
  // Roomier timings than the Raft tests: three nodes and their hook processes share one event
  // loop here, and a stall longer than the lease (L ≈ E − margin) makes the active node demote.
  const c = await startCluster(3, {
    onPromote: hook,
    onDemote: hook,
    onFence: hook,
    fencing: 'hook',
    hookTimeoutMs: 5000,
    heartbeatMs: 50,
    electionTimeoutMs: 500,
    ...opts.extra,
  });
  return {
    ...c,
    close: async () => {
      await c.close();
      rmSync(hookDir, { recursive: true, force: true });
    },
    logFile: log,
    lines: () => readLines(log),
    envs: () =>
      existsSync(env)
        ? readFileSync(env, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Record<string, string>)
        : [],
  };
}

export function readLines(file: string): HookLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [ns, node, event, epoch] = l.split(' ');
      return { ns: BigInt(ns), node: node, event: event, epoch: Number(epoch) };
    })
    .sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
}

/**
 * Single active, from the recording: each promotion's interval runs from its promote line to
 * the same node's next demote line (open when none); a later promotion (higher epoch) must
 * start after every earlier interval closed, or after a fence of that node.
 */
export function checkSingleActive(lines: readonly HookLine[]): void {
  const promos = lines.filter((l) => l.event === 'promote');
  for (let i = 0; i < promos.length; i++) {
    const p = promos[i];
    for (let j = 0; j < i; j++) {
      const q = promos[j];
      if (q.epoch >= p.epoch) throw new Error(`epochs do not increase: ${q.node}@${q.epoch} then ${p.node}@${p.epoch}`);
      if (q.node === p.node) continue;
      const ended = lines.some((l) => l.ns > q.ns && l.ns < p.ns && ((l.event === 'demote' && l.node === q.node) || l.event === 'fence'));
      if (!ended)
        throw new Error(`${p.node} promoted epoch ${p.epoch} while ${q.node} (epoch ${q.epoch}) had neither demoted nor been fenced`);
    }
  }
}
