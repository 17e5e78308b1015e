// The checks of the HA process tests have teeth: each is shown a recording that breaks it.
// And the recording hook itself records START/END, fails, hangs until its group is killed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  activeIntervals,
  environmentViolations,
  epochViolations,
  overlapViolations,
  parseRecords,
  primaryViolations,
  readRecords,
  setHookMode,
  writeRecordingHook,
  type PrimaryObservation,
} from './ha-record.js';
import { waitFor } from './process-cluster.js';

/** A record line at `ms` (ms after an arbitrary base). */
function line(
  ms: number,
  node: string,
  event: string,
  phase: string,
  epoch: number,
  o: { target?: string; prev?: string; status?: string; ppid?: number; reason?: string } = {},
): string {
  const ns = 1_700_000_000_000_000_000n + BigInt(ms) * 1_000_000n;
  const status = o.status ?? (phase === 'end' ? '0' : '');
  return [ns, node, event, phase, epoch, 2, o.prev ?? '', o.target ?? node, o.reason ?? 'test', 'c', status, 999, o.ppid ?? 100].join('\t');
}
const rec = (...lines: string[]) => parseRecords(lines.join('\n'));

describe('record checks', () => {
  const handover = rec(
    line(0, 'n1', 'promote', 'start', 5),
    line(10, 'n1', 'promote', 'end', 5),
    line(100, 'n1', 'demote', 'start', 5),
    line(110, 'n1', 'demote', 'end', 5),
    line(120, 'n2', 'promote', 'start', 9, { prev: 'n1' }),
    line(130, 'n2', 'promote', 'end', 9, { prev: 'n1' }),
  );

  test('a clean handover passes every check', () => {
    const iv = activeIntervals(handover);
    assert.equal(iv.length, 2);
    assert.deepEqual(overlapViolations(iv), []);
    assert.deepEqual(epochViolations(handover), []);
    assert.deepEqual(environmentViolations(handover, { cluster: 'c', nodes: ['n1', 'n2'], pidsOf: () => [100] }), []);
  });

  test('promote before the previous demote ended: overlap', () => {
    const r = rec(
      line(0, 'n1', 'promote', 'start', 5),
      line(100, 'n1', 'demote', 'start', 5),
      line(105, 'n2', 'promote', 'start', 9),
      line(110, 'n1', 'demote', 'end', 5),
    );
    assert.equal(overlapViolations(activeIntervals(r)).length, 1);
  });

  test('a node killed without a fence stays active forever: overlap', () => {
    const r = rec(line(0, 'n1', 'promote', 'start', 5), line(500, 'n2', 'promote', 'start', 9));
    assert.equal(overlapViolations(activeIntervals(r)).length, 1);
  });

  test('a successful fence ends the target interval, a failed one does not', () => {
    const fenced = rec(
      line(0, 'n1', 'promote', 'start', 5),
      line(400, 'n2', 'fence', 'start', 9, { target: 'n1' }),
      line(410, 'n2', 'fence', 'end', 9, { target: 'n1' }),
      line(420, 'n2', 'promote', 'start', 9),
    );
    assert.deepEqual(overlapViolations(activeIntervals(fenced)), []);
    const failed = rec(
      line(0, 'n1', 'promote', 'start', 5),
      line(400, 'n2', 'fence', 'start', 9, { target: 'n1' }),
      line(410, 'n2', 'fence', 'end', 9, { target: 'n1', status: '1' }),
      line(420, 'n2', 'promote', 'start', 9),
    );
    assert.equal(overlapViolations(activeIntervals(failed)).length, 1);
  });

  test('epochs must increase', () => {
    const r = rec(line(0, 'n1', 'promote', 'start', 9), line(10, 'n1', 'demote', 'end', 9), line(20, 'n2', 'promote', 'start', 9));
    assert.equal(epochViolations(r).length, 1);
  });

  test('environment: wrong cluster, empty reason, run by another agent, bad target', () => {
    const r = rec(
      line(0, 'n1', 'promote', 'start', 5, { reason: '' }),
      line(1, 'n1', 'promote', 'start', 6, { ppid: 7 }),
      line(2, 'n1', 'promote', 'start', 7, { target: 'n2' }),
      line(3, 'n2', 'fence', 'start', 8, { target: 'n2' }),
    );
    const bad = environmentViolations(r, { cluster: 'c', nodes: ['n1', 'n2'], pidsOf: () => [100] });
    assert.equal(bad.length, 4, bad.join('\n'));
    assert.equal(environmentViolations(r, { cluster: 'other', nodes: ['n1', 'n2'], pidsOf: () => [7, 100] }).length, 7);
  });

  test('/primary: two 200s in one round, or a 200 outside the interval', () => {
    const iv = activeIntervals(handover);
    const at = (ms: number) => 1_700_000_000_000_000_000n + BigInt(ms) * 1_000_000n;
    const obs = (round: number, node: string, ms: number, code = 200): PrimaryObservation => ({
      round,
      node,
      sent: at(ms),
      received: at(ms + 1),
      code,
    });
    assert.deepEqual(primaryViolations([obs(1, 'n1', 50), obs(1, 'n2', 50, 503), obs(2, 'n2', 200)], iv), []);
    assert.equal(primaryViolations([obs(1, 'n1', 50), obs(1, 'n2', 50)], iv).length, 2); // n2 outside too
    assert.equal(primaryViolations([obs(3, 'n1', 300)], iv).length, 1);
  });
});

