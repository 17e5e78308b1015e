// The agent's configuration contract, pinned as text: `palisade agent --help`, the problems and
// exit code 2 for bad flags and YAML files, the embedder's validateNodeConfig messages, and the
// resolved config (every default) for a few inputs. Refactoring the option code must leave every
// byte of test/cli/golden/agent-contract.txt as it is. After an intended change to the contract,
// PALISADE_UPDATE_GOLDEN=1 rewrites the file; review its diff like any other change.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveAgentConfig } from '../../src/cli/commands/agent.js';
import { validateNodeConfig, type NodeConfigInput } from '../../src/server/config.js';
import { runCli } from './run-cli.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GOLDEN_DIR = join(ROOT, 'test/cli/golden');
const GOLDEN = join(GOLDEN_DIR, 'agent-contract.txt');
const HOOK = join(ROOT, 'cluster-examples/hooks/promote');
const BASE = ['agent', '--id', 'n1', '--listen', '127.0.0.1:7101', '--data-dir', './d'];
const PEERS = 'n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103';

/** Machine-specific paths out of the text, so the golden file is the same everywhere. */
function portable(s: string): string {
  return s.split(ROOT).join('<repo>');
}

async function cli(argv: readonly string[]): Promise<string> {
  const r = await runCli(argv);
  return portable(`$ palisade ${argv.join(' ')}\nexit ${r.code}\n--- stdout\n${r.out}--- stderr\n${r.err}`);
}

function resolved(argv: Record<string, string | boolean>): string {
  const { config, problems } = resolveAgentConfig(argv);
  return portable(`flags ${JSON.stringify(argv)}\nproblems ${JSON.stringify(problems, null, 2)}\nconfig ${render(config)}\n`);
}

function validated(input: unknown): string {
  const { config, problems } = validateNodeConfig(input as NodeConfigInput);
  return portable(`input ${render(input)}\nproblems ${JSON.stringify(problems, null, 2)}\nconfig ${render(config)}\n`);
}

function render(v: unknown): string {
  const json = JSON.stringify(
    v,
    (_k, x: unknown): unknown => (x instanceof Map ? Object.fromEntries(x) : typeof x === 'function' ? '[function]' : x),
    2,
  );
  return json ?? 'undefined';
}

const yaml = (name: string): string => join(GOLDEN_DIR, name);

