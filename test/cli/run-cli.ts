// Runs the CLI in-process and captures what it prints.
import { run } from '../../src/cli/program.js';

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function runCli(
  argv: readonly string[],
  opts: { env?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await run(argv, {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    env: opts.env ?? {},
    signal: opts.signal ?? new AbortController().signal,
  });
  return { code, out, err };
}
