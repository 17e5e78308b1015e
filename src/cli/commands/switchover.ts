// palisade switchover [--to ID]: move the active role gracefully. The leader checks the target
// (a reachable, caught-up voter that may hold the role), the active node demotes first, then
// leadership moves, then the target promotes; the command returns once the promotion committed.
import type { Command } from 'commander';
import { clientContext, usingClient, withClientOptions, type ClientFlags, type Io } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { renderJson } from '../render.js';

/** A switchover runs hooks on two nodes: its default budget is longer than other commands'. */
export const SWITCHOVER_TIMEOUT_MS = 30_000;

export function registerSwitchover(program: Command, io: Io, done: (code: ExitCode) => void): void {
  withClientOptions(
    program.command('switchover').description('move the active role to another node (old demotes, then the new one promotes)'),
  )
    .option('--to <ID>', 'the voter that should become active (default: the best caught-up voter)')
    .action(async (flags: ClientFlags & { to?: string }) => {
      const ctx = clientContext(io, { ...flags, timeout: flags.timeout ?? String(SWITCHOVER_TIMEOUT_MS) });
      const r = await usingClient(ctx, (c) => c.switchover(flags.to ?? ''));
      ctx.io.out(
        ctx.json
          ? renderJson({ from: r.from === '' ? null : r.from, to: r.to, epoch: r.epoch, durationMs: r.durationMs })
          : `active role moved ${r.from === '' ? '' : `from ${r.from} `}to ${r.to} (epoch ${r.epoch}) in ${r.durationMs} ms\n`,
      );
      done(ExitCode.Ok);
    });
}
