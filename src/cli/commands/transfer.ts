// palisade transfer --to ID: hand leadership to another voter (e.g. before maintenance).
import type { Command } from 'commander';
import { clientContext, usingClient, withClientOptions, type ClientFlags, type Io } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { renderJson } from '../render.js';

export function registerTransfer(program: Command, io: Io, done: (code: ExitCode) => void): void {
  withClientOptions(program.command('transfer').description('transfer leadership to another voter'))
    .requiredOption('--to <ID>', 'the voter that should become leader')
    .action(async (flags: ClientFlags & { to: string }) => {
      const ctx = clientContext(io, flags);
      const r = await usingClient(ctx, (c) => c.transfer(flags.to));
      ctx.io.out(ctx.json ? renderJson({ leader: r.leader, term: r.term }) : `leader is now ${r.leader} (term ${r.term})\n`);
      done(ExitCode.Ok);
    });
}
