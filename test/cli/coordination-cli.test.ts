// The coordination commands' public surface without a cluster: bad input exits 2 with one clear
// line and nothing contacted (the endpoint is a closed port: a usage check that came too late
// would exit 3 instead), golden tables for `lock list` and `session list`, and the help texts.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { sendUnaryData } from '@grpc/grpc-js';
import { queueTable } from '../../src/cli/commands/lock.js';
import { parseFencingGuard } from '../../src/cli/commands/kv.js';
import { sessionsJson, sessionTable } from '../../src/cli/commands/session.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { runCli } from './run-cli.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('bad input exits 2 before any call', () => {
  const cases: [string[], RegExp][] = [
    [['lock', 'jobs/a'], /missing required argument 'CMD'/],
    [['lock'], /missing required argument 'NAME'/],
    [['lock', 'jobs/a', 'sh', '-c', 'x'], /unknown option '-c'/],
    [['lock', 'jobs/a', 'true'], /^palisade: put the command after --, and nothing else there: palisade lock NAME/],
    [['elect', 'leader', '--', 'sh', '-c', 'x'], /^palisade: put the command after --.*palisade elect NAME VALUE/],
    [['elect', 'leader', 'me', 'sh', '--', 'x'], /put the command after --/],
    [['lock', 'jobs/a', '--ttl', '500', '--', 'true'], /^palisade: --ttl: "500" is not a whole number of milliseconds from 1000 to 300000/],
    [['lock', 'jobs/a', '--ttl', '10s', '--', 'true'], /--ttl: "10s" is not a whole number/],
    [['lock', 'jobs/a', '--ttl', '300001', '--', 'true'], /--ttl: "300001"/],
    [['lock', 'jobs/a', '--semaphore', '0', '--', 'true'], /^palisade: --semaphore: "0" is not a whole number of slots of at least 1/],
    [['lock', 'jobs/a', '--semaphore', 'two', '--', 'true'], /--semaphore: "two"/],
    [['lock', 'jobs/a', '--wait-timeout', '-5', '--', 'true'], /--wait-timeout: "-5" is not a whole number/],
    [['lock', 'jobs/a', '--wait-timeout', '0', '--', 'true'], /--wait-timeout: "0"/],
    [['elect', 'leader', '--', 'true'], /missing required argument 'CMD'/],
    [['elect', 'leader', 'me', '--ttl', 'x', '--', 'true'], /--ttl: "x"/],
    [['kv', 'put', 'k', 'v', '--if-token', 'jobs/a'], /^palisade: --if-token: "jobs\/a" is not NAME=TOKEN with a positive whole TOKEN/],
    [['kv', 'put', 'k', 'v', '--if-token', '=5'], /--if-token: "=5"/],
    [['kv', 'put', 'k', 'v', '--if-token', 'a=0'], /--if-token: "a=0"/],
    [['kv', 'put', 'k', 'v', '--if-token', 'a=1.5'], /--if-token: "a=1.5"/],
    [['kv', 'delete', 'k', '--if-token', 'a=x'], /--if-token: "a=x"/],
    [['kv', 'put', 'k', 'v', '--session', 'abc'], /^palisade: --session: "abc" is not a session id/],
    [['lock', 'list', 'a', 'b'], /too many arguments/],
    [['lock', 'list', '--', 'backup.sh'], /^palisade: "lock list" lists locks and runs no command/],
    [['session', 'list', 'extra'], /too many arguments/],
  ];
  for (const [argv, message] of cases) {
    test(argv.join(' '), async () => {
      const r = await runCli(argv, { env: { PALISADE_ENDPOINTS: `127.0.0.1:${await closedPort()}` } });
      assert.equal(r.code, ExitCode.Usage, `${r.code}: ${r.err}`);
      assert.match(r.err, message);
      assert.equal(r.out, '');
    });
  }
});

