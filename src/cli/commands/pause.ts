// palisade pause / resume: maintenance mode. While paused nobody is promoted or demoted
// automatically (an active node whose lease runs out still demotes: safety first).
import type { Command } from 'commander';
import { clientContext, usingClient, withClientOptions, type ClientFlags, type Io } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { renderJson } from '../render.js';

export function registerPause(program: Command, io: Io, done: (code: ExitCode) => void): void {
  const action = (pause: boolean) => async (flags: ClientFlags) => {
    const ctx = clientContext(io, flags);
    const r = await usingClient(ctx, (c) => (pause ? c.pause() : c.resume()));
    ctx.io.out(
      ctx.json
        ? renderJson({ paused: r.paused })
        : r.paused
          ? 'paused: no automatic promotion or demotion until `palisade resume`\n'
          : 'resumed: automatic promotion and demotion are back on\n',
    );
    done(ExitCode.Ok);
  };
  withClientOptions(program.command('pause').description('maintenance: stop automatic promotion and demotion')).action(action(true));
  withClientOptions(program.command('resume').description('end maintenance: automatic promotion and demotion again')).action(action(false));
}
