// palisade elect NAME VALUE [--ttl MS] [--wait-timeout MS] -- CMD ARGS...
//
// Campaigns for the election NAME with VALUE (what observers and `lock list` show) and runs CMD
// while leading; CMD's process group is killed if leadership is lost (exit 10).
import type { Command } from 'commander';
import { clientContext, withClientOptions, type ClientFlags, type Io } from '../context.js';
import { commandAfterDashes, HOLD_ENV, holdAndRun, holdFlags, type HoldFlags } from '../hold.js';

export function registerElect(program: Command, io: Io, done: (code: number) => void, argv: readonly string[]): void {
  withClientOptions(
    program
      .command('elect')
      .description('run CMD while leading the election NAME; kill it if leadership is lost (exit 10)')
      .argument('<NAME>', 'the election (1..1024 bytes)')
      .argument('<VALUE>', "this candidate's value, shown to observers while it leads")
      .argument('<CMD...>', 'the command and its arguments, after --'),
  )
    .option('--ttl <MS>', 'session TTL: leadership is lost this long after keep-alives stop (default 10000)')
    .option('--wait-timeout <MS>', 'give up (exit 6, CMD not run) if not leading within MS')
    .addHelpText(
      'after',
      `\nAs \`palisade lock\`: CMD runs in a process group of its own with ${HOLD_ENV.token},\n` +
        `${HOLD_ENV.name} (the election) and ${HOLD_ENV.session} set, gets SIGINT/SIGTERM passed on, and is\n` +
        `killed (exit 10) before anyone else could lead; otherwise palisade exits with CMD's code and resigns.\n`,
    )
    .action(async (name: string, value: string, args: string[], flags: ClientFlags & HoldFlags) => {
      const command = commandAfterDashes(args, argv, 'palisade elect NAME VALUE [options] -- CMD ARGS...');
      const ctx = clientContext(io, flags);
      const code = await holdAndRun(ctx, {
        what: 'leadership of',
        name,
        ...holdFlags(flags),
        command,
        acquire: (session, signal) => session.campaign(name, value, { signal }),
      });
      done(code);
    });
}
