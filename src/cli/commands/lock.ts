// palisade lock NAME [--ttl MS] [--semaphore N] [--wait-timeout MS] -- CMD ARGS... | lock list [PREFIX]
//
// `lock` runs CMD while holding the lock (or one of N slots of a semaphore) and kills CMD's
// process group if the lock is lost (exit 10); otherwise it exits with CMD's code. `lock list`
// shows locks, semaphores and elections with their holders, waiters and fencing tokens.
import type { Command } from 'commander';
import type { QueueInfo } from '../../client/coordination-types.js';
import { InvalidArgumentError } from '../../errors.js';
import { clientContext, usingClient, withClientOptions, type ClientFlags, type Io } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { commandAfterDashes, HOLD_ENV, holdAndRun, holdFlags, type HoldFlags } from '../hold.js';
import { Align, renderJson, renderTable } from '../render.js';

/** One row per holder and waiter; a queue with neither (a lock-delay running) gets one row. */
export function queueTable(queues: readonly QueueInfo[]): string {
  const rows: string[][] = [];
  for (const q of queues) {
    const kind = q.kind === 'semaphore' ? `semaphore/${q.limit}` : q.kind;
    const shown = q.delayed ? `${kind} (delayed)` : kind;
    for (const h of q.holders) rows.push([q.name, shown, 'holder', h.sessionId, h.owner, String(h.token), h.value]);
    q.waiters.forEach((w, i) => rows.push([q.name, shown, `waiter ${i + 1}`, w.sessionId, w.owner, '', w.value]));
    if (q.holders.length === 0 && q.waiters.length === 0) rows.push([q.name, shown, '', '', '', '', '']);
  }
  return renderTable(
    [
      { header: 'NAME' },
      { header: 'KIND' },
      { header: 'ROLE' },
      { header: 'SESSION', align: Align.Right },
      { header: 'OWNER' },
      { header: 'TOKEN', align: Align.Right },
      { header: 'VALUE' },
    ],
    rows,
  );
}

function semaphoreFlag(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1 || Number(raw) > 2 ** 32 - 1) {
    throw new InvalidArgumentError(`--semaphore: "${raw}" is not a whole number of slots of at least 1 — e.g. --semaphore 3`);
  }
  return Number(raw);
}

export function registerLock(program: Command, io: Io, done: (code: number) => void, argv: readonly string[]): void {
  const lock = withClientOptions(
    program
      .command('lock')
      .description('run CMD while holding the lock NAME; kill it if the lock is lost (exit 10)')
      .argument('<NAME>', 'the lock (1..1024 bytes; "list" is the subcommand below)')
      .argument('<CMD...>', 'the command and its arguments, after --'),
  )
    .option('--ttl <MS>', 'session TTL: the lock is lost this long after keep-alives stop (default 10000)')
    .option('--semaphore <N>', 'take one of N slots of the semaphore NAME instead of the lock')
    .option('--wait-timeout <MS>', 'give up (exit 6, CMD not run) if not granted within MS')
    .addHelpText(
      'after',
      `\nCMD runs in a process group of its own with ${HOLD_ENV.token} (the fencing token: pass it to\n` +
        `what CMD writes, e.g. \`palisade kv put --if-token NAME=$${HOLD_ENV.token}\`), ${HOLD_ENV.name} and\n` +
        `${HOLD_ENV.session} set. SIGINT/SIGTERM are passed on to it. When the lock can no longer be\n` +
        `counted on, CMD's group gets SIGTERM and then SIGKILL, before the cluster could grant the lock\n` +
        `to anyone else, and palisade exits 10. Otherwise it exits with CMD's code once the lock is released.\n`,
    )
    .action(async (name: string, args: string[], flags: ClientFlags & HoldFlags & { semaphore?: string }) => {
      const command = commandAfterDashes(args, argv, 'palisade lock NAME [options] -- CMD ARGS...');
      const ctx = clientContext(io, flags);
      const limit = semaphoreFlag(flags.semaphore);
      const code = await holdAndRun(ctx, {
        what: limit === undefined ? 'lock' : 'semaphore',
        name,
        ...holdFlags(flags),
        command,
        acquire: (session, signal) => (limit === undefined ? session.lock(name, { signal }) : session.semaphore(name, limit, { signal })),
      });
      done(code);
    });

  withClientOptions(
    lock
      .command('list')
      .description('locks, semaphores and elections with their holders, waiters and tokens')
      .argument('[PREFIX]', 'only names starting with PREFIX'),
  )
    .option('--serializable', 'answer from the contacted node without a ReadIndex round (may be stale)')
    .action(async (prefix: string | undefined, _own: unknown, cmd: Command) => {
      // `lock` has the client options too and takes them first (`lock list --json`): merge.
      const flags = cmd.optsWithGlobals<ClientFlags & { serializable?: boolean }>();
      if (argv.includes('--')) {
        throw new InvalidArgumentError('"lock list" lists locks and runs no command; a lock named "list" cannot be taken from the CLI');
      }
      const ctx = clientContext(io, flags);
      const queues = await usingClient(ctx, (c) => c.locks.list(prefix ?? '', { serializable: flags.serializable === true }));
      ctx.io.out(ctx.json ? renderJson({ queues }) : queueTable(queues));
      done(ExitCode.Ok);
    });
}
