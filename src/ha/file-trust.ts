// Whether an executable is safe for the agent to run. A hook runs with the agent's privileges
// (often root: it moves the VIP and fences nodes), so anyone who can rewrite or replace the
// file can run code as the agent. Like sshd's StrictModes, the agent refuses a file that a
// user other than itself or root could change.
import { statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

const WORLD_WRITABLE = 0o002;
const STICKY = 0o1000;

/** Why `path` (already known to exist) must not be run by this process; undefined when it may. */
export function untrustedFileProblem(path: string, uid: number | undefined = process.getuid?.()): string | undefined {
  // No uids on this platform (Windows): nothing to compare with.
  if (uid === undefined) return undefined;
  const file = statSync(path);
  const fileProblem = writableByOthers(file, uid);
  if (fileProblem !== undefined) return `hook ${path} ${fileProblem}`;
  // A directory others may write (without the sticky bit) lets them replace the file itself.
  const dir = dirname(path);
  const d = statSync(dir);
  if ((d.mode & WORLD_WRITABLE) !== 0 && (d.mode & STICKY) === 0) {
    return `hook ${path} is in directory ${dir}, which any user can write (mode ${octal(d.mode)}): anyone could replace the hook — move it to a directory only its owner can write`;
  }
  if (d.uid !== uid && d.uid !== 0 && (d.mode & STICKY) === 0) {
    return `hook ${path} is in directory ${dir}, owned by another user (uid ${d.uid}), who could replace it — move it to a directory owned by you or root`;
  }
  return undefined;
}

function writableByOthers(st: Stats, uid: number): string | undefined {
  if ((st.mode & WORLD_WRITABLE) !== 0) {
    return `is writable by any user (mode ${octal(st.mode)}): anyone could make the agent run their code — chmod o-w it`;
  }
  if (st.uid !== uid && st.uid !== 0) {
    return `is owned by another user (uid ${st.uid}; the agent runs as uid ${uid}), who could make the agent run their code — chown it to yourself or root`;
  }
  return undefined;
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}