/** name → how to produce its text. Every CLI case is invalid: none may start a node. */
const CASES: Record<string, () => Promise<string> | string> = {
  'agent --help': () => cli(['agent', '--help']),
  'nothing given': () => cli(['agent']),
  'unknown flag': () => cli([...BASE, '--hook-timeout', '5']),
  'flag without its value': () => cli(['agent', '--id']),
  'numbers out of range': () =>
    cli([
      ...BASE,
      '--peers',
      PEERS,
      '--heartbeat-ms',
      '0',
      '--election-timeout-ms',
      'abc',
      '--snapshot-entries',
      '0',
      '--quota-bytes',
      '100',
      '--hook-timeout-ms',
      '0',
      '--priority',
      '1000001',
      '--max-clock-drift',
      '0.5',
    ]),
  'health numbers and enums': () =>
    cli([
      ...BASE,
      '--peers',
      PEERS,
      '--check',
      HOOK,
      '--check-interval-ms',
      '5',
      '--check-timeout-ms',
      '0',
      '--check-fall',
      '0',
      '--check-rise',
      '1001',
      '--failover-cooldown-ms',
      'x',
      '--on-no-healthy-candidate',
      'maybe',
      '--fencing',
      'maybe',
      '--log-level',
      'loud',
      '--cluster',
      'BAD',
    ]),
  'check settings without a check': () =>
    cli([...BASE, '--peers', PEERS, '--check-interval-ms', '500', '--check-fall', '2', '--check-timeout-ms', '']),
  'fencing hook without a fence hook, VIP interface alone': () =>
    cli([...BASE, '--peers', PEERS, '--fencing', 'hook', '--vip-interface', 'eth0']),
  'bad VIP': () => cli([...BASE, '--peers', PEERS, '--vip', '10.0.0.0/24', '--vip-interface', 'eth0']),
  'unsafe timing': () =>
    cli([...BASE, '--peers', PEERS, '--on-demote', HOOK, '--hook-timeout-ms', '60000', '--election-timeout-ms', '100']),
  'election timeout below two heartbeats': () => cli([...BASE, '--peers', PEERS, '--heartbeat-ms', '100', '--election-timeout-ms', '150']),
  'hooks that are not executables': () =>
    cli([
      ...BASE,
      '--peers',
      PEERS,
      '--on-promote',
      join(ROOT, 'README.md'),
      '--on-fence',
      join(ROOT, 'no-such-hook'),
      '--check',
      join(ROOT, 'src'),
    ]),
  'peers and join': () =>
    cli([
      'agent',
      '--id',
      'n2',
      '--listen',
      '127.0.0.1:7101',
      '--data-dir',
      './d',
      '--peers',
      'n1=127.0.0.1:7101,n1=127.0.0.1:7102,BAD=x,n3=127.0.0.1:7102',
      '--join',
      'nohost',
    ]),
  addresses: () =>
    cli([
      'agent',
      '--id',
      'N 1',
      '--listen',
      '10.0.0.1:7101',
      '--http',
      'x:99999',
      '--client-listen',
      ':7',
      '--metrics-listen',
      'h',
      '--data-dir',
      './d',
      '--peers',
      '',
    ]),
  'TLS: deprecated names, missing files, no client port': () =>
    cli([
      ...BASE,
      '--peers',
      PEERS,
      '--tls-cert',
      yaml('n1-full.yaml'),
      '--tls-cert-file',
      yaml('n1-bad.yaml'),
      '--tls-key-file',
      join(ROOT, 'missing.key'),
      '--client-ca',
      '',
    ]),
  'TLS: client port equal to the peer port': () =>
    cli([
      ...BASE,
      '--peers',
      PEERS,
      '--tls-cert',
      yaml('n1-full.yaml'),
      '--tls-key',
      yaml('n1-full.yaml'),
      '--tls-ca',
      yaml('n1-full.yaml'),
      '--client-listen',
      '127.0.0.1:7101',
    ]),
  'token file missing': () => cli([...BASE, '--peers', PEERS, '--token-auth-file', join(ROOT, 'no-such-tokens')]),
  'YAML: bad keys and values, and flags': () => cli(['agent', '--config', yaml('n1-bad.yaml'), '--heartbeat-ms', '50', '--no-active']),
  'YAML: syntax error': () => cli(['agent', '--config', yaml('n1-syntax.yaml'), '--id', 'n1']),
  'YAML: missing file': () => cli(['agent', '--config', join(ROOT, 'no-such.yaml')]),
  'resolved: defaults': () => resolved({ id: 'n1', listen: '127.0.0.1:7101', dataDir: './d', peers: PEERS }),
  'resolved: every flag': () =>
    resolved({
      id: 'n1',
      listen: '127.0.0.1:7101',
      clientListen: '127.0.0.1:7201',
      http: '127.0.0.1:8101',
      metricsListen: '127.0.0.1:9101',
      dataDir: './d',
      join: '127.0.0.1:7102',
      cluster: 'c-1',
      heartbeatMs: '20',
      electionTimeoutMs: '400',
      snapshotEntries: '7',
      quotaBytes: '4096',
      logLevel: 'debug',
      onPromote: HOOK,
      onDemote: HOOK,
      onFence: HOOK,
      hookTimeoutMs: '100',
      priority: '9',
      failback: true,
      active: false,
      maxClockDrift: '0.001',
      check: HOOK,
      checkIntervalMs: '200',
      checkTimeoutMs: '150',
      checkFall: '2',
      checkRise: '4',
      failoverCooldownMs: '1000',
      onNoHealthyCandidate: 'keep',
      vip: '10.0.0.50/24',
      vipInterface: 'eth0',
      insecure: true,
    }),
  'resolved: TLS through the deprecated names': () =>
    resolved({
      id: 'n1',
      listen: '127.0.0.1:7101',
      clientListen: '127.0.0.1:7201',
      dataDir: './d',
      peers: PEERS,
      tlsCertFile: yaml('n1-full.yaml'),
      tlsKeyFile: yaml('n1-bad.yaml'),
      tlsCa: yaml('n1-syntax.yaml'),
      tlsCaFile: yaml('n1-syntax.yaml'),
      clientCa: yaml('n1-full.yaml'),
    }),
  'resolved: YAML with a flag over it': () => resolved({ config: yaml('n1-full.yaml'), priority: '6', onFence: HOOK, fencing: 'lease' }),
  'embedder: unknown settings': () =>
    validated({ id: 'n1', listen: '127.0.0.1:7101', dataDir: './d', peers: PEERS, 'data-dir': './d', tlsCert: 'x' }),
  'embedder: not an object': () => validated(null),
  'embedder: wrong types': () =>
    validated({
      id: 7,
      listen: '127.0.0.1:7101',
      dataDir: './d',
      peers: new Map([['n1', '127.0.0.1:7101']]),
      heartbeatMs: 'x',
      hookTimeoutMs: 1.5,
      priority: -1,
      failback: 'yes',
      noActive: 1,
      insecure: 'no',
      maxClockDrift: 'x',
      check: 5,
      onPromote: 3,
      vip: 5,
      vipInterface: 'eth0',
      http: 80,
      join: 5,
      tls: { certFile: '', clientCaFile: 5 },
      tokenAuthFile: 4,
      metricsListen: 4,
      clientListen: 4,
    }),
  'embedder: numbers as text, a check function': () =>
    validated({
      id: 'n1',
      listen: '127.0.0.1:0',
      dataDir: './d',
      join: '127.0.0.1:7101',
      heartbeatMs: ' 25 ',
      checkIntervalMs: 100,
      check: async () => true,
    }),
  'embedder: tls not an object': () => validated({ id: 'n1', listen: '127.0.0.1:0', dataDir: './d', join: '127.0.0.1:7101', tls: 'x' }),
};

