// The agent's token file: every bad line reported at once, hashed and plain tokens, the file's
// owner and mode checked, reloads that keep the old table when the new file is bad, and a file
// followed without a restart.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ReloadableTokenTable,
  TokenFileError,
  followTokenFile,
  hashToken,
  loadTokenFile,
  parseTokenFile,
} from '../../src/api/token-file.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-tokens-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PLAIN = 'plain-token-0123456789';
const HASHED = 'hashed-token-0123456789';

function file(name: string, text: string, mode = 0o600): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

describe('parseTokenFile', () => {
  test("a '#' inside a token is part of it (a comment starts a line or follows white space)", () => {
    const token = '0123456789abcdef#rest-of-it';
    const { table } = parseTokenFile('t', `alice admin ${token} # the on-call admin\n`);
    assert.equal(table.lookup(token)?.name, 'alice');
    assert.equal(table.lookup('0123456789abcdef'), undefined);
  });

  test('plain and sha256: tokens, comments and blank lines', () => {
    const { table, users, plainTokens } = parseTokenFile(
      't',
      `# users\n\nalice admin ${PLAIN}   # trailing comment\nci  reader  sha256:${hashToken(HASHED)}\n`,
    );
    assert.equal(users, 2);
    assert.equal(plainTokens, true);
    assert.deepEqual(table.lookup(PLAIN), { name: 'alice', role: 'admin' });
    assert.deepEqual(table.lookup(HASHED), { name: 'ci', role: 'reader' });
    assert.equal(table.lookup(`sha256:${hashToken(HASHED)}`), undefined, 'the hash itself is not a token');
    assert.equal(table.lookup('nope'), undefined);
  });

  test('every bad line is reported, each with its line number and the fix', () => {
    const text = [
      'alice admin',
      'bob superuser bob-token-0123456789',
      'carol reader short',
      'dave reader sha256:XYZ',
      'gina reader gina-token-0123456789',
      'gina operator gina-token-9876543210',
      'erin reader bob-token-0123456789',
      'fr@nk! reader frank-token-0123456789',
      'node1 node node-token-0123456789',
    ].join('\n');
    assert.throws(
      () => parseTokenFile('t', text),
      (err: unknown) => {
        assert.ok(err instanceof TokenFileError);
        const p = err.problems;
        assert.match(p[0], /^line 1: expected NAME ROLE TOKEN/);
        assert.match(p[1], /^line 2: role "superuser" is not one of reader, operator, admin/);
        assert.match(p[2], /^line 3: the token is shorter than 16/);
        assert.match(p[3], /^line 4: sha256: must be followed by 64/);
        assert.match(p[4], /^line 6: user "gina" appears twice/);
        assert.match(p[5], /^line 7: the same token as user "bob"/);
        assert.match(p[6], /^line 8: "fr@nk!" is not a user name/);
        assert.match(p[7], /^line 9: role "node" is not one of/, 'nodes authenticate by certificate only');
        assert.equal(p.length, 8);
        return true;
      },
    );
  });
});

describe('loadTokenFile checks who can change or read the file', () => {
  test('0600 is fine; group- or world-writable is refused; plain tokens readable by others are refused, hashes are not', () => {
    loadTokenFile(file('ok', `a admin ${PLAIN}\n`));
    assert.throws(
      () => loadTokenFile(file('gw', `a admin sha256:${hashToken(PLAIN)}\n`, 0o620)),
      /writable by group or others .*chmod 600/,
    );
    assert.throws(() => loadTokenFile(file('ow', `a admin sha256:${hashToken(PLAIN)}\n`, 0o602)), /writable by group or others/);
    assert.throws(() => loadTokenFile(file('or', `a admin ${PLAIN}\n`, 0o644)), /holds plain tokens and is readable/);
    loadTokenFile(file('hashed-readable', `a admin sha256:${hashToken(PLAIN)}\n`, 0o644));
    assert.throws(() => loadTokenFile(join(dir, 'missing')), /cannot read it/);
  });
});

describe('ReloadableTokenTable', () => {
  test('a reload takes the new users; an invalid new file accepts no token until it is valid again', () => {
    const p = file('reload', `a admin ${PLAIN}\n`);
    const table = new ReloadableTokenTable(p);
    assert.equal(table.lookup(PLAIN)?.name, 'a');
    writeFileSync(p, `b reader ${HASHED}\n`);
    assert.equal(table.reload(), 1);
    assert.equal(table.lookup(PLAIN), undefined, 'a removed user is out at once');
    assert.equal(table.lookup(HASHED)?.name, 'b');
    writeFileSync(p, 'garbage\n');
    assert.throws(() => table.reload(), TokenFileError);
    assert.equal(table.lookup(HASHED), undefined, 'fails closed: the change may have been a revocation');
    writeFileSync(p, `b reader ${HASHED}\n`);
    assert.equal(table.reload(), 1);
    assert.equal(table.lookup(HASHED)?.name, 'b');
  });

  test('followTokenFile: a deleted file accepts no token, and its return is taken up', async () => {
    const p = file('deleted', `a admin ${PLAIN}\n`);
    const table = new ReloadableTokenTable(p);
    const errors: string[] = [];
    const stop = followTokenFile(
      table,
      () => {},
      (err) => errors.push(err.message),
      20,
    );
    const until = async (cond: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 5000;
      while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.ok(cond(), what);
    };
    try {
      rmSync(p);
      await until(() => table.lookup(PLAIN) === undefined, 'the deleted file revokes every token');
      assert.match(errors.join('\n'), /was deleted/);
      writeFileSync(p, `a admin ${PLAIN}\n`, { mode: 0o600 });
      await until(() => table.lookup(PLAIN)?.name === 'a', 'the file back in place is read again');
    } finally {
      stop();
    }
  });

  test('followTokenFile notices a change without a restart', async () => {
    const p = file('follow', `a admin ${PLAIN}\n`);
    const table = new ReloadableTokenTable(p);
    const reloads: number[] = [];
    const stop = followTokenFile(
      table,
      (n) => reloads.push(n),
      (err) => assert.fail(err),
      20,
    );
    try {
      writeFileSync(p, `a admin ${PLAIN}\nb operator ${HASHED}\n`);
      const deadline = Date.now() + 5000;
      while (table.lookup(HASHED) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(table.lookup(HASHED)?.role, 'operator');
      assert.deepEqual(reloads.at(-1), 2);
    } finally {
      stop();
    }
  });
});
