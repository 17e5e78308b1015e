// A process killed at an arbitrary point never leaves half a Ready on disk: entries and the
// hard state of one Ready share one LevelDB batch (one log record), so after a restart the
// commit index (written with the Ready's last entry) matches the last entry exactly, and
// every Ready whose persistReady() had resolved is still there (§5.1: durable before replying).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LevelStorage } from '../../src/storage/level-storage.js';
import { makeTempRoot } from './temp-dir.js';

const temp = await makeTempRoot();
after(() => temp.cleanup());

const BATCH = 64; // as in child-writer.ts

/** Runs the writer until it has reported `reports` durable Readies plus a few ms, then SIGKILLs it. */
function runAndKill(dataDir: string, reports: number, extraMs: number): Promise<number> {
  const script = fileURLToPath(new URL('./child-writer.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let durable = 0;
    let killing = false;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const lines = out.split('\n').filter((l) => l !== '');
      durable = Number(lines[lines.length - 1] ?? 0);
      if (!killing && lines.length >= reports) {
        killing = true;
        // Kill at a moment the test does not choose: usually inside a later batch.
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited without being killed (${String(signal)})`));
      else resolve(durable);
    });
  });
}

describe('crash safety (real process, SIGKILL)', () => {
  test('after kill -9 mid-stream: no half batch, and every acknowledged Ready survives', async () => {
    const dataDir = join(temp.root, 'crash');
    let acknowledged = 0;
    for (const [reports, extraMs] of [
      [3, 0],
      [2, 1],
      [4, 3],
    ] as const) {
      acknowledged = Math.max(acknowledged, await runAndKill(dataDir, reports, extraMs));
      const s = await LevelStorage.open({ dataDir, clusterId: 'crash', nodeId: 'n1' });
      try {
        const last = s.lastIndex();
        const hs = s.initialState().hardState;
        assert.equal(last % BATCH, 0, `the log ends on a Ready boundary (last index ${last})`);
        assert.equal(hs.commit, last, 'hard state and entries come from the same batch');
        assert.ok(last >= acknowledged, `acknowledged index ${acknowledged} survived (last ${last})`);
        const tail = s.entries(last, last + 1)[0];
        assert.equal(tail.term, hs.term);
        assert.ok(tail.data.every((b) => b === (last & 0xff)));
        acknowledged = last;
      } finally {
        await s.close();
      }
    }
  });
});