function readGolden(): Map<string, string> {
  const sections = new Map<string, string>();
  if (!existsSync(GOLDEN)) return sections;
  const parts = readFileSync(GOLDEN, 'utf8').split(/^=== (.+) ===\n/m);
  for (let i = 1; i < parts.length; i += 2) sections.set(parts[i], parts[i + 1]);
  return sections;
}

describe('the agent configuration contract (golden file)', async () => {
  const actual = new Map<string, string>();
  for (const [name, make] of Object.entries(CASES)) actual.set(name, await make());

  if (process.env['PALISADE_UPDATE_GOLDEN'] === '1') {
    writeFileSync(GOLDEN, [...actual].map(([name, text]) => `=== ${name} ===\n${text}`).join(''));
  }
  const golden = readGolden();
  test('the golden file has exactly these cases', () => {
    assert.deepEqual([...golden.keys()], [...actual.keys()]);
  });
  for (const [name, text] of actual) {
    test(name, () => assert.equal(text, golden.get(name)));
  }
});

describe('the shipped example configs', () => {
  for (const example of ['three-node', 'five-node']) {
    const dir = join(ROOT, 'cluster-examples', example);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      test(`${example}/${file} resolves to a valid config`, () => {
        const { config, problems } = resolveAgentConfig({ config: join(dir, file) });
        assert.deepEqual(problems, []);
        assert.equal(config?.id, file.replace(/\.yaml$/, ''));
      });
    }
  }
});
