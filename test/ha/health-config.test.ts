// Health-check settings (issue 15): flag names, YAML keys and defaults are a public contract;
// every problem is reported at once with how to fix it.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveAgentConfig } from '../../src/cli/commands/agent.js';
import { validateNodeConfig } from '../../src/server/config.js';
import { allFixturesExecutable, fixture, tempDir } from './fixtures/helpers.js';

const BASE = { id: 'n1', listen: '127.0.0.1:7101', dataDir: '/tmp/pal-health-config', peers: 'n1=127.0.0.1:7101' };

describe('health-check settings', () => {
  before(() => allFixturesExecutable());

  test('defaults: no check; interval 1000, timeout = interval, fall 3, rise 2, cooldown 30000, keep', () => {
    const { config } = validateNodeConfig(BASE);
    assert.deepEqual(config?.ha.health, {
      checkIntervalMs: 1000,
      checkTimeoutMs: 1000,
      checkFall: 3,
      checkRise: 2,
      failoverCooldownMs: 30000,
      onNoHealthyCandidate: 'keep',
    });
    const tuned = validateNodeConfig({ ...BASE, check: fixture('check-flag.sh'), checkIntervalMs: 200 });
    assert.equal(tuned.config?.ha.health.checkTimeoutMs, 200, 'the timeout follows the interval');
  });

  test('every flag, from the command line and from YAML (keys = flag names)', () => {
    const check = fixture('check-flag.sh');
    const flags = {
      ...BASE,
      check,
      checkIntervalMs: '250',
      checkTimeoutMs: '100',
      checkFall: '4',
      checkRise: '1',
      failoverCooldownMs: '5000',
      onNoHealthyCandidate: 'demote',
    };
    const fromFlags = resolveAgentConfig(flags);
    assert.deepEqual(fromFlags.problems, []);
    const expected = {
      check: { kind: 'command', path: check },
      checkIntervalMs: 250,
      checkTimeoutMs: 100,
      checkFall: 4,
      checkRise: 1,
      failoverCooldownMs: 5000,
      onNoHealthyCandidate: 'demote',
    };
    assert.deepEqual(fromFlags.config?.ha.health, expected);
    const tmp = tempDir('pal-health-yaml-');
    try {
      const file = join(tmp.dir, 'n1.yaml');
      writeFileSync(
        file,
        [
          'id: n1',
          'listen: 127.0.0.1:7101',
          'data-dir: /tmp/pal-health-config',
          'peers: {n1: 127.0.0.1:7101}',
          `check: ${check}`,
          'check-interval-ms: 250',
          'check-timeout-ms: 100',
          'check-fall: 4',
          'check-rise: 1',
          'failover-cooldown-ms: 5000',
          'on-no-healthy-candidate: demote',
          '',
        ].join('\n'),
      );
      const fromYaml = resolveAgentConfig({ config: file });
      assert.deepEqual(fromYaml.problems, []);
      assert.deepEqual(fromYaml.config?.ha.health, expected);
    } finally {
      tmp.cleanup();
    }
  });

  test('bad values: each named in flag terms with how to fix it, all at once', () => {
    const { problems } = resolveAgentConfig({
      ...BASE,
      check: '/nonexistent/check',
      checkFall: '0',
      onNoHealthyCandidate: 'maybe',
      failoverCooldownMs: 'soon',
    });
    const text = problems.join('\n');
    assert.match(text, /check: hook \/nonexistent\/check does not exist/);
    assert.match(text, /check-fall: "0" is not a whole number from 1 to 1000/);
    assert.match(text, /on-no-healthy-candidate: "maybe" is not keep or demote/);
    assert.match(text, /failover-cooldown-ms: "soon" is not a whole number/);
  });

  test('tuning without a check is refused (it would do nothing)', () => {
    const { problems } = validateNodeConfig({ ...BASE, checkFall: 2, checkIntervalMs: 100 });
    assert.deepEqual(problems, [
      'checkIntervalMs, checkFall: set without check — give check (an executable run every checkIntervalMs), or remove them',
    ]);
  });

  test('an embedding program passes a function', () => {
    const fn = async () => true;
    const { config, problems } = validateNodeConfig({ ...BASE, check: fn });
    assert.deepEqual(problems, []);
    assert.deepEqual(config?.ha.health.check, { kind: 'function', fn });
  });
});
