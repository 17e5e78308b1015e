// Prints the shape of src/ as Markdown: files and lines per part, the largest files, the imports
// between parts, import cycles between files and what breaks the layer rules (the same reading
// as test/arch/imports.test.ts). Usage: npx tsx scripts/import-graph.ts [SRC_DIR] (default: src).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importCycles, layerViolations, LAYER_RULES, partOf, readSourceGraph } from '../test/arch/import-graph.js';

const LARGEST = 15;

function main(): void {
  const srcDir = resolve(process.argv[2] ?? 'src');
  const graph = readSourceGraph(srcDir);
  const lines = new Map(graph.files.map((f) => [f, readFileSync(join(srcDir, f), 'utf8').split('\n').length - 1]));
  const parts = [...new Set(graph.files.map(partOf))].sort();
  const out: string[] = ['## Parts of src/ (files, lines)', '', '| part | files | lines |', '| --- | --- | --- |'];
  for (const p of parts) {
    const files = graph.files.filter((f) => partOf(f) === p);
    out.push(`| ${p} | ${files.length} | ${files.reduce((n, f) => n + lines.get(f)!, 0)} |`);
  }
  out.push(`| total | ${graph.files.length} | ${[...lines.values()].reduce((a, b) => a + b, 0)} |`);
  const over = graph.files.filter((f) => lines.get(f)! > 400);
  out.push('', `## Largest files (${over.length} over 400 lines)`, '', '| file | lines |', '| --- | --- |');
  for (const f of [...graph.files].sort((a, b) => lines.get(b)! - lines.get(a)!).slice(0, LARGEST))
    out.push(`| src/${f} | ${lines.get(f)} |`);
  out.push('', '## Imports between parts (importing part → imported part (import statements))', '');
  for (const p of parts) {
    const counts = new Map<string, number>();
    for (const e of graph.edges)
      if (partOf(e.from) === p && partOf(e.to) !== p) counts.set(partOf(e.to), (counts.get(partOf(e.to)) ?? 0) + 1);
    const targets = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `${t} (${n})`);
    out.push(
      `- ${p} → ${targets.length > 0 ? targets.join(', ') : '(nothing)'}${LAYER_RULES[p] === undefined ? '  [not in the layer table]' : ''}`,
    );
  }
  const cycles = importCycles(graph);
  out.push('', `## Import cycles between files: ${cycles.length}`, '', ...cycles.map((c) => `- ${c.map((f) => `src/${f}`).join(' → ')}`));
  const violations = layerViolations(graph.edges);
  out.push('', `## Imports against the layer rules: ${violations.length}`, '', ...violations.map((v) => `- ${v}`));
  console.log(out.join('\n'));
}

main();
