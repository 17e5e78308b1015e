// The CLI's credentials (--cacert/--cert/--key/--token-file and PALISADE_*): combinations that
// cannot work and files that cannot be read are usage errors (exit 2) that say what to give,
// before anything is sent.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-cli-creds-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const missing = join(dir, 'missing.pem');
const empty = join(dir, 'empty');
writeFileSync(empty, '\n\n');
const ep = ['--endpoints', '127.0.0.1:1'];

const cases: { what: string; args: string[]; env?: Record<string, string>; says: RegExp }[] = [
  { what: '--cert without --cacert', args: ['status', ...ep, '--cert', missing, '--key', missing], says: /--cert\/--key need --cacert/ },
  {
    what: 'PALISADE_CERT without a CA',
    args: ['status', ...ep],
    env: { PALISADE_CERT: missing, PALISADE_KEY: missing },
    says: /need --cacert \(or \$PALISADE_CACERT\)/,
  },
  {
    what: '--cert without --key',
    args: ['kv', 'get', 'k', ...ep, '--cacert', missing, '--cert', missing],
    says: /--cert and --key go together/,
  },
  {
    what: 'an unreadable CA file',
    args: ['kv', 'get', 'k', ...ep, '--cacert', missing],
    says: /cannot read the CA certificate file ".*missing\.pem"/,
  },
  { what: 'status with an unreadable CA file', args: ['status', ...ep, '--cacert', missing], says: /cannot read the CA certificate file/ },
  { what: 'an unreadable token file', args: ['pause', ...ep, '--token-file', missing], says: /cannot read the token file/ },
  {
    what: 'an empty token file from the environment',
    args: ['pause', ...ep],
    env: { PALISADE_TOKEN_FILE: empty },
    says: /token file ".*empty" is empty/,
  },
];

for (const c of cases) {
  test(`${c.what}: exit 2 with the reason`, async () => {
    const r = await runCli(c.args, c.env ? { env: c.env } : {});
    assert.equal(r.code, ExitCode.Usage, r.err);
    assert.match(r.err, c.says);
  });
}

test('agent: a token file others can write is invalid configuration — exit 2, the reason, nothing written', async () => {
  const tokens = join(dir, 'agent-tokens');
  writeFileSync(tokens, 'ops admin sha256:' + '0'.repeat(64) + '\n');
  chmodSync(tokens, 0o666);
  const dataDir = join(dir, 'agent-data');
  const r = await runCli([
    'agent',
    '--id',
    'n1',
    '--listen',
    '127.0.0.1:0',
    '--data-dir',
    dataDir,
    '--peers',
    'n1=127.0.0.1:7101',
    '--token-auth-file',
    tokens,
  ]);
  assert.equal(r.code, ExitCode.Usage, r.err);
  assert.match(r.err, /token-auth-file: token file .*writable by group or others .*chmod 600/);
  assert.equal(existsSync(dataDir), false);
});
