// Node configuration: every problem is reported at once, each with how to fix it, and nothing
// is written when the config is invalid.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { tickPlan, validateNodeConfig } from '../../src/server/config.js';
import { startNode } from '../../src/server/node.js';
import { silent, tempDir } from './helpers.js';

const good = { id: 'n1', listen: '127.0.0.1:7101', dataDir: './data/n1', peers: 'n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103' };

describe('validateNodeConfig', () => {
  test('a minimal config gets the documented defaults', () => {
    const { config, problems } = validateNodeConfig(good);
    assert.deepEqual(problems, []);
    assert.equal(config?.cluster, 'palisade');
    assert.equal(config?.heartbeatMs, 50);
    assert.equal(config?.electionTimeoutMs, 300);
    assert.equal(config?.snapshotEntries, 10_000);
    assert.equal(config?.logLevel, 'info');
    assert.deepEqual(
      [...config.peers!.entries()],
      [
        ['n1', '127.0.0.1:7101'],
        ['n2', '127.0.0.1:7102'],
        ['n3', '127.0.0.1:7103'],
      ],
    );
  });

  test('peers are accepted as a string, a Map or a plain object, numbers as numeric strings', () => {
    for (const peers of [new Map([['n1', 'h:1']]), { n1: 'h:1' }, 'n1=h:1']) {
      assert.deepEqual(validateNodeConfig({ ...good, peers, heartbeatMs: '20', electionTimeoutMs: 200 }).problems, []);
    }
  });

  test('every problem is listed at once, each naming the field and how to fix it', () => {
    const { config, problems } = validateNodeConfig({
      id: 'N 1',
      listen: 'localhost',
      http: 'x:99999',
      peers: 'n2=127.0.0.1:7102,n2=127.0.0.1:7103,bad',
      join: '127.0.0.1:7101',
      cluster: 'Prod!',
      heartbeatMs: 0,
      electionTimeoutMs: 'soon' as unknown as number,
      snapshotEntries: -5,
      logLevel: 'loud',
      tls: { certFile: '/nonexistent/cert.pem' },
      colour: 'blue',
    } as never);
    assert.equal(config, undefined);
    const fields = problems.map((p) => p.split(':')[0]);
    for (const f of [
      'colour',
      'id',
      'listen',
      'http',
      'dataDir',
      'peers',
      'peers, join',
      'cluster',
      'heartbeatMs',
      'electionTimeoutMs',
      'snapshotEntries',
      'logLevel',
      'tls.certFile',
      'tls.keyFile',
      'tls.caFile',
    ]) {
      assert.ok(fields.includes(f), `a problem for ${f} in:\n${problems.join('\n')}`);
    }
    for (const p of problems) assert.match(p, / — /, `"${p}" says how to fix it`);
  });

  test('peers must include the node itself and give each node its own address', () => {
    const { problems } = validateNodeConfig({ ...good, id: 'n4', peers: 'n1=h:1,n2=h:1' });
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems.join('\n'), /does not include this node "n4"/);
    assert.match(problems.join('\n'), /share the address h:1/);
  });

  test('an election timeout below twice the heartbeat is refused', () => {
    const { problems } = validateNodeConfig({ ...good, heartbeatMs: 100, electionTimeoutMs: 150 });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^electionTimeoutMs: .*raise electionTimeoutMs to at least 200/);
  });

  test('tick plan: 10 ms ticks by default, finer for fast heartbeats', () => {
    assert.deepEqual(tickPlan({ heartbeatMs: 50, electionTimeoutMs: 300 }), { tickMs: 10, heartbeatTick: 5, electionTick: 30 });
    assert.deepEqual(tickPlan({ heartbeatMs: 4, electionTimeoutMs: 40 }), { tickMs: 2, heartbeatTick: 2, electionTick: 20 });
  });
});

describe('startNode refuses an invalid config before writing anything', () => {
  test('ConfigError lists the problems and the data dir is not created', async () => {
    const dir = tempDir();
    try {
      const dataDir = join(dir.path, 'n1');
      await assert.rejects(startNode({ id: 'n1', listen: 'nope', dataDir, peers: 'n1=127.0.0.1:1', logger: silent }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.code, 'CONFIG_INVALID');
        assert.equal(err.problems.length, 1);
        assert.match(err.problems[0], /^listen:/);
        return true;
      });
      assert.equal(existsSync(dataDir), false);
    } finally {
      dir.remove();
    }
  });

  test('an empty data dir with neither peers nor join is a config problem', async () => {
    const dir = tempDir();
    try {
      const dataDir = join(dir.path, 'n1');
      await assert.rejects(startNode({ id: 'n1', listen: '127.0.0.1:0', dataDir, logger: silent }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.problems[0], /^peers, join: .*holds no cluster state/);
        return true;
      });
      assert.equal(existsSync(join(dataDir, 'raft')), false);
    } finally {
      dir.remove();
    }
  });
});
