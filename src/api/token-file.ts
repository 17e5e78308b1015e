// The agent's token file (--token-auth-file): bearer tokens for people and tools that have no
// client certificate. One user a line, `NAME ROLE TOKEN`, '#' starts a comment:
//
//   alice   admin     sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
//   deploy  operator  6f1c0a5e-a-long-random-string
//
// TOKEN is the token itself (16 characters or more) or `sha256:` and the hex SHA-256 of it
// (`printf %s "$TOKEN" | sha256sum`), so the file need not hold the secrets. Only the hash is
// kept in memory. The file must not be writable by others (anyone could add an admin) nor
// readable by others while it holds plain tokens, and must belong to the agent's user or root.
import { createHash } from 'node:crypto';
import { readFileSync, statSync, type Stats } from 'node:fs';
import { type Role, USER_ROLES } from './roles.js';

export interface TokenUser {
  readonly name: string;
  readonly role: Role;
}

export interface TokenTable {
  /** The user a presented token belongs to; undefined for an unknown token. */
  lookup(token: string): TokenUser | undefined;
}

export const MIN_TOKEN_LENGTH = 16;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const HASHED_RE = /^sha256:([0-9a-f]{64})$/;

export class TokenFileError extends Error {
  constructor(
    readonly path: string,
    readonly problems: readonly string[],
  ) {
    super(`token file ${path}: ${problems.join('; ')}`);
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Parses the file's text; throws TokenFileError listing every bad line. */
export function parseTokenFile(path: string, text: string): { table: TokenTable; plainTokens: boolean; users: number } {
  const byHash = new Map<string, TokenUser>();
  const names = new Set<string>();
  const problems: string[] = [];
  let plainTokens = false;
  text.split('\n').forEach((raw, i) => {
    // A comment starts a line or follows white space: a '#' inside a token is part of it.
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const where = `line ${i + 1}`;
    const fields = line.split(/\s+/);
    if (fields.length !== 3) return void problems.push(`${where}: expected NAME ROLE TOKEN, got ${fields.length} field(s)`);
    const [name, role, token] = fields as [string, string, string];
    if (!NAME_RE.test(name)) problems.push(`${where}: "${name}" is not a user name (letters, digits, . _ @ -; at most 64)`);
    if (!(USER_ROLES as readonly string[]).includes(role)) problems.push(`${where}: role "${role}" is not one of ${USER_ROLES.join(', ')}`);
    const hashed = HASHED_RE.exec(token);
    if (hashed === null && token.startsWith('sha256:')) problems.push(`${where}: sha256: must be followed by 64 lowercase hex digits`);
    else if (hashed === null && token.length < MIN_TOKEN_LENGTH)
      problems.push(`${where}: the token is shorter than ${MIN_TOKEN_LENGTH} characters`);
    if (hashed === null) plainTokens = true;
    const hash = hashed !== null ? hashed[1] : hashToken(token);
    if (names.has(name)) problems.push(`${where}: user "${name}" appears twice`);
    if (byHash.has(hash)) problems.push(`${where}: the same token as user "${byHash.get(hash)!.name}"`);
    names.add(name);
    byHash.set(hash, { name, role: role as Role });
  });
  if (problems.length > 0) throw new TokenFileError(path, problems);
  return { table: { lookup: (token) => byHash.get(hashToken(token)) }, plainTokens, users: byHash.size };
}

/** Reads and checks the file (contents and ownership/permissions). `stamp` identifies the version read. */
export function loadTokenFile(path: string): { table: TokenTable; users: number; stamp: string } {
  let text: string;
  let st;
  try {
    st = statSync(path);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TokenFileError(path, [`cannot read it: ${(err as Error).message}`]);
  }
  const parsed = parseTokenFile(path, text);
  const problems = permissionProblems(st.mode, st.uid, parsed.plainTokens);
  if (problems.length > 0) throw new TokenFileError(path, problems);
  return { ...parsed, stamp: stampOf(st) };
}

/** What tells one version of the file from the next (a rename-into-place changes the inode). */
function stampOf(st: { mtimeMs: number; size: number; ino: number }): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

function permissionProblems(mode: number, uid: number, plainTokens: boolean): string[] {
  const problems: string[] = [];
  const me = process.getuid?.();
  if ((mode & 0o022) !== 0)
    problems.push(`writable by group or others (mode ${(mode & 0o777).toString(8)}): anyone could add an admin — chmod 600`);
  if (plainTokens && (mode & 0o044) !== 0) {
    problems.push(
      `holds plain tokens and is readable by group or others (mode ${(mode & 0o777).toString(8)}) — chmod 600, or store sha256: hashes`,
    );
  }
  if (me !== undefined && uid !== me && uid !== 0)
    problems.push(`owned by uid ${uid}, neither the agent's user (${me}) nor root — chown it`);
  return problems;
}

/** Accepts no token: what is in force while the file is invalid or gone. */
const NO_TOKENS: TokenTable = { lookup: () => undefined };
const GONE = 'gone';

/**
 * A token table that follows its file: reload() re-reads it (SIGHUP, or a file watch). A file
 * that became invalid or was deleted accepts no token until a valid version appears: the change
 * may have been a revocation (a deleted line next to a typo, or the whole file removed), and
 * keeping the old tokens would keep the revoked one working. Certificates are not affected.
 */
export class ReloadableTokenTable implements TokenTable {
  private current: TokenTable;
  /** The version of the file last read (loaded, or refused as invalid). */
  private seen: string;

  constructor(readonly path: string) {
    const loaded = loadTokenFile(path);
    this.current = loaded.table;
    this.seen = loaded.stamp;
  }

  /** The file was deleted: no token is accepted until it is back (see the class comment). False if already so. */
  revokeAll(): boolean {
    if (this.seen === GONE) return false;
    this.current = NO_TOKENS;
    this.seen = GONE;
    return true;
  }

  /** Whether the file on disk (as `st` describes it) is a version not read yet. */
  isNewVersion(st: { mtimeMs: number; size: number; ino: number }): boolean {
    return stampOf(st) !== this.seen;
  }

  lookup(token: string): TokenUser | undefined {
    return this.current.lookup(token);
  }

  /** Re-reads the file; throws TokenFileError (and accepts no token) when it is invalid now. */
  reload(): number {
    try {
      const loaded = loadTokenFile(this.path);
      this.current = loaded.table;
      this.seen = loaded.stamp;
      return loaded.users;
    } catch (err) {
      this.current = NO_TOKENS;
      // Refused once is enough: wait for the next version rather than complain every poll.
      try {
        this.seen = stampOf(statSync(this.path));
      } catch {
        this.seen = GONE;
      }
      throw err;
    }
  }
}

/**
 * Follows the file: every `intervalMs` compares the file on disk with the version read and
 * reloads when they differ. Our own poll rather than fs.watchFile: watchFile takes its first
 * stat asynchronously as a baseline and reports only later changes, so a write between the load
 * and that first stat would never be noticed. The timer does not keep the process alive.
 * Returns the function that stops following.
 */
export function followTokenFile(
  table: ReloadableTokenTable,
  onReload: (users: number) => void,
  onError: (err: Error) => void,
  intervalMs = 1000,
): () => void {
  const poll = (): void => {
    let cur: Stats;
    try {
      cur = statSync(table.path);
    } catch {
      if (table.revokeAll()) {
        onError(new Error(`${table.path} was deleted: no token is accepted until it is back`));
      }
      return;
    }
    if (!table.isNewVersion(cur)) return;
    try {
      onReload(table.reload());
    } catch (err) {
      onError(err as Error);
    }
  };
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
