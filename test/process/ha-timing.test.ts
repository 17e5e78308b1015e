// Fencing mode hook with a demote hook timeout longer than the lease. The active node starts
// demoting once its lease has less than the demote budget (hook timeout + kill grace) left, so
// with the default --hook-timeout-ms 5000 and --election-timeout-ms 300 (lease ≈ 274 ms) it can
// never promote. Such settings must either be refused at start-up with the inequality that
// failed (as in mode lease) or work; an agent that starts and silently never becomes active is
// the bug this records.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRecordingHook } from './ha-record.js';
import { CLI, REPO, freePorts, requireBuild, waitFor } from './process-cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-ha-timing-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test(
  'mode hook, hook timeout 5000 ms, election timeout 300 ms: refused with the inequality, or a single node becomes active',
  {},
  async () => {
    requireBuild();
    const hooks = writeRecordingHook(dir);
    const [grpc, http] = await freePorts(2);
    const child = spawn(
      process.execPath,
      [
        CLI,
        'agent',
        '--id',
        'n1',
        '--listen',
        `127.0.0.1:${grpc}`,
        '--http',
        `127.0.0.1:${http}`,
        '--data-dir',
        join(dir, 'n1'),
        '--peers',
        `n1=127.0.0.1:${grpc}`,
        '--election-timeout-ms',
        '300',
        '--on-promote',
        hooks.hook,
        '--on-demote',
        hooks.hook,
        '--on-fence',
        hooks.hook,
        '--fencing',
        'hook',
        '--hook-timeout-ms',
        '5000',
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
    let exit: number | null | undefined;
    child.once('exit', (code) => (exit = code));
    try {
      const outcome = await waitFor(
        'the agent to refuse the settings or to become active',
        async () => {
          if (exit !== undefined) return 'refused';
          try {
            const res = await fetch(`http://127.0.0.1:${http}/primary`, { signal: AbortSignal.timeout(300) });
            return res.status === 200 ? 'active' : undefined;
          } catch {
            return undefined;
          }
        },
        8000,
        100,
      );
      if (outcome === 'refused') {
        assert.notEqual(exit, 0);
        assert.match(output, /hook/i, 'the refusal names the hook timeout');
        assert.match(output, /lease/i, 'and the lease it does not fit in');
      }
    } finally {
      child.kill('SIGKILL');
    }
  },
);
