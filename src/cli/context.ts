// What every command gets: where to write, the environment, a stop signal (SIGINT/SIGTERM in
// the real binary), and the shared client flags. Commands take this instead of touching
// `process`, so tests run them in-process.
import type { Command } from 'commander';
import { connect } from '../client/connect.js';
import { parseEndpoints } from '../client/endpoints.js';
import type { PalisadeClient } from '../client/types.js';
import { InvalidArgumentError } from '../errors.js';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted when the user asks the command to stop (Ctrl-C, SIGTERM). */
  readonly signal: AbortSignal;
}

export const DEFAULT_ENDPOINT = '127.0.0.1:7101';
export const ENDPOINTS_ENV = 'PALISADE_ENDPOINTS';
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;

/** The options every client command accepts, as commander parses them. */
export interface ClientFlags {
  endpoints?: string;
  json?: boolean;
  timeout?: string;
}

export interface ClientContext {
  readonly io: Io;
  readonly endpoints: readonly string[];
  readonly json: boolean;
  readonly timeoutMs: number;
}

/** Adds --endpoints, --json and --timeout to a command. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .option('--endpoints <HOST:PORT,...>', `nodes to ask (default: $${ENDPOINTS_ENV}, else ${DEFAULT_ENDPOINT})`)
    .option('--json', 'print JSON instead of tables')
    .option('--timeout <MS>', `give up after this many milliseconds (default ${DEFAULT_COMMAND_TIMEOUT_MS})`);
}

export function clientContext(io: Io, flags: ClientFlags): ClientContext {
  const endpoints = parseEndpoints(flags.endpoints ?? nonEmpty(io.env[ENDPOINTS_ENV]) ?? DEFAULT_ENDPOINT);
  let timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS;
  if (flags.timeout !== undefined) {
    if (!/^[0-9]+$/.test(flags.timeout) || Number(flags.timeout) < 1) {
      throw new InvalidArgumentError(`--timeout: "${flags.timeout}" is not a positive whole number of milliseconds — e.g. --timeout 5000`);
    }
    timeoutMs = Number(flags.timeout);
  }
  return { io, endpoints, json: flags.json === true, timeoutMs };
}

export function openClient(ctx: ClientContext, endpoints: readonly string[] = ctx.endpoints): PalisadeClient {
  return connect(endpoints, { timeoutMs: ctx.timeoutMs });
}

/** Runs `f` with a client and always closes it. */
export async function usingClient<T>(ctx: ClientContext, f: (client: PalisadeClient) => Promise<T>): Promise<T> {
  const client = openClient(ctx);
  try {
    return await f(client);
  } finally {
    client.close();
  }
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === '' ? undefined : s;
}
