// palisade agent: runs one node in the foreground. Settings come from --config FILE (YAML, keys =
// flag names) overridden by flags; every problem is printed at once and the agent exits 2
// before anything is opened or written. SIGTERM/SIGINT stop the node gracefully (a leader hands
// over first) and exit 0.
import type { Command } from 'commander';
import { validateNodeConfig, type NodeConfig, type NodeConfigInput } from '../../server/config.js';
import { AGENT_OPTIONS, OptionKind, TLS_FIELDS, type AgentSettings, type TlsField } from '../agent-options.js';
import { mergeSettings, readConfigFile } from '../config-file.js';
import type { Io } from '../context.js';
import { ExitCode, exitCodeFor } from '../exit-codes.js';

/** Commander's parsed flags: one string per given option (absent options are undefined). */
export type AgentFlags = Partial<Record<keyof AgentSettings, string | boolean>> & {
  config?: string;
  /** Commander's negation: `--no-active` sets active = false (default true). */
  active?: boolean;
};

/** The TLS options by the field of the embedder's `tls` object: the current name, then the old ones. */
const TLS_OPTIONS = TLS_FIELDS.map((field) => {
  const named = AGENT_OPTIONS.filter((o) => o.tlsField === field);
  return { field, current: named.find((o) => o.deprecated !== true)!, old: named.filter((o) => o.deprecated === true) };
});

/** The node config's field names → the flag / YAML key an operator wrote. */
const FIELD_TO_KEY: readonly (readonly [RegExp, string])[] = [
  ...TLS_OPTIONS.map(({ field, current }) => [new RegExp(`\\btls\\.${field}\\b`, 'g'), current.key] as const),
  ...TLS_OPTIONS.map(({ field, current }) => [new RegExp(`\\b${field}\\b`, 'g'), current.key] as const),
  ...AGENT_OPTIONS.filter((o) => o.prop !== o.key).map((o) => [new RegExp(`\\b${o.prop}\\b`, 'g'), o.key] as const),
];

/** Rewrites a validateNodeConfig problem in the operator's vocabulary (data-dir, not dataDir). */
export function inFlagTerms(problem: string): string {
  return FIELD_TO_KEY.reduce((s, [re, key]) => s.replace(re, key), problem);
}

export function toNodeConfigInput(s: AgentSettings): NodeConfigInput {
  const input: NodeConfigInput = {};
  // Every option but the TLS files has the node config's name (TLS is one nested object).
  for (const o of AGENT_OPTIONS) {
    const value = s[o.prop];
    if (o.tlsField === undefined && value !== undefined) (input as Record<string, unknown>)[o.prop] = value;
  }
  const tls: Partial<Record<TlsField, string>> = {};
  for (const { field, current, old } of TLS_OPTIONS) {
    const value = [current, ...old].map((o) => s[o.prop] as string | undefined).find((v) => v !== undefined);
    if (value !== undefined) tls[field] = value;
  }
  if (Object.keys(tls).length > 0) input.tls = tls;
  return input;
}

/** A deprecated TLS flag (--tls-cert-file ...) and its new name given with different files. */
function tlsAliasProblems(s: AgentSettings): string[] {
  return TLS_OPTIONS.flatMap(({ current, old }) =>
    old
      .filter((o) => s[current.prop] !== undefined && s[o.prop] !== undefined && s[current.prop] !== s[o.prop])
      .map(
        (o) =>
          `${o.key}: "${String(s[o.prop])}" differs from ${current.key} "${String(s[current.prop])}" — ${o.key} is the old name of ${current.key}; give only ${current.key}`,
      ),
  );
}

/** File (if any) + flags → a node config input, or every problem found on the way. */
export function resolveAgentConfig(flags: AgentFlags): { input?: NodeConfigInput; config?: NodeConfig; problems: string[] } {
  const fromFlags: AgentSettings = {};
  for (const o of AGENT_OPTIONS) {
    const raw = flags[o.prop];
    // Flags are text; numbers are checked by the validator (which accepts numeric strings).
    if (raw !== undefined) (fromFlags as Record<string, unknown>)[o.prop] = raw;
  }
  if (flags.active === false) fromFlags.noActive = true;
  const file = flags.config !== undefined ? readConfigFile(flags.config) : { settings: {}, problems: [] };
  const settings = mergeSettings(file.settings, fromFlags);
  const input = toNodeConfigInput(settings);
  // A file that does not parse at all would only add "missing" noise; show its errors alone.
  if (file.problems.length > 0 && Object.keys(file.settings).length === 0 && flags.config !== undefined) {
    const unparsable = file.problems.some((p) => p.includes('fix the YAML syntax') || p.includes('cannot read'));
    if (unparsable) return { problems: [...file.problems] };
  }
  const { config, problems } = validateNodeConfig(input);
  const all = [...file.problems, ...tlsAliasProblems(settings), ...problems.map(inFlagTerms)];
  return all.length > 0 || config === undefined ? { problems: all } : { input, config, problems: [] };
}

