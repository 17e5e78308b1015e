// A CA and certificates for a test or a small deployment, made with the system's `openssl`
// (execFile, no shell; no ASN.1 of our own). Every key is EC P-256 and mode 0600 in a 0700
// directory. The subject says who a certificate is for, as the agent reads it
// (src/transport/cert-identity.ts): CN = node id or user name, OU = "node" or the user's role.
//
//   DIR/ca.crt, DIR/ca.key                 the CA (init)
//   DIR/node-<id>.crt, DIR/node-<id>.key   a node: server and client use, SANs for its hosts
//   DIR/user-<name>.crt, DIR/user-<name>.key   a user: client use only
//
// Files are written under a temporary name and renamed into place, so an agent reloading its
// certificate never reads half a file.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const USER_ROLES = ['reader', 'operator', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Bad input or a failed openssl run; the message says what to do. */
export class PkiError extends Error {
  readonly code = 'PKI';
}

const NODE_ID_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const USER_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const HOST_RE = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/;
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface PkiPaths {
  readonly cert: string;
  readonly key: string;
}

export function caPaths(dir: string): PkiPaths {
  return { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
}

export function nodePaths(dir: string, id: string): PkiPaths {
  return { cert: join(dir, `node-${id}.crt`), key: join(dir, `node-${id}.key`) };
}

export function userPaths(dir: string, name: string): PkiPaths {
  return { cert: join(dir, `user-${name}.crt`), key: join(dir, `user-${name}.key`) };
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT')
      throw new PkiError('openssl is not installed — install it (e.g. apt-get install openssl) or bring your own CA and certificates');
    throw new PkiError(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`, { cause: err });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Creates DIR (0700) with a new CA. Refuses to replace an existing CA key. */
export async function initCa(dir: string, opts: { name?: string; days?: number } = {}): Promise<PkiPaths> {
  const paths = caPaths(dir);
  if (await exists(paths.key))
    throw new PkiError(`${paths.key} exists — this directory already holds a CA; issue certificates with it, or choose another directory`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const name = opts.name ?? 'palisade-ca';
  if (!USER_RE.test(name)) throw new PkiError(`CA name "${name}" — use letters, digits, ".", "_", "@" or "-"`);
  const tmp = tempNames(paths);
  await openssl([
    'req',
    '-x509',
    ...EC,
    '-keyout',
    tmp.key,
    '-out',
    tmp.cert,
    '-subj',
    `/CN=${name}`,
    '-days',
    String(opts.days ?? 3650),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await place(tmp, paths);
  return paths;
}

export interface IssueNodeOptions {
  /** Names and addresses the node is reached at (SANs); 127.0.0.1, ::1 and localhost are always added. */
  readonly hosts?: readonly string[];
  readonly days?: number;
}

/** A node's certificate: CN = id, OU = node, server and client use. Replaces an earlier one (rotation). */
export async function issueNode(dir: string, id: string, opts: IssueNodeOptions = {}): Promise<PkiPaths> {
  if (!NODE_ID_RE.test(id)) throw new PkiError(`node id "${id}" — use 1–63 lowercase letters, digits, "-" or "_" (as the agent's --id)`);
  const sans = new Set(['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
  for (const h of opts.hosts ?? []) {
    const host = h.trim();
    if (isIP(host) !== 0) sans.add(`IP:${host}`);
    else if (HOST_RE.test(host)) sans.add(`DNS:${host}`);
    else throw new PkiError(`host "${h}" is neither an IP address nor a DNS name`);
  }
  return issue(dir, nodePaths(dir, id), `/CN=${id}/OU=node`, ['serverAuth', 'clientAuth'], [...sans], opts.days);
}

/** A user's certificate: CN = name, OU = role, client use only. */
export async function issueUser(dir: string, name: string, role: string, opts: { days?: number } = {}): Promise<PkiPaths> {
  if (!USER_RE.test(name)) throw new PkiError(`user name "${name}" — use 1–64 letters, digits, ".", "_", "@" or "-"`);
  if (!(USER_ROLES as readonly string[]).includes(role)) throw new PkiError(`role "${role}" — use one of ${USER_ROLES.join(', ')}`);
  return issue(dir, userPaths(dir, name), `/CN=${name}/OU=${role}`, ['clientAuth'], [], opts.days);
}

async function issue(dir: string, paths: PkiPaths, subject: string, usages: string[], sans: string[], days = 365): Promise<PkiPaths> {
  const ca = caPaths(dir);
  if (!(await exists(ca.key))) throw new PkiError(`${ca.key} not found — run \`palisade certs init ${dir}\` first`);
  if (!Number.isSafeInteger(days) || days < 1 || days > 36500) throw new PkiError(`days ${days} — give a whole number from 1 to 36500`);
  const tmp = tempNames(paths);
  const csr = `${tmp.cert}.csr`;
  const ext = `${tmp.cert}.ext`;
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    `extendedKeyUsage=${usages.join(',')}`,
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid,issuer',
    ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : []),
  ];
  try {
    await writeFile(ext, extensions.join('\n') + '\n', { mode: 0o600 });
    await openssl(['req', '-new', ...EC, '-keyout', tmp.key, '-out', csr, '-subj', subject]);
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-set_serial',
      `0x${randomBytes(16).toString('hex')}`,
      '-days',
      String(days),
      '-extfile',
      ext,
      '-out',
      tmp.cert,
    ]);
    await place(tmp, paths);
  } finally {
    await Promise.all([csr, ext, tmp.cert, tmp.key].map((f) => rm(f, { force: true })));
  }
  return paths;
}

function tempNames(paths: PkiPaths): PkiPaths {
  const tag = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  return { cert: paths.cert + tag, key: paths.key + tag };
}

/** Key first, then certificate: a reload between the two renames sees a mismatch and keeps the old pair. */
async function place(tmp: PkiPaths, paths: PkiPaths): Promise<void> {
  await chmod(tmp.key, 0o600);
  await chmod(tmp.cert, 0o644);
  await rename(tmp.key, paths.key);
  await rename(tmp.cert, paths.cert);
}

/** The subject line of a certificate file (for the CLI's summary). */
export async function describeCertificate(path: string): Promise<string> {
  const { X509Certificate } = await import('node:crypto');
  const cert = new X509Certificate(await readFile(path));
  return `${cert.subject.replace(/\n/g, ', ')}${cert.subjectAltName ? ` [${cert.subjectAltName}]` : ''}, valid to ${cert.validTo}`;
}
