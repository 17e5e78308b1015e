#!/usr/bin/env node
// The `palisade` binary: wires the process (argv, stdout, stderr, env, signals) to run().
// First SIGINT/SIGTERM asks the command to stop (an agent stops its node gracefully); a second
// one exits at once.
import { run } from './program.js';

// grpc-js hands Node the dialled IP address as the TLS server name, which Node flags on every
// TLS call (DEP0123). The certificate is still checked against that address (its IP SAN), so the
// warning tells an operator nothing; every other warning is printed as usual.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = (...args: unknown[]) => {
  const code = typeof args[1] === 'object' && args[1] !== null ? (args[1] as { code?: unknown }).code : args[2];
  if (code !== 'DEP0123') emitWarning(...args);
};

const controller = new AbortController();
// A command that passes signals on to its child (lock, elect) must not leave that child running
// without the lock: while it listens, it decides what a second signal does.
const listeners = new Set<(signal: NodeJS.Signals) => void>();
let signals = 0;
const onSignal = (name: NodeJS.Signals) => {
  signals++;
  for (const listener of listeners) listener(name);
  if (signals === 1) controller.abort(name);
  else if (listeners.size === 0) process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await run(process.argv.slice(2), {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  env: process.env,
  signal: controller.signal,
  onSignal: (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
});
// Flush stdout (it may be a pipe) before leaving; lingering handles must not keep us alive.
process.stdout.write('', () => process.exit(code));