export function formatProblems(problems: readonly string[]): string {
  return (
    `palisade agent: invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
    problems.map((p) => `  - ${p}\n`).join('') +
    'Nothing was started or written. Fix the above and run again (palisade agent --help lists every flag).\n'
  );
}

export async function runAgent(io: Io, flags: AgentFlags): Promise<ExitCode> {
  const { input, config, problems } = resolveAgentConfig(flags);
  if (input === undefined || config === undefined) {
    io.err(formatProblems(problems));
    return ExitCode.Usage;
  }
  // Loaded only here: client commands start fast without the server, LevelDB and pino.
  const { createNodeLogger, startNode } = await import('../../server/node.js');
  const logger = createNodeLogger(config.logLevel, config.id, config.cluster);
  // Every file the agent creates (LevelDB's too, which takes no mode) is private to its user;
  // hooks inherit this umask.
  process.umask(0o077);
  // Rotation: SIGHUP re-reads the TLS files (the node also notices changed files by itself).
  // Installed before the node starts: Node's default for SIGHUP ends the process, and a start
  // (LevelDB, a join) can take seconds during which logrotate or an operator may send one.
  // eslint-disable-next-line prefer-const -- assigned once below; a closure above reads it first (undefined until then)
  let reload: (() => void) | undefined;
  const onHangup = (): void => {
    if (reload === undefined) logger.info('SIGHUP before the node started: nothing to reload yet');
    else reload();
  };
  process.on('SIGHUP', onHangup);
  let node;
  try {
    node = await startNode({ ...input, logger });
  } catch (err) {
    process.off('SIGHUP', onHangup);
    const problemsOf = (err as { problems?: unknown }).problems;
    if (Array.isArray(problemsOf)) io.err(formatProblems(problemsOf.map((p) => inFlagTerms(String(p)))));
    else io.err(`palisade agent: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    logger.flush();
    return exitCodeFor(err);
  }
  logger.info(
    { address: node.address, clientAddress: node.clientAddress, http: node.httpAddress },
    'agent running; SIGTERM or Ctrl-C stops it gracefully',
  );
  const running = node;
  reload = (): void => {
    try {
      const { changed } = running.reloadCertificates();
      logger.info({ changed }, changed ? 'SIGHUP: TLS certificates reloaded' : 'SIGHUP: TLS files unchanged');
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'SIGHUP: TLS files not reloaded, the previous certificate stays in use');
    }
  };
  const stop = new Promise<'signal'>((resolve) => {
    if (io.signal.aborted) resolve('signal');
    else io.signal.addEventListener('abort', () => resolve('signal'), { once: true });
  });
  // The node may also stop on its own after a fatal error (e.g. a failed disk write).
  const outcome = await Promise.race([stop, node.stopped]).finally(() => process.off('SIGHUP', onHangup));
  if (outcome !== 'signal') {
    const why = outcome.error instanceof Error ? outcome.error.message : String(outcome.error ?? 'unknown reason');
    io.err(`palisade agent: the node stopped on its own: ${why}\n`);
    logger.flush();
    if (outcome.error === undefined) return ExitCode.Ok;
    // A removed node has its own code: restarting it as is would only stop it again.
    return exitCodeFor(outcome.error) === ExitCode.Removed ? ExitCode.Removed : ExitCode.Failure;
  }
  logger.info('signal received: stopping (a leader hands over first)');
  await node.stop();
  logger.info('agent stopped');
  logger.flush();
  return ExitCode.Ok;
}

export function registerAgent(program: Command, io: Io, done: (code: ExitCode) => void): void {
  const cmd = program
    .command('agent')
    .description('run a node in the foreground (logs JSON lines to stdout)')
    .option('--config <FILE>', 'YAML file whose keys are these flag names; flags override it');
  for (const o of AGENT_OPTIONS) {
    // `--no-active` is commander's negation of an implicit `--active` (flags.active === false).
    if (o.kind === OptionKind.Bool) cmd.option(`--${o.key}`, o.help);
    else cmd.option(`--${o.key} <${o.placeholder}>`, o.help);
  }
  cmd.addHelpText(
    'after',
    `
A new cluster: start every founding node with the same --peers (each includes itself):
  palisade agent --id n1 --listen 127.0.0.1:7101 --http 127.0.0.1:8101 --data-dir ./data/n1 \\
    --peers n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103
A node added later: palisade members add n4 127.0.0.1:7104, then start it with --join 127.0.0.1:7101.
The active role: --on-promote/--on-demote/--on-fence run executables (no shell) with PALISADE_EVENT,
PALISADE_NODE_ID, PALISADE_EPOCH, PALISADE_TERM, PALISADE_PREVIOUS_ACTIVE, PALISADE_TARGET, PALISADE_REASON,
PALISADE_CLUSTER. The agent refuses timing settings under which two nodes could be active at once and
prints the inequality that failed. Fencing is explicit: --fencing hook (with --on-fence) or lease.
Config file: palisade agent --config n1.yaml   (keys as above: id, listen, data-dir, peers: {n1: ...}, ...)`,
  );
  cmd.action(async (flags: AgentFlags) => done(await runAgent(io, flags)));
}
