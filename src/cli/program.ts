// The `palisade` command line, runnable in-process: run(argv, io) → exit code. Commander parses;
// every failure ends as one line on stderr and a documented exit code (exit-codes.ts).
import { Command, CommanderError } from 'commander';
import { registerAgent } from './commands/agent.js';
import { registerCerts } from './commands/certs.js';
import { registerEvents } from './commands/events.js';
import { registerPause } from './commands/pause.js';
import { registerSession } from './commands/session.js';
import { registerSwitchover } from './commands/switchover.js';
import { registerElect } from './commands/elect.js';
import { registerKv } from './commands/kv.js';
import { registerLock } from './commands/lock.js';
import { registerMembers } from './commands/members.js';
import { registerStatus } from './commands/status.js';
import { registerTransfer } from './commands/transfer.js';
import type { Io } from './context.js';
import { EXIT_CODES_HELP, ExitCode, exitCodeFor } from './exit-codes.js';

export const VERSION = '0.1.0';

/** Commander codes that mean "printed what was asked for", not a failure. */
const COMMANDER_OK = new Set(['commander.helpDisplayed', 'commander.version']);

function commandPath(cmd: Command | null): string {
  const names: string[] = [];
  for (let c = cmd; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * `done` takes an ExitCode, or the code of a command that `lock`/`elect` ran. `argv` is what
 * will be parsed: lock/elect check that their CMD is what follows `--`.
 */
export function buildProgram(io: Io, done: (code: number) => void, argv: readonly string[] = []): Command {
  const program = new Command('palisade');
  program
    .description('palisade: a Raft cluster that keeps exactly one node active')
    .version(VERSION, '-V, --version')
    .addHelpText('after', `\nEndpoints default to $PALISADE_ENDPOINTS, else 127.0.0.1:7101.\n\n${EXIT_CODES_HELP}`)
    .showSuggestionAfterError(true);
  registerAgent(program, io, done);
  registerStatus(program, io, done);
  registerMembers(program, io, done);
  registerTransfer(program, io, done);
  registerSwitchover(program, io, done);
  registerPause(program, io, done);
  registerEvents(program, io, done);
  registerKv(program, io, done);
  registerLock(program, io, done, argv);
  registerElect(program, io, done, argv);
  registerSession(program, io, done);
  registerCerts(program, io, done);

  // Every (sub)command: errors to our stderr, no process.exit, a hint after usage errors.
  const configure = (cmd: Command) => {
    cmd.exitOverride();
    cmd.configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(`${s.trimEnd()}\nRun "${commandPath(cmd)} --help" for usage.\n`),
    });
    for (const sub of cmd.commands) configure(sub);
  };
  configure(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. Never throws. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let code: number = ExitCode.Ok;
  const program = buildProgram(
    io,
    (c) => {
      code = c;
    },
    argv,
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (COMMANDER_OK.has(err.code)) return ExitCode.Ok;
      // Unknown flag or command, missing argument, bare `palisade`: a usage error.
      return ExitCode.Usage;
    }
    io.err(`palisade: ${oneLine(err)}\n`);
    return exitCodeFor(err);
  }
}

function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0];
}