describe('the recording hook', () => {
  function runHook(hook: string, env: Record<string, string>): { pid: number; done: Promise<number | null> } {
    const child = spawn(hook, [], { env: { ...process.env, ...env }, detached: true, stdio: 'ignore' });
    return { pid: child.pid!, done: new Promise((ok) => child.once('exit', (code) => ok(code))) };
  }
  const env = (event: string) => ({
    PALISADE_EVENT: event,
    PALISADE_NODE_ID: 'n1',
    PALISADE_EPOCH: '7',
    PALISADE_TERM: '3',
    PALISADE_PREVIOUS_ACTIVE: 'n2',
    PALISADE_TARGET: 'n1',
    PALISADE_REASON: 'elected leader',
    PALISADE_CLUSTER: 'c',
  });

  test('records start and end with the environment; fail exits 1; hang records killed on SIGTERM to its group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-hook-'));
    try {
      const h = writeRecordingHook(dir);
      assert.equal(await runHook(h.hook, env('promote')).done, 0);
      setHookMode(h, 'n1', 'demote', 'fail');
      assert.equal(await runHook(h.hook, env('demote')).done, 1);
      setHookMode(h, 'n1', 'promote', 'hang');
      const hung = runHook(h.hook, env('promote'));
      const sleeper = await waitFor('the hanging hook to start its sleeper', () => {
        try {
          return Number(readFileSync(join(h.controlDir, 'n1.promote.sleeper'), 'utf8').trim()) || undefined;
        } catch {
          return undefined;
        }
      });
      process.kill(-hung.pid, 'SIGTERM');
      assert.equal(await hung.done, 143);
      // Dead means gone or a zombie: an orphan's zombie may wait a while for init to reap it.
      await waitFor('the sleeper to die with its group', () => {
        try {
          const state = readFileSync(`/proc/${sleeper}/stat`, 'utf8').split(') ')[1]?.[0];
          return state === 'Z' ? true : undefined;
        } catch {
          return true;
        }
      });
      const r = readRecords(h.recordFile);
      assert.deepEqual(
        r.map((x) => `${x.event} ${x.phase} ${x.status}`),
        ['promote start ', 'promote end 0', 'demote start ', 'demote end 1', 'promote start ', 'promote end killed'],
      );
      assert.deepEqual([r[0].epoch, r[0].term, r[0].previousActive, r[0].reason, r[0].cluster], [7, 3, 'n2', 'elected leader', 'c']);
      assert.equal(r[0].ppid, process.pid);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
