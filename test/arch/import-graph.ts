// The import graph of src/ and the layer rules it must follow (README "Layout"). A part is a
// folder of src/ (src/server/...) or one of the two files at its root: errors.ts (the error
// classes every layer may throw) and index.ts (the package's public surface, on top).
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { importsOf, tsFiles } from './source-scan.js';

/**
 * Which part may import which. The order is the build order of a node: the pure core, its disk
 * and its wire, the replicated state, the active role that acts on that state, the client API
 * served over a port the server implements, then the server that wires all of these. The client
 * library stands beside the server side on the wire alone: neither imports the other (a node
 * calls its peers with its own identity through transport/, as etcd's server asks its peers for
 * the members over its peer transport rather than through clientv3). The CLI runs a node through
 * the server's public entries and talks to clusters through the client. A part may always import
 * its own files; anything not listed here is refused.
 */
export const LAYER_RULES: Readonly<Record<string, readonly string[]>> = {
  raft: [],
  'errors.ts': [],
  storage: ['raft', 'errors.ts'],
  transport: ['raft', 'errors.ts'],
  statemachine: ['raft', 'errors.ts'],
  ha: ['statemachine', 'raft', 'errors.ts'],
  api: ['ha', 'statemachine', 'transport', 'raft', 'errors.ts'],
  client: ['transport', 'errors.ts'],
  server: ['api', 'ha', 'statemachine', 'storage', 'transport', 'raft', 'errors.ts'],
  cli: ['server', 'client', 'errors.ts'],
  'index.ts': ['server', 'client', 'ha', 'errors.ts'],
};

/**
 * Parts that others may enter only through some of their files. Outside server/, a node is
 * started with startNode (node.ts) and described by its public configuration: the validation
 * and its types (config.ts) and the table of options the agent's flags and YAML keys derive
 * from (node-options.ts). The rest of the server is its inside.
 */
export const PUBLIC_ENTRIES: Readonly<Record<string, readonly string[]>> = {
  server: ['server/node.ts', 'server/config.ts', 'server/node-options.ts'],
};

export interface ImportEdge {
  /** Importing file, relative to src/ with '/' separators (server/join.ts, index.ts). */
  readonly from: string;
  /** Imported file, relative to src/ (or to the repository root, starting with '../', when outside src/). */
  readonly to: string;
  readonly line: number;
}

export interface SourceGraph {
  /** Every .ts file under src/, relative to src/, sorted. */
  readonly files: readonly string[];
  /**
   * Every relative import between them, type-only ones too (erased at run time, still a
   * dependency of the design). Packages and node: built-ins are not edges.
   */
  readonly edges: readonly ImportEdge[];
}

const posix = (p: string) => p.split(sep).join('/');

/** Reads every .ts file under `srcDir` and resolves its relative imports ('x.js' is the file 'x.ts'). */
export function readSourceGraph(srcDir: string): SourceGraph {
  const files = tsFiles(srcDir)
    .map((f) => posix(relative(srcDir, f)))
    .sort();
  const edges = files.flatMap((file) =>
    importsOf(readFileSync(join(srcDir, file), 'utf8'))
      .filter(({ spec }) => spec.startsWith('./') || spec.startsWith('../'))
      .map(({ spec, line }) => ({
        from: file,
        to: posix(relative(srcDir, resolve(srcDir, dirname(file), spec))).replace(/\.js$/, '.ts'),
        line,
      })),
  );
  return { files, edges };
}

/** The part a file (relative to src/) belongs to: its top folder, or itself at the root. */
export function partOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? file : file.slice(0, slash);
}

/** Every import that breaks a rule, as `file:line: what and why` (empty when the graph obeys). */
export function layerViolations(
  edges: readonly ImportEdge[],
  rules: Readonly<Record<string, readonly string[]>> = LAYER_RULES,
  entries: Readonly<Record<string, readonly string[]>> = PUBLIC_ENTRIES,
): string[] {
  const out: string[] = [];
  for (const { from, to, line } of edges) {
    const where = `src/${from}:${line}`;
    const [a, b] = [partOf(from), partOf(to)];
    const allowed = rules[a];
    if (to.startsWith('../')) out.push(`${where}: imports ${to.slice(3)}, outside src/`);
    else if (allowed === undefined)
      out.push(`${where}: ${a} is not in the layer table (test/arch/import-graph.ts LAYER_RULES): add it with the parts it may import`);
    else if (a === b) continue;
    else if (!allowed.includes(b))
      out.push(
        `${where}: ${a} may not import ${b} (src/${to}); ${a} may import ${allowed.length > 0 ? allowed.join(', ') : 'nothing outside itself'}`,
      );
    else if (entries[b] !== undefined && !entries[b].includes(to))
      out.push(`${where}: imports src/${to}, inside ${b}/; outside ${b}/ import only ${entries[b].map((e) => `src/${e}`).join(', ')}`);
  }
  return out;
}

/**
 * Every import cycle between files, one per group of files that reach each other (Tarjan's
 * strongly connected components), each written as a closed path a → b → … → a.
 */
export function importCycles(graph: SourceGraph): string[][] {
  const next = new Map<string, string[]>(graph.files.map((f) => [f, []]));
  for (const e of graph.edges) next.get(e.from)?.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!next.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || next.get(v)!.includes(v)) groups.push(group);
  };
  for (const f of graph.files) if (!index.has(f)) visit(f);
  return groups.map((g) => closedPath(g, next));
}

/** A shortest cycle through the group's first file (in sorted order), staying inside the group. */
function closedPath(group: readonly string[], next: ReadonlyMap<string, readonly string[]>): string[] {
  const inGroup = new Set(group);
  const start = [...group].sort()[0];
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i];
    for (const w of next.get(v) ?? []) {
      if (!inGroup.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u: string | undefined = v; u !== undefined && u !== start; u = cameFrom.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  throw new Error(`no cycle through ${start} in its own strongly connected group`);
}
