// The VIP resource: argv and outcomes against a scripted command runner (no root needed),
// then the real thing between two network namespaces joined by a veth pair (root; CI is root).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { execFileRunner, type CommandOptions, type CommandResult, type CommandRunner } from '../../src/ha/command-runner.js';
import { createVip, DEFAULT_PROBE_WINDOW_MS, parseVip, type VipConfig } from '../../src/ha/vip.js';
import { recordingLogger } from './fixtures/helpers.js';

const ok = (stdout = ''): CommandResult => ({ exitCode: 0, signal: null, stdout, stderr: '', timedOut: false, aborted: false });
const fail = (exitCode: number, stderr = ''): CommandResult => ({
  exitCode,
  signal: null,
  stdout: '',
  stderr,
  timedOut: false,
  aborted: false,
});

/** Answers by the first argv element(s); records every call. */
function scriptedRunner(answer: (argv: readonly string[]) => CommandResult): CommandRunner & { calls: string[][]; opts: CommandOptions[] } {
  const calls: string[][] = [];
  const opts: CommandOptions[] = [];
  return {
    calls,
    opts,
    run(argv, o) {
      calls.push([...argv]);
      opts.push(o);
      return Promise.resolve(answer(argv));
    },
  };
}

const cfg: VipConfig = { address: '10.0.0.50', prefixLength: 24, interface: 'eth0' };
const SHOW_ABSENT = '2: eth0    inet 10.0.0.7/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever preferred_lft forever\n';
const SHOW_PRESENT = `${SHOW_ABSENT}2: eth0    inet 10.0.0.50/24 scope global secondary eth0\\       valid_lft forever preferred_lft forever\n`;

describe('parseVip', () => {
  test('accepts ADDRESS/PREFIX with an interface', () => {
    assert.deepEqual(parseVip('10.0.0.50/24', 'eth0'), { ok: true, vip: cfg });
    assert.deepEqual(parseVip(' 192.168.1.9/32 ', 'br-lan.10'), {
      ok: true,
      vip: { address: '192.168.1.9', prefixLength: 32, interface: 'br-lan.10' },
    });
  });

  const bad: Array<[string, string, RegExp]> = [
    ['10.0.0.50', 'eth0', /ADDRESS\/PREFIX/],
    ['fd00::50/64', 'eth0', /only IPv4/],
    ['10.0.0.256/24', 'eth0', /not a dotted IPv4/],
    ['10.0.0/24', 'eth0', /not a dotted IPv4/],
    ['10.0.0.50/33', 'eth0', /prefix must be/],
    ['10.0.0.50/', 'eth0', /prefix must be/],
    ['10.0.0.0/24', 'eth0', /network address/],
    ['10.0.0.255/24', 'eth0', /broadcast address/],
    ['127.0.0.5/8', 'eth0', /not a unicast address/],
    ['224.0.0.5/24', 'eth0', /not a unicast address/],
    ['10.0.0.50/24', '', /needs --vip-interface/],
    ['10.0.0.50/24', 'eth0; rm -rf /', /not a valid interface name/],
    ['10.0.0.50/24', 'a-very-long-interface-name', /not a valid interface name/],
  ];
  for (const [spec, iface, why] of bad) {
    test(`refuses ${JSON.stringify(spec)} on ${JSON.stringify(iface)}`, () => {
      const r = parseVip(spec, iface);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.problem, why);
    });
  }
});

