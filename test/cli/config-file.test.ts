// The agent's YAML file: problems with line and column, unknown keys with a hint, and flags
// overriding the file key by key.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_OPTIONS } from '../../src/cli/agent-options.js';
import { mergeSettings, parseConfigYaml, readConfigFile } from '../../src/cli/config-file.js';
import { inFlagTerms, resolveAgentConfig } from '../../src/cli/commands/agent.js';

const GOOD = `# node 1 of three
id: n1
listen: 127.0.0.1:7101
http: 127.0.0.1:8101
data-dir: ./data/n1
peers:
  n1: 127.0.0.1:7101
  n2: 127.0.0.1:7102
heartbeat-ms: 50
election-timeout-ms: 300
log-level: info
`;

describe('parseConfigYaml', () => {
  test('kebab-case keys identical to the flags; peers as a map', () => {
    const { settings, problems } = parseConfigYaml(GOOD, 'n1.yaml');
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      id: 'n1',
      listen: '127.0.0.1:7101',
      http: '127.0.0.1:8101',
      dataDir: './data/n1',
      peers: { n1: '127.0.0.1:7101', n2: '127.0.0.1:7102' },
      heartbeatMs: 50,
      electionTimeoutMs: 300,
      logLevel: 'info',
    });
  });

  test('peers also as the flag string', () => {
    const { settings } = parseConfigYaml('peers: n1=127.0.0.1:7101,n2=127.0.0.1:7102\n', 'f.yaml');
    assert.equal(settings.peers, 'n1=127.0.0.1:7101,n2=127.0.0.1:7102');
  });

  test('an empty file sets nothing', () => {
    assert.deepEqual(parseConfigYaml('', 'f.yaml'), { settings: {}, problems: [] });
  });

  test('a syntax error is reported with file, line and column', () => {
    const { problems } = parseConfigYaml('id: n1\nlisten: [127.0.0.1:7101\n', 'bad.yaml');
    assert.equal(problems.length >= 1, true);
    assert.match(problems[0], /^bad\.yaml:\d+:\d+: .*fix the YAML syntax$/);
  });

  test('every unknown key and every bad value is listed, each with where and how to fix it', () => {
    const text = 'id: n1\ndataDir: ./d\nheartbeat-ms: fast\nbogus-key: 1\npeers: [1, 2]\n';
    const { settings, problems } = parseConfigYaml(text, 'x.yaml');
    assert.deepEqual(problems, [
      'x.yaml:2:1: unknown key "dataDir" — did you mean "data-dir"?',
      'x.yaml:3:15: heartbeat-ms: expected a whole number (MS), got "fast" — e.g. 50',
      // Every key of the option table, in its order (the table grows; the message follows it).
      `x.yaml:4:1: unknown key "bogus-key" — valid keys: ${AGENT_OPTIONS.map((o) => o.key).join(', ')}`,
      'x.yaml:5:8: peers: expected a map of ID: HOST:PORT or "ID=HOST:PORT,...", got a list',
    ]);
    assert.deepEqual(settings, { id: 'n1' });
  });

  test('a file that is not a map of settings', () => {
    const { problems } = parseConfigYaml('- id\n- n1\n', 'l.yaml');
    assert.match(problems[0], /^l\.yaml:1:1: expected a map of settings/);
  });

  test('a missing file is a problem, not an exception', () => {
    const { problems } = readConfigFile('/nonexistent/palisade.yaml');
    assert.deepEqual(problems, ['/nonexistent/palisade.yaml: cannot read the config file (no such file) — check the --config path']);
  });
});

describe('flags override the file', () => {
  test('mergeSettings: a given flag wins, key by key; absent flags keep the file value', () => {
    const merged = mergeSettings({ id: 'n1', listen: 'a:1', heartbeatMs: 50 }, { listen: 'b:2', heartbeatMs: undefined });
    assert.deepEqual(merged, { id: 'n1', listen: 'b:2', heartbeatMs: 50 });
  });

  test('resolveAgentConfig: file + flags → node config input, flags winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-cfg-'));
    const file = join(dir, 'n1.yaml');
    writeFileSync(file, GOOD);
    const { input, problems } = resolveAgentConfig({ config: file, listen: '127.0.0.1:7201', heartbeatMs: '20' });
    assert.deepEqual(problems, []);
    assert.equal(input?.listen, '127.0.0.1:7201');
    assert.equal(input?.heartbeatMs, '20');
    assert.equal(input?.id, 'n1');
    assert.equal(input?.dataDir, './data/n1');
  });

  test("resolveAgentConfig: file problems and the validator's problems together, in flag terms", () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-cfg-'));
    const file = join(dir, 'n1.yaml');
    writeFileSync(file, 'id: n1\nlisten: 127.0.0.1:7101\nunknown: 1\n');
    const { input, problems } = resolveAgentConfig({ config: file, electionTimeoutMs: '20', heartbeatMs: '50' });
    assert.equal(input, undefined);
    assert.match(problems[0], /n1\.yaml:3:1: unknown key "unknown"/);
    assert.ok(
      problems.some((p) => p.startsWith('data-dir: missing')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.startsWith('election-timeout-ms: ')),
      problems.join('\n'),
    );
    assert.ok(!problems.some((p) => /dataDir|electionTimeoutMs|heartbeatMs/.test(p)), problems.join('\n'));
  });

  test('inFlagTerms renames node-config fields to flag names', () => {
    assert.equal(
      inFlagTerms('dataDir: missing — set it (e.g. dataDir: ./data/n1)'),
      'data-dir: missing — set it (e.g. data-dir: ./data/n1)',
    );
    assert.equal(inFlagTerms('tls.certFile: missing'), 'tls-cert: missing');
  });
});
