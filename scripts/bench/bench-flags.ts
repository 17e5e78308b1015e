// A benchmark's command line is checked before anything starts: a mistyped option (or `--help`
// where the script has none) would otherwise start a run of many minutes with the defaults.

export interface FlagSpec {
  /** Options without a value, e.g. `--quick`. */
  readonly switches?: readonly string[];
  /** Options followed by their value, e.g. `--reps 10`. */
  readonly values?: readonly string[];
}

/** The options of `argv` that `spec` does not know (a value is skipped after its option). */
export function unknownFlags(spec: FlagSpec, argv: readonly string[]): string[] {
  const unknown: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (spec.values?.includes(argv[i])) i++;
    else if (!spec.switches?.includes(argv[i])) unknown.push(argv[i]);
  }
  return unknown;
}

/** On `--help` prints the options and exits 0; on an option not in `spec`, exits 2 naming it. */
export function checkFlags(script: string, spec: FlagSpec, argv: readonly string[] = process.argv.slice(2)): void {
  const options = [...(spec.switches ?? []), ...(spec.values ?? []).map((v) => `${v} VALUE`)];
  const usage = `usage: npx tsx scripts/bench/${script}${options.map((o) => ` [${o}]`).join('')}`;
  if (argv.includes('--help')) {
    console.log(usage);
    process.exit(0);
  }
  const unknown = unknownFlags(spec, argv);
  if (unknown.length === 0) return;
  process.stderr.write(`${script}: unknown option ${unknown.join(', ')}\n${usage}\n`);
  process.exit(2);
}