describe('VIP commands (scripted runner)', () => {
  test('add = presence check, duplicate-address probe, ip addr add; all argv, all with timeouts', async () => {
    const runner = scriptedRunner((argv) => (argv[0] === 'ip' && argv[1] === '-o' ? ok(SHOW_ABSENT) : ok()));
    const vip = createVip(cfg, { runner });
    assert.deepEqual(await vip.add(), { ok: true, detail: '' });
    assert.deepEqual(runner.calls, [
      ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'],
      ['arping', '-D', '-c', '1', '-w', '2', '-I', 'eth0', '10.0.0.50'],
      ['ip', 'addr', 'add', '10.0.0.50/24', 'dev', 'eth0'],
    ]);
    for (const o of runner.opts) assert.ok(o.timeoutMs > 0 && o.timeoutMs <= 5000);
    assert.equal(runner.opts[1].timeoutMs, DEFAULT_PROBE_WINDOW_MS, "the probe listens for the window, not arping's whole seconds");
  });

  test('the probe window: arping still listening at its end (killed by our deadline) means nobody answered', async () => {
    const runner = scriptedRunner((argv) =>
      argv[0] === 'arping' ? { ...fail(0), exitCode: null, signal: 'SIGKILL', timedOut: true } : ok(SHOW_ABSENT),
    );
    const vip = createVip(cfg, { runner, probeWindowMs: 120 });
    assert.deepEqual(await vip.add(), { ok: true, detail: '' });
    assert.equal(runner.opts[1].timeoutMs, 120);
    assert.deepEqual(
      runner.calls[1],
      ['arping', '-D', '-c', '1', '-w', '2', '-I', 'eth0', '10.0.0.50'],
      "arping's own deadline lies past the window",
    );
    assert.ok(runner.calls.some((c) => c[2] === 'add'));
    assert.throws(() => createVip(cfg, { probeWindowMs: 0 }), /probeWindowMs must be positive/);
  });

  test('every previous holder known down: no probe and no presence check, straight to ip addr add', async () => {
    const log = recordingLogger();
    const runner = scriptedRunner((argv) => (argv[0] === 'arping' ? fail(1) : argv[1] === '-o' ? ok(SHOW_ABSENT) : ok()));
    const r = await createVip(cfg, { runner, logger: log }).add(undefined, { skipProbe: true });
    assert.deepEqual(r, { ok: true, detail: '' });
    // One command: each one forks the agent, stalling its event loop while it promotes.
    assert.deepEqual(runner.calls, [['ip', 'addr', 'add', '10.0.0.50/24', 'dev', 'eth0']]);
    assert.ok(log.lines.some((l) => /without the duplicate-address probe/.test(l.msg)));
  });

  test('known down and already present: ip addr add says so, add counts as done; other failures do not', async () => {
    const present = scriptedRunner(() => fail(2, 'Error: ipv4: Address already assigned.'));
    assert.deepEqual(await createVip(cfg, { runner: present }).add(undefined, { skipProbe: true }), {
      ok: true,
      detail: 'already present',
    });
    assert.equal(present.calls.length, 1);
    const noDevice = scriptedRunner(() => fail(1, 'Cannot find device "eth0"'));
    const r = await createVip(cfg, { runner: noDevice }).add(undefined, { skipProbe: true });
    assert.equal(r.ok, false);
    assert.match(r.detail, /adding 10\.0\.0\.50\/24 failed: .*Cannot find device/);
  });

  test('a probe aborted by a demotion refuses (does not count as "nobody answered")', async () => {
    const runner = scriptedRunner((argv) =>
      argv[0] === 'arping' ? { ...fail(0), exitCode: null, signal: 'SIGTERM', aborted: true } : ok(SHOW_ABSENT),
    );
    const r = await createVip(cfg, { runner }).add();
    assert.equal(r.ok, false);
    assert.match(r.detail, /aborted/);
    assert.ok(!runner.calls.some((c) => c[2] === 'add'));
  });

  test('refuses to add when the address answers elsewhere (arping -D exit 1)', async () => {
    const log = recordingLogger();
    const runner = scriptedRunner((argv) => (argv[0] === 'arping' ? fail(1) : ok(SHOW_ABSENT)));
    const r = await createVip(cfg, { runner, logger: log }).add();
    assert.equal(r.ok, false);
    assert.match(r.detail, /already answers ARP on eth0/);
    assert.ok(!runner.calls.some((c) => c[1] === 'addr' && c[2] === 'add'), 'no ip addr add after a refused probe');
    assert.ok(log.lines.some((l) => l.level === 'error'));
  });

  test('a probe that cannot run (arping missing) refuses too, saying why', async () => {
    const runner = scriptedRunner((argv) =>
      argv[0] === 'arping' ? { ...fail(0), exitCode: null, error: 'arping: command not found' } : ok(SHOW_ABSENT),
    );
    const r = await createVip(cfg, { runner }).add();
    assert.equal(r.ok, false);
    assert.match(r.detail, /probe failed.*command not found/);
  });

  test('already present: no probe (it would hear ourselves), add counts as done', async () => {
    const runner = scriptedRunner(() => ok(SHOW_PRESENT));
    assert.deepEqual(await createVip(cfg, { runner }).add(), { ok: true, detail: 'already present' });
    assert.equal(runner.calls.length, 1);
  });

  test('"File exists" / "Address already assigned" from ip addr add mean present: ok', async () => {
    for (const msg of ['RTNETLINK answers: File exists', 'Error: ipv4: Address already assigned.']) {
      const runner = scriptedRunner((argv) => (argv[2] === 'add' ? fail(2, msg) : argv[0] === 'ip' ? ok(SHOW_ABSENT) : ok()));
      assert.equal((await createVip(cfg, { runner }).add()).ok, true, msg);
    }
    const runner = scriptedRunner((argv) =>
      argv[2] === 'add' ? fail(1, 'Cannot find device "eth0"') : argv[0] === 'ip' ? ok(SHOW_ABSENT) : ok(),
    );
    const r = await createVip(cfg, { runner }).add();
    assert.equal(r.ok, false);
    assert.match(r.detail, /Cannot find device/);
  });

  test('remove: ip addr del; absent is ok, other failures are not', async () => {
    const calls: string[][] = [];
    for (const [res, want] of [
      [ok(), true],
      [fail(2, 'RTNETLINK answers: Cannot assign requested address'), true],
      [fail(2, 'Error: ipv4: Address not found.'), true],
      [fail(1, 'Cannot find device "eth0"'), false],
    ] as const) {
      const runner = scriptedRunner(() => res);
      assert.equal((await createVip(cfg, { runner }).remove()).ok, want);
      calls.push(...runner.calls);
    }
    assert.deepEqual(calls[0], ['ip', 'addr', 'del', '10.0.0.50/24', 'dev', 'eth0']);
  });

  test('announce: unsolicited ARP with the configured count; isPresent parses ip -o output', async () => {
    const runner = scriptedRunner((argv) => (argv[0] === 'ip' ? ok(SHOW_PRESENT) : ok()));
    const vip = createVip(cfg, { runner, announceCount: 3 });
    assert.equal((await vip.announce()).ok, true);
    assert.deepEqual(runner.calls[0], ['arping', '-U', '-c', '3', '-I', 'eth0', '10.0.0.50']);
    assert.equal(await vip.isPresent(), true);
    const absent = createVip(cfg, { runner: scriptedRunner(() => ok(SHOW_ABSENT)) });
    assert.equal(await absent.isPresent(), false);
    // 10.0.0.5 must not match 10.0.0.50 (prefix compare would).
    const other = createVip({ ...cfg, address: '10.0.0.5' }, { runner: scriptedRunner(() => ok(SHOW_PRESENT)) });
    assert.equal(await other.isPresent(), false);
    assert.equal(await createVip(cfg, { runner: scriptedRunner(() => fail(1, 'Device "eth0" does not exist.')) }).isPresent(), undefined);
  });

  test('aborted during the presence check: nothing more runs (no probe, no ip addr add)', async () => {
    const ac = new AbortController();
    const runner = scriptedRunner((argv) => {
      if (argv[1] === '-o') ac.abort();
      return ok(SHOW_ABSENT);
    });
    const r = await createVip(cfg, { runner }).add(ac.signal);
    assert.deepEqual(r, { ok: false, detail: 'adding 10.0.0.50/24 aborted' });
    assert.equal(runner.calls.length, 1);
  });

  test('known down but aborted before the add: no command runs', async () => {
    const ac = new AbortController();
    ac.abort();
    const runner = scriptedRunner(() => ok());
    const r = await createVip(cfg, { runner }).add(ac.signal, { skipProbe: true });
    assert.deepEqual(r, { ok: false, detail: 'adding 10.0.0.50/24 aborted' });
    assert.equal(runner.calls.length, 0);
  });

  test('the abort signal is passed to every command (a demotion cancels a promotion)', async () => {
    const runner = scriptedRunner(() => ok(SHOW_ABSENT));
    const ac = new AbortController();
    await createVip(cfg, { runner }).add(ac.signal);
    assert.ok(runner.opts.every((o) => o.signal === ac.signal));
  });
});