test('--if-token splits at the last "=" (a name may hold one)', () => {
  assert.deepEqual(parseFencingGuard('jobs/a=b=17'), { name: 'jobs/a=b', token: 17 });
  assert.deepEqual(parseFencingGuard('x=9007199254740991'), { name: 'x', token: 9007199254740991 });
  assert.throws(() => parseFencingGuard('x=9007199254740992'), /--if-token/);
});

test('unreachable cluster: lock exits 3 and CMD never runs', async () => {
  const r = await runCli(['lock', 'jobs/a', '--endpoints', `127.0.0.1:${await closedPort()}`, '--', 'sh', '-c', 'echo ran; exit 0']);
  assert.equal(r.code, ExitCode.Unreachable, r.err);
  assert.match(r.err, /^palisade: cannot reach any endpoint/);
});

describe('lists against a scripted node: --json reaches the subcommand', () => {
  const stops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const s of stops) await s();
  });

  test('lock list PREFIX --json and session list --json', async () => {
    const { startFake } = await import('../client/fake-server.js');
    const holder = { sessionId: '12', owner: 'db1:411', token: '57', value: '' };
    const s = await startFake({
      QueueList: (_c: unknown, cb: sendUnaryData<unknown>) =>
        cb(null, { queues: [{ name: 'jobs/a', kind: 'lock', limit: 1, holders: [holder], waiters: [], delayed: false }] }),
      SessionList: (_c: unknown, cb: sendUnaryData<unknown>) =>
        cb(null, {
          sessions: [
            {
              sessionId: '12',
              owner: 'db1:411',
              ttlMs: 10000,
              lockDelayMs: 0,
              holds: ['jobs/a'],
              waits: [],
              ephemeralKeys: 0,
              remainingMs: '-1',
            },
          ],
        }),
    });
    stops.push(s.stop);
    const l = await runCli(['lock', 'list', 'jobs/', '--json', '--endpoints', s.address]);
    assert.equal(l.code, ExitCode.Ok, l.err);
    assert.deepEqual(JSON.parse(l.out), {
      queues: [
        {
          name: 'jobs/a',
          kind: 'lock',
          limit: 1,
          holders: [{ sessionId: '12', owner: 'db1:411', token: 57, value: '' }],
          waiters: [],
          delayed: false,
        },
      ],
    });
    assert.deepEqual(
      s.calls.filter((c) => c.method === 'QueueList').map((c) => (c.request as { prefix: string }).prefix),
      ['jobs/'],
    );
    const table = await runCli(['lock', 'list', '--endpoints', s.address]);
    assert.match(table.out, /^\+-+\+/);
    assert.match(table.out, /\| jobs\/a \| lock \| holder \| +12 \| db1:411 \| +57 \|/);
    const sl = await runCli(['session', 'list', '--json', '--endpoints', s.address]);
    assert.equal(sl.code, ExitCode.Ok, sl.err);
    const got = JSON.parse(sl.out) as { sessions: { sessionId: string; remainingMs: number | null; holds: string[] }[] };
    assert.deepEqual(
      got.sessions.map((x) => [x.sessionId, x.remainingMs, x.holds]),
      [['12', null, ['jobs/a']]],
    );
  });
});

describe('help texts name the flags, the environment and the exit codes', () => {
  test('lock --help', async () => {
    const r = await runCli(['lock', '--help']);
    assert.equal(r.code, ExitCode.Ok);
    assert.match(r.out, /^Usage: palisade lock \[options\] \[command\] <NAME> <CMD\.\.\.>/);
    for (const s of [
      '--ttl <MS>',
      '--semaphore <N>',
      '--wait-timeout <MS>',
      'PALISADE_FENCING_TOKEN',
      'PALISADE_LOCK_NAME',
      'exits 10',
      'list [options] [PREFIX]',
    ])
      assert.ok(r.out.includes(s), `missing ${s}:\n${r.out}`);
  });

  test('elect --help, kv put --help', async () => {
    const e = await runCli(['elect', '--help']);
    assert.match(e.out, /^Usage: palisade elect \[options\] <NAME> <VALUE> <CMD\.\.\.>/);
    const k = await runCli(['kv', 'put', '--help']);
    assert.ok(k.out.includes('--if-token <NAME=TOKEN>') && k.out.includes('(else exit 11)') && k.out.includes('--session <ID>'), k.out);
  });

  test('palisade --help lists the new commands', async () => {
    const r = await runCli(['--help']);
    for (const c of ['lock [options] <NAME> <CMD...>', 'elect [options] <NAME> <VALUE> <CMD...>', 'session'])
      assert.ok(r.out.includes(c), `missing ${c}`);
  });
});

