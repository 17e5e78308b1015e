// The active-role settings in the node config: hooks must be executable, fencing is explicit
// (a fence hook implies mode hook), and the validator refuses unsafe timing with the inequality.
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodeSnapshot, encodeSnapshot } from '../../src/statemachine/snapshot-codec.js';
import { StateMachine } from '../../src/statemachine/state-machine.js';
import { encodeHaCommand } from '../../src/statemachine/ha-state.js';
import { EntryType } from '../../src/raft/types.js';
import { validateNodeConfig } from '../../src/server/config.js';
import { tempDir } from '../server/helpers.js';

const good = { id: 'n1', listen: '127.0.0.1:7101', dataDir: './d', peers: 'n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103' };

describe('HA settings', () => {
  test('defaults: fencing lease chosen because the timing rule holds, and said so', () => {
    const { config, problems } = validateNodeConfig(good);
    assert.deepEqual(problems, []);
    assert.equal(config!.ha.fencing, 'lease');
    assert.equal(config!.ha.fencingSource, 'default');
    assert.equal(config!.ha.maxClockDrift, 0.01);
    assert.ok(config!.ha.timing.leaseMs > 0 && config!.ha.timing.leaseMs < 290);
  });

  test('a fence hook without --fencing means mode hook; hook paths must be executable files', () => {
    const dir = tempDir();
    try {
      const hook = join(dir.path, 'fence');
      writeFileSync(hook, '#!/bin/sh\nexit 0\n');
      chmodSync(hook, 0o755);
      const plain = join(dir.path, 'plain');
      writeFileSync(plain, 'x');
      const ok = validateNodeConfig({ ...good, onFence: hook });
      assert.equal(ok.config?.ha.fencing, 'hook');
      assert.equal(ok.config?.ha.fencingSource, 'on-fence');
      const bad = validateNodeConfig({ ...good, onPromote: plain, onDemote: join(dir.path, 'missing') });
      assert.equal(bad.config, undefined);
      assert.ok(
        bad.problems.some((p) => /^onPromote: .*not executable/.test(p)),
        bad.problems.join('\n'),
      );
      assert.ok(
        bad.problems.some((p) => /^onDemote: .*does not exist/.test(p)),
        bad.problems.join('\n'),
      );
      assert.ok(validateNodeConfig({ ...good, fencing: 'hook' }).problems.some((p) => /mode hook needs a fence hook/.test(p)));
    } finally {
      dir.remove();
    }
  });

  test('unsafe timing in mode lease is refused with the inequality that failed', () => {
    const dir = tempDir();
    try {
      const hook = join(dir.path, 'demote');
      writeFileSync(hook, '#!/bin/sh\nexit 0\n');
      chmodSync(hook, 0o755);
      const { problems } = validateNodeConfig({ ...good, onDemote: hook, hookTimeoutMs: 5000 });
      assert.equal(problems.length, 1);
      // The inequality with its numbers (wording owned by ha/timing.ts).
      assert.match(problems[0], /fencing mode lease needs heartbeat \(50\) \+ .*demote budget \(\d+\) .*= \d+ ms < lease L = [\d.]+ ms/);
      assert.match(problems[0], /default when no onFence is given/);
      assert.deepEqual(validateNodeConfig({ ...good, onDemote: hook, hookTimeoutMs: 100 }).problems, []);
    } finally {
      dir.remove();
    }
  });

  test('VIP, priority, drift and switches are checked', () => {
    const { problems } = validateNodeConfig({ ...good, vip: '10.0.0.50', priority: 'high', maxClockDrift: 0.7, noActive: 'maybe' });
    assert.equal(problems.length, 4, problems.join('\n'));
    const { config } = validateNodeConfig({
      ...good,
      vip: '10.0.0.50/24',
      vipInterface: 'eth0',
      priority: '5',
      failback: true,
      noActive: 'true',
    });
    assert.deepEqual(config?.ha.vip, { address: '10.0.0.50', prefixLength: 24, interface: 'eth0' });
    assert.equal(config?.ha.priority, 5);
    assert.equal(config?.ha.noActive, true);
  });
});

describe('the state machine keeps the HA record (snapshot format 2)', () => {
  test('HA commands apply at their index, survive a snapshot; bad HA data is rejected, not thrown', () => {
    const sm = StateMachine.create();
    const entries = [
      encodeHaCommand({ type: 'promote', holder: 'n1', term: 2 }),
      encodeHaCommand({ type: 'pause' }),
      encodeHaCommand({ type: 'promote', holder: 'n2', term: 3 }),
      encodeHaCommand({ type: 'demoted', holder: 'n1', epoch: 1 }),
    ];
    entries.forEach((data, i) => sm.apply({ index: i + 1, term: 3, type: EntryType.Normal, data }));
    assert.deepEqual(sm.ha, {
      active: { holder: 'n2', epoch: 3, term: 3 },
      holders: [{ holder: 'n2', epoch: 3, term: 3 }],
      paused: true,
      health: [],
      lastHealthFailover: null,
    });
    const back = StateMachine.restore(sm.snapshot());
    assert.deepEqual(back.ha, sm.ha);
    const img = decodeSnapshot(sm.snapshot());
    assert.deepEqual(img.ha, sm.ha);
    // A malformed HA entry is rejected the same way on every replica, never thrown.
    const bad = new Uint8Array([0xa7, 0x7b]);
    assert.equal(sm.apply({ index: 5, term: 3, type: EntryType.Normal, data: bad }).kind, 'rejected');
    assert.ok(encodeSnapshot(img).length > 0);
  });
});