// ---------------------------------------------------------------------------------------
// Real network: two namespaces `pal-vip-<rand>-a` / `-b`, a veth pair, 10.X.Y.1/24 and .2/24.
// The addresses exist only inside those namespaces; every command has a timeout.

function netnsSkipReason(): string | false {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root: the netns VIP test needs root (CI runs as root)';
  for (const [cmd, args, pkg] of [
    ['ip', ['netns', 'list'], 'iproute2'],
    ['arping', ['-V'], 'iputils-arping'],
    ['ping', ['-V'], 'iputils-ping'],
  ] as const) {
    try {
      execFileSync(cmd, [...args], { stdio: 'ignore', timeout: 5000 });
    } catch {
      return `\`${cmd} ${args.join(' ')}\` unavailable: install ${pkg}`;
    }
  }
  return false;
}

const skip = netnsSkipReason();
if (skip) console.log(`# netns VIP test skipped: ${skip}`);

describe('VIP between two network namespaces', { skip }, () => {
  const tag = randomInt(0, 0xffffff).toString(16).padStart(6, '0');
  const nsA = `pal-vip-${tag}-a`;
  const nsB = `pal-vip-${tag}-b`;
  // 10.200-249.Y.0/24: a random range, unlikely to clash with anything inside these namespaces anyway.
  const net = `10.${200 + randomInt(0, 50)}.${randomInt(1, 255)}`;
  const vethA = `pv${tag}a`;
  const vethB = `pv${tag}b`;
  const vipAddr = `${net}.50`;
  const sh = (args: readonly string[]): void => {
    execFileSync(args[0], args.slice(1), { stdio: 'pipe', timeout: 10_000 });
  };
  /** Exit code of a command inside namespace b (bounded). */
  const inB = (args: readonly string[]): number => {
    try {
      execFileSync('ip', ['netns', 'exec', nsB, ...args], { stdio: 'pipe', timeout: 10_000 });
      return 0;
    } catch (err) {
      const status = (err as { status?: number | null }).status;
      return typeof status === 'number' ? status : -1;
    }
  };
  const runnerA = execFileRunner(['ip', 'netns', 'exec', nsA]);
  const runnerB = execFileRunner(['ip', 'netns', 'exec', nsB]);
  const fast = { announceCount: 1 };

  before(() => {
    sh(['ip', 'netns', 'add', nsA]);
    sh(['ip', 'netns', 'add', nsB]);
    sh(['ip', 'link', 'add', vethA, 'netns', nsA, 'type', 'veth', 'peer', 'name', vethB, 'netns', nsB]);
    sh(['ip', '-n', nsA, 'addr', 'add', `${net}.1/24`, 'dev', vethA]);
    sh(['ip', '-n', nsB, 'addr', 'add', `${net}.2/24`, 'dev', vethB]);
    for (const [ns, dev] of [
      [nsA, vethA],
      [nsB, vethB],
      [nsA, 'lo'],
      [nsB, 'lo'],
    ] as const)
      sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
  });

  after(() => {
    // Always, even when a test failed: deleting a namespace deletes its veth end (and the pair).
    for (const ns of [nsA, nsB]) {
      try {
        sh(['ip', 'netns', 'del', ns]);
      } catch {
        // was never created
      }
    }
  });

  test('add in a, answers from b, a duplicate add from b is refused, removal silences it', async () => {
    const log = recordingLogger();
    const vipA = createVip({ address: vipAddr, prefixLength: 24, interface: vethA }, { runner: runnerA, logger: log, ...fast });
    const vipB = createVip({ address: vipAddr, prefixLength: 24, interface: vethB }, { runner: runnerB, ...fast });

    // The link works (and is up: the first ping waits for it, bounded by -w).
    assert.equal(inB(['ping', '-c', '1', '-w', '5', `${net}.1`]), 0, 'namespace b reaches a');
    assert.notEqual(inB(['arping', '-c', '1', '-w', '1', '-I', vethB, vipAddr]), 0, 'nobody answers the VIP before add');
    assert.equal(await vipA.isPresent(), false);

    assert.deepEqual(await vipA.add(), { ok: true, detail: '' });
    assert.equal(await vipA.isPresent(), true);
    assert.equal((await vipA.announce()).ok, true);
    assert.equal(inB(['arping', '-c', '1', '-w', '2', '-I', vethB, vipAddr]), 0, 'the VIP answers ARP from b');
    assert.equal(inB(['ping', '-c', '1', '-W', '2', vipAddr]), 0, 'the VIP answers ping from b');
    assert.deepEqual(await vipA.add(), { ok: true, detail: 'already present' }, 'add is idempotent');
    assert.deepEqual(
      await vipA.add(undefined, { skipProbe: true }),
      { ok: true, detail: 'already present' },
      "without the presence check, this ip's answer to a second add counts as present",
    );

    // The holder's kernel answers the probe well within the default window.
    const dup = await vipB.add();
    assert.equal(dup.ok, false);
    assert.match(dup.detail, /already answers ARP/);
    assert.equal(await vipB.isPresent(), false, 'b did not add it');

    assert.deepEqual(await vipA.remove(), { ok: true, detail: '' });
    assert.equal(await vipA.isPresent(), false);
    assert.deepEqual(await vipA.remove(), { ok: true, detail: 'not present' }, 'remove is idempotent');
    assert.notEqual(inB(['arping', '-c', '1', '-w', '1', '-I', vethB, vipAddr]), 0, 'nobody answers after removal');

    // Now free: b may take it (the probe's window ends with arping still listening).
    assert.equal((await vipB.add()).ok, true);
    assert.equal(await vipB.isPresent(), true);
    assert.equal((await vipB.remove()).ok, true);
  });
});