describe('golden tables', () => {
  test('lock list: one row per holder and waiter, tokens right-aligned; a delayed empty queue keeps a row', () => {
    const got = queueTable([
      {
        name: 'jobs/backup',
        kind: 'lock',
        limit: 1,
        holders: [{ sessionId: '12', owner: 'db1:411', token: 57, value: '' }],
        waiters: [
          { sessionId: '30', owner: 'db2:90', value: '' },
          { sessionId: '31', owner: 'db3:7', value: '' },
        ],
        delayed: false,
      },
      {
        name: 'leader',
        kind: 'election',
        limit: 1,
        holders: [{ sessionId: '5', owner: 'w1:1', token: 1200, value: 'http://w1:80' }],
        waiters: [],
        delayed: false,
      },
      { name: 'pool', kind: 'semaphore', limit: 3, holders: [], waiters: [], delayed: true },
    ]);
    assert.equal(
      got,
      [
        '+-------------+-----------------------+----------+---------+---------+-------+--------------+',
        '| NAME        | KIND                  | ROLE     | SESSION | OWNER   | TOKEN | VALUE        |',
        '+-------------+-----------------------+----------+---------+---------+-------+--------------+',
        '| jobs/backup | lock                  | holder   |      12 | db1:411 |    57 |              |',
        '| jobs/backup | lock                  | waiter 1 |      30 | db2:90  |       |              |',
        '| jobs/backup | lock                  | waiter 2 |      31 | db3:7   |       |              |',
        '| leader      | election              | holder   |       5 | w1:1    |  1200 | http://w1:80 |',
        '| pool        | semaphore/3 (delayed) |          |         |         |       |              |',
        '+-------------+-----------------------+----------+---------+---------+-------+--------------+',
        '',
      ].join('\n'),
    );
  });

  const sessions = [
    {
      sessionId: '12',
      owner: 'db1:411',
      ttlMs: 10_000,
      lockDelayMs: 0,
      holds: ['jobs/backup'],
      waits: [],
      ephemeralKeys: 2,
      remainingMs: 8123,
    },
    {
      sessionId: '30',
      owner: 'db2:90',
      ttlMs: 5000,
      lockDelayMs: 1000,
      holds: [],
      waits: ['jobs/backup', 'x'],
      ephemeralKeys: 0,
      remainingMs: undefined,
    },
  ];

  test('session list', () => {
    assert.equal(
      sessionTable(sessions),
      [
        '+---------+---------+----------+-----------+-------------+----------------+------+',
        '| SESSION | OWNER   | TTL      | REMAINING | HOLDS       | WAITS          | KEYS |',
        '+---------+---------+----------+-----------+-------------+----------------+------+',
        '|      12 | db1:411 | 10000 ms |   8123 ms | jobs/backup |                |    2 |',
        '|      30 | db2:90  |  5000 ms |         - |             | jobs/backup, x |    0 |',
        '+---------+---------+----------+-----------+-------------+----------------+------+',
        '',
      ].join('\n'),
    );
  });

  test('session list --json keeps remainingMs as null when unknown', () => {
    const parsed = JSON.parse(sessionsJson(sessions)) as { sessions: { remainingMs: number | null; lockDelayMs: number }[] };
    assert.deepEqual(
      parsed.sessions.map((s) => s.remainingMs),
      [8123, null],
    );
    assert.equal(parsed.sessions[1].lockDelayMs, 1000);
  });
});
