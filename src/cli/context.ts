// What every command gets: where to write, the environment, a stop signal (SIGINT/SIGTERM in
// the real binary), and the shared client flags. Commands take this instead of touching
// `process`, so tests run them in-process.
import type { Command } from 'commander';
import { connect } from '../client/connect.js';
import { channelCredentialsFor, readTokenFile, type ClientTls } from '../client/credentials.js';
import { parseEndpoints } from '../client/endpoints.js';
import type { PalisadeClient } from '../client/types.js';
import { InvalidArgumentError } from '../errors.js';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted when the user asks the command to stop (Ctrl-C, SIGTERM). */
  readonly signal: AbortSignal;
  /**
   * Every SIGINT/SIGTERM from now on, for a command that passes them on to a child (`lock`,
   * `elect`); returns an unsubscribe. While one listens, a second signal does not end the CLI.
   * Absent in-process: no signals then.
   */
  readonly onSignal?: (listener: (signal: NodeJS.Signals) => void) => () => void;
}

export const DEFAULT_ENDPOINT = '127.0.0.1:7101';
export const ENDPOINTS_ENV = 'PALISADE_ENDPOINTS';
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;
/** Credentials from the environment, like etcdctl's ETCDCTL_CACERT / _CERT / _KEY; flags win. */
export const CREDENTIAL_ENV = {
  cacert: 'PALISADE_CACERT',
  cert: 'PALISADE_CERT',
  key: 'PALISADE_KEY',
  tokenFile: 'PALISADE_TOKEN_FILE',
} as const;

/** The options every client command accepts, as commander parses them. */
export interface ClientFlags {
  endpoints?: string;
  json?: boolean;
  timeout?: string;
  cacert?: string;
  cert?: string;
  key?: string;
  tokenFile?: string;
}

export interface ClientContext {
  readonly io: Io;
  readonly endpoints: readonly string[];
  readonly json: boolean;
  readonly timeoutMs: number;
  readonly tls?: ClientTls;
  readonly token?: string;
}

/** Adds --endpoints, --json and --timeout to a command. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .option('--endpoints <HOST:PORT,...>', `nodes to ask (default: $${ENDPOINTS_ENV}, else ${DEFAULT_ENDPOINT})`)
    .option('--json', 'print JSON instead of tables')
    .option('--timeout <MS>', `give up after this many milliseconds (default ${DEFAULT_COMMAND_TIMEOUT_MS})`)
    .option('--cacert <FILE>', `CA certificate of a TLS cluster (default: $${CREDENTIAL_ENV.cacert})`)
    .option('--cert <FILE>', `client certificate: CN = user, OU = role (default: $${CREDENTIAL_ENV.cert})`)
    .option('--key <FILE>', `key of --cert (default: $${CREDENTIAL_ENV.key})`)
    .option('--token-file <FILE>', `file holding a bearer token the agents know (default: $${CREDENTIAL_ENV.tokenFile})`);
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
  const tls = clientTls(io, flags);
  // Read the files now: a bad path is a usage error of this command, not an unreachable node.
  if (tls !== undefined) channelCredentialsFor(tls);
  const tokenFile = flags.tokenFile ?? nonEmpty(io.env[CREDENTIAL_ENV.tokenFile]);
  return {
    io,
    endpoints,
    json: flags.json === true,
    timeoutMs,
    ...(tls !== undefined ? { tls } : {}),
    ...(tokenFile !== undefined ? { token: readTokenFile(tokenFile) } : {}),
  };
}

/** --cacert/--cert/--key (each else its environment variable) → TLS settings, or none. */
function clientTls(io: Io, flags: ClientFlags): ClientTls | undefined {
  const cacert = flags.cacert ?? nonEmpty(io.env[CREDENTIAL_ENV.cacert]);
  const cert = flags.cert ?? nonEmpty(io.env[CREDENTIAL_ENV.cert]);
  const key = flags.key ?? nonEmpty(io.env[CREDENTIAL_ENV.key]);
  if (cacert === undefined) {
    if (cert !== undefined || key !== undefined) {
      throw new InvalidArgumentError(
        `--cert/--key need --cacert (or $${CREDENTIAL_ENV.cacert}): the CA that signed the nodes' certificates`,
      );
    }
    return undefined;
  }
  if ((cert === undefined) !== (key === undefined)) {
    throw new InvalidArgumentError(
      `--cert and --key go together (or $${CREDENTIAL_ENV.cert} and $${CREDENTIAL_ENV.key}): give both, or neither to use only --token-file`,
    );
  }
  return { caFile: cacert, ...(cert !== undefined && key !== undefined ? { certFile: cert, keyFile: key } : {}) };
}

export function openClient(ctx: ClientContext, endpoints: readonly string[] = ctx.endpoints): PalisadeClient {
  return connect(endpoints, {
    timeoutMs: ctx.timeoutMs,
    ...(ctx.tls !== undefined ? { tls: ctx.tls } : {}),
    ...(ctx.token !== undefined ? { token: ctx.token } : {}),
  });
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
