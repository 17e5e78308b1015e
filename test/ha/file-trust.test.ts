// Hooks run with the agent's privileges: a file (or its directory) that another user can change
// is refused, with the reason and the fix.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHookPath } from '../../src/ha/hook-runner.js';
import { untrustedFileProblem } from '../../src/ha/file-trust.js';

const OTHER_UID = 4242;

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pal-trust-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function hook(name: string, mode = 0o755, inDir = dir): string {
  const f = join(inDir, name);
  writeFileSync(f, '#!/bin/sh\nexit 0\n');
  chmodSync(f, mode);
  return f;
}

describe('untrustedFileProblem', () => {
  test('a file of this user, in a private directory, is trusted', () => {
    assert.equal(checkHookPath(hook('ok.sh')), undefined);
  });

  test('a world-writable hook is refused: the mode and chmod o-w are named', () => {
    const f = hook('open.sh', 0o777);
    assert.match(checkHookPath(f) ?? '', /writable by any user \(mode 0777\).*chmod o-w/);
  });

  test('a hook owned by another non-root user is refused with its uid', { skip: process.getuid?.() !== 0 && 'needs root to chown' }, () => {
    const f = hook('theirs.sh');
    chownSync(f, OTHER_UID, OTHER_UID);
    assert.match(checkHookPath(f) ?? '', new RegExp(`owned by another user \\(uid ${OTHER_UID}.*chown`));
  });

  test("the same check as another uid: a root-owned file is fine, this user's file is not", () => {
    const f = hook('mine.sh');
    const me = process.getuid!();
    // Seen from a third user: our file is "another user's" unless we are root.
    const problem = untrustedFileProblem(f, me + 1);
    if (me === 0) assert.equal(problem, undefined);
    else assert.match(problem ?? '', /owned by another user/);
  });

  test('a directory any user can write (no sticky bit) is refused: the file could be replaced', () => {
    const open = join(dir, 'open-dir');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const f = hook('in-open-dir.sh', 0o755, open);
    assert.match(checkHookPath(f) ?? '', /which any user can write \(mode 0777\)/);
  });

  test('a sticky world-writable directory (like /tmp) does not let others replace the file', () => {
    const sticky = join(dir, 'sticky-dir');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    assert.equal(checkHookPath(hook('in-sticky.sh', 0o755, sticky)), undefined);
  });
});
