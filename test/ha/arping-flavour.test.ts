// Which arping is on PATH (ha/arping-flavour.ts): the classification of `arping -V` output, the
// detection against fake `arping` programs put first on PATH, the agent refusing a VIP with
// Thomas Habets' arping (exit 2, nothing written), and the real arping of this machine.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArpingFlavour, arpingFlavourOf, arpingProblem, checkArpingForVip, detectArpingFlavour } from '../../src/ha/arping-flavour.js';
import type { CommandResult } from '../../src/ha/command-runner.js';
import { runCli } from '../cli/run-cli.js';
import { freePorts } from '../process/process-cluster.js';

const result = (exitCode: number | null, stdout: string, stderr = '', error?: string): CommandResult => ({
  exitCode,
  signal: null,
  stdout,
  stderr,
  timedOut: false,
  aborted: false,
  ...(error !== undefined ? { error } : {}),
});

// What `arping -V` prints, copied from the programs themselves.
const IPUTILS_2022 = 'arping from iputils 20221126\nlibcap: yes, IDN: yes, NLS: no, error.h: yes, getrandom(): yes, __fpending(): yes\n';
const IPUTILS_2018 = 'arping utility, iputils-s20180629\n';
const HABETS_USAGE =
  'ARPing 2.23, by Thomas Habets <thomas@habets.se>\nusage: arping [ -0aAbdDeFpPqrRuUvzZ ] [ -w <sec> ] [ -W <sec> ] [ -S <host/ip> ]\n';
const HABETS_ERR = "arping: option requires an argument -- 'V'\n";

describe('arpingFlavourOf', () => {
  test('iputils, old and new wording', () => {
    assert.equal(arpingFlavourOf(result(0, IPUTILS_2022)), ArpingFlavour.Iputils);
    assert.equal(arpingFlavourOf(result(0, IPUTILS_2018)), ArpingFlavour.Iputils);
  });
  test("Thomas Habets' arping (usage on stdout, exit 1)", () => {
    assert.equal(arpingFlavourOf(result(1, HABETS_USAGE, HABETS_ERR)), ArpingFlavour.Habets);
  });
  test('missing, and anything else', () => {
    assert.equal(arpingFlavourOf(result(null, '', '', 'arping: command not found')), ArpingFlavour.Missing);
    assert.equal(arpingFlavourOf(result(0, 'busybox arping\n')), ArpingFlavour.Unknown);
  });
  test('every flavour but iputils is a problem naming the package to install', () => {
    assert.equal(arpingProblem(ArpingFlavour.Iputils, ''), undefined);
    for (const f of [ArpingFlavour.Habets, ArpingFlavour.Missing, ArpingFlavour.Unknown]) {
      assert.match(arpingProblem(f, 'x') ?? '', /^vip: .*apt-get install iputils-arping/);
    }
    assert.match(arpingProblem(ArpingFlavour.Habets, 'ARPing 2.23') ?? '', /Thomas Habets' arping/);
  });
});

describe('detection against fake arping programs on PATH', { concurrency: false }, () => {
  let dir: string;
  const savedPath = process.env['PATH'];
  /** A directory holding one executable `arping` that prints `stdout`/`stderr` and exits `code`. */
  const fakeArping = (name: string, stdout: string, stderr: string, code: number): string => {
    const d = join(dir, name);
    execFileSync('mkdir', ['-p', d]);
    const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
    writeFileSync(join(d, 'arping'), `#!/bin/sh\nprintf '%s' ${q(stdout)}\nprintf '%s' ${q(stderr)} >&2\nexit ${code}\n`);
    chmodSync(join(d, 'arping'), 0o755);
    return d;
  };
  const withPath = async <T>(path: string, f: () => Promise<T>): Promise<T> => {
    process.env['PATH'] = path;
    try {
      return await f();
    } finally {
      process.env['PATH'] = savedPath;
    }
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-arping-'));
  });
  after(() => {
    process.env['PATH'] = savedPath;
    rmSync(dir, { recursive: true, force: true });
  });

  test('Habets first on PATH: detected; iputils first: accepted; none: missing', async () => {
    const habets = fakeArping('habets', HABETS_USAGE, HABETS_ERR, 1);
    const iputils = fakeArping('iputils', IPUTILS_2022, '', 0);
    const empty = join(dir, 'empty');
    execFileSync('mkdir', ['-p', empty]);
    assert.equal((await withPath(`${habets}:/usr/bin:/bin`, () => detectArpingFlavour())).flavour, ArpingFlavour.Habets);
    assert.equal(await withPath(`${iputils}:/usr/bin:/bin`, () => checkArpingForVip()), undefined);
    assert.equal((await withPath(empty, () => detectArpingFlavour())).flavour, ArpingFlavour.Missing);
  });

  test("the agent with a VIP and Habets' arping: exit 2 naming iputils-arping, nothing written", async () => {
    const habets = fakeArping('habets-agent', HABETS_USAGE, HABETS_ERR, 1);
    const [port] = await freePorts(1);
    const dataDir = join(dir, 'data');
    const argv = ['agent', '--id', 'n1', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--peers', `n1=127.0.0.1:${port}`];
    // An interface that does not exist, and a bounded run: were the check missing, the agent
    // would start and try the VIP, and must neither touch this machine's network nor hang.
    const vip = ['--vip', '10.0.0.50/24', '--vip-interface', 'palnoif0', '--log-level', 'error'];
    const r = await withPath(`${habets}:/usr/bin:/usr/sbin:/bin:/sbin`, () =>
      runCli([...argv, ...vip], { signal: AbortSignal.timeout(15_000) }),
    );
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /invalid configuration/);
    assert.match(r.err, /Thomas Habets' arping .*apt-get install iputils-arping/);
    assert.equal(existsSync(dataDir), false, 'the data dir was not created');
  });
});

const realArping = ((): string | false => {
  try {
    execFileSync('arping', ['-V'], { stdio: 'pipe', timeout: 5000 });
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no arping installed (apt-get install iputils-arping)' : false;
  }
})();

test("this machine's arping (CI installs iputils-arping) is iputils'", { skip: realArping }, async () => {
  const { flavour, output } = await detectArpingFlavour();
  assert.equal(flavour, ArpingFlavour.Iputils, output);
});
