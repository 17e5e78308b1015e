// The agent's YAML file. Its keys are the agent's flag names (`data-dir: ./data/n1`); flags win
// over the file. Every problem is collected with its line and column, so one run shows them all.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AGENT_OPTIONS, closestKey, coerceOption, optionSpec, type AgentSettings } from './agent-options.js';

type Yaml = typeof import('yaml');
let yamlModule: Yaml | undefined;

/**
 * The YAML parser, loaded on the first config file rather than at start-up: an agent without
 * --config, and every other command, starts sooner without it. A synchronous require keeps the
 * callers synchronous (yaml is a CommonJS package, the same module an import would give).
 */
function yaml(): Yaml {
  yamlModule ??= createRequire(import.meta.url)('yaml') as Yaml;
  return yamlModule;
}

export interface ParsedSettings {
  readonly settings: AgentSettings;
  /** Each "where: what is wrong — how to fix it". Empty when the source is fine. */
  readonly problems: readonly string[];
}

/** Parses the text of a config file; `file` names it in problems. */
export function parseConfigYaml(text: string, file: string): ParsedSettings {
  const { isMap, isScalar, LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return file;
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const problems: string[] = [];
  for (const e of doc.errors) problems.push(`${at(e.pos[0])}: ${firstLine(e.message)} — fix the YAML syntax`);
  if (problems.length > 0) return { settings: {}, problems };

  const settings: AgentSettings = {};
  if (doc.contents === null) return { settings, problems }; // an empty file sets nothing
  if (!isMap(doc.contents)) {
    return { settings, problems: [`${at(doc.contents.range?.[0])}: expected a map of settings (key: value lines), e.g. "id: n1"`] };
  }
  for (const pair of doc.contents.items) {
    const keyNode = pair.key;
    const where = at(isScalar(keyNode) ? keyNode.range?.[0] : undefined);
    const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
    if (key === undefined) {
      problems.push(`${where}: keys must be plain names like "data-dir"`);
      continue;
    }
    const spec = optionSpec(key);
    if (spec === undefined) {
      const hint = closestKey(key);
      problems.push(
        `${where}: unknown key "${key}" — ${hint !== undefined ? `did you mean "${hint}"?` : `valid keys: ${AGENT_OPTIONS.map((o) => o.key).join(', ')}`}`,
      );
      continue;
    }
    const valueNode = pair.value as { range?: [number, number, number]; toJSON?: () => unknown } | null;
    const raw = valueNode !== null && typeof valueNode.toJSON === 'function' ? valueNode.toJSON() : null;
    const { value, problem } = coerceOption(spec, raw, `${at(valueNode?.range?.[0] ?? keyNode.range?.[0])}: ${key}`);
    if (problem !== undefined) problems.push(problem);
    else (settings as Record<string, unknown>)[spec.prop] = value;
  }
  return { settings, problems };
}

/** Reads and parses a config file; an unreadable file is a problem, not an exception. */
export function readConfigFile(path: string): ParsedSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    return { settings: {}, problems: [`${path}: cannot read the config file (${why}) — check the --config path`] };
  }
  return parseConfigYaml(text, path);
}

/** File settings overridden by flag settings: a flag that was given wins, key by key. */
export function mergeSettings(file: AgentSettings, flags: AgentSettings): AgentSettings {
  const merged: Record<string, unknown> = { ...file };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) merged[k] = v;
  return merged;
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}
