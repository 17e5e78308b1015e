// palisade certs init DIR / certs issue --node ID | --user NAME --role ROLE: a CA and
// certificates for a test or a small deployment (src/cli/pki.ts: the system's openssl). For a
// large deployment bring your own CA: the agent only needs the subject CN/OU rule.
import type { Command } from 'commander';
import type { Io } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { PkiError, USER_ROLES, describeCertificate, initCa, issueNode, issueUser, type PkiPaths } from '../pki.js';

interface IssueFlags {
  dir: string;
  node?: string;
  user?: string;
  role?: string;
  host?: string[];
  days?: string;
}

function days(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new PkiError(`--days "${text}" — give a whole number of days, e.g. --days 365`);
  return Number(text);
}

async function report(io: Io, what: string, paths: PkiPaths): Promise<void> {
  io.out(`${what}\n  certificate ${paths.cert}\n  key         ${paths.key} (mode 0600)\n  ${await describeCertificate(paths.cert)}\n`);
}

/** Bad input and openssl failures: one line and exit 2 (nothing usable was written). */
async function guarded(io: Io, done: (code: ExitCode) => void, body: () => Promise<void>): Promise<void> {
  try {
    await body();
    done(ExitCode.Ok);
  } catch (err) {
    if (!(err instanceof PkiError)) throw err;
    io.err(`palisade certs: ${err.message}\n`);
    done(ExitCode.Usage);
  }
}

export function registerCerts(program: Command, io: Io, done: (code: ExitCode) => void): void {
  const certs = program
    .command('certs')
    .description('make a CA and node / user certificates (system openssl) for a test or small deployment');
  certs
    .command('init')
    .description('create DIR (mode 0700) with a new CA: DIR/ca.crt and DIR/ca.key')
    .argument('<DIR>', 'directory for the CA and the certificates it issues')
    .option('--days <N>', 'CA validity in days (default 3650)')
    .action((dir: string, flags: { days?: string }) =>
      guarded(io, done, async () => {
        const d = days(flags.days);
        await report(io, `created CA in ${dir}`, await initCa(dir, d !== undefined ? { days: d } : {}));
        io.out(`next: palisade certs issue --dir ${dir} --node n1 --host <n1's address>   (for every node)\n`);
      }),
    );
  certs
    .command('issue')
    .description('issue a node certificate (--node ID) or a user certificate (--user NAME --role ROLE); issuing again rotates it')
    .option('--dir <DIR>', 'the directory of `certs init`', 'certs')
    .option('--node <ID>', 'a node: CN=ID, OU=node; server and client use')
    .option(
      '--host <HOST>',
      'an address or DNS name the node is reached at (repeatable; loopback is always included)',
      (v: string, prev: string[] = []) => [...prev, ...v.split(',')],
    )
    .option('--user <NAME>', 'a user: CN=NAME, OU=ROLE; client use')
    .option('--role <ROLE>', `the user's role: ${USER_ROLES.join(', ')}`)
    .option('--days <N>', 'validity in days (default 365)')
    .action((flags: IssueFlags) =>
      guarded(io, done, async () => {
        const d = days(flags.days);
        const opts = d !== undefined ? { days: d } : {};
        if ((flags.node === undefined) === (flags.user === undefined))
          throw new PkiError('give exactly one of --node ID or --user NAME --role ROLE');
        if (flags.node !== undefined) {
          if (flags.role !== undefined) throw new PkiError('--role is for users; a node certificate always has the role node');
          await report(
            io,
            `issued node certificate for ${flags.node}`,
            await issueNode(flags.dir, flags.node, { ...opts, hosts: flags.host ?? [] }),
          );
          return;
        }
        if (flags.role === undefined) throw new PkiError(`--user needs --role (${USER_ROLES.join(', ')})`);
        if (flags.host !== undefined) throw new PkiError('--host is for nodes; a user certificate is only a client certificate');
        await report(
          io,
          `issued ${flags.role} certificate for user ${flags.user}`,
          await issueUser(flags.dir, flags.user!, flags.role, opts),
        );
      }),
    );
}
