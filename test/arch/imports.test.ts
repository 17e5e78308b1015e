// Architecture rules. (1) STYLE.md "Pure core": src/raft/ imports nothing outside itself and
// touches no clock, timer, randomness or process. (2) README "Layout": each part of src/ imports
// only the parts below it (import-graph.ts LAYER_RULES), and no two files import each other,
// even through others. A plain source scan is enough: the code is written to be read, so
// anything clever enough to dodge this would not pass review.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCycles, layerViolations, LAYER_RULES, partOf, readSourceGraph, type ImportEdge } from './import-graph.js';
import { importsOf, stripSource, tsFiles } from './source-scan.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');
const CORE = join(SRC, 'raft');

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly what: string;
}

const FORBIDDEN: readonly { re: RegExp; what: string }[] = [
  { re: /\bDate\b/, what: 'Date (time enters the core only as tick())' },
  { re: /\bMath\s*\.\s*random\b/, what: 'Math.random (use the injected Rng)' },
  { re: /\bsetTimeout\b/, what: 'setTimeout' },
  { re: /\bsetInterval\b/, what: 'setInterval' },
  { re: /\bsetImmediate\b/, what: 'setImmediate' },
  { re: /\bprocess\b/, what: 'process' },
  { re: /\bperformance\b/, what: 'performance' },
  { re: /\brequire\s*\(/, what: 'require()' },
];

/** Check one core source file. `file` is its path; imports must resolve inside `coreDir`. */
export function scanSource(file: string, src: string, coreDir: string = CORE): Violation[] {
  const violations: Violation[] = [];
  for (const { spec, line } of importsOf(src)) {
    if (spec.startsWith('node:')) {
      violations.push({ file, line, what: `imports Node built-in ${spec}` });
    } else if (!spec.startsWith('./') && !spec.startsWith('../')) {
      violations.push({ file, line, what: `imports package ${spec}` });
    } else {
      const target = resolve(dirname(file), spec);
      if (target !== coreDir && !target.startsWith(coreDir + sep)) {
        violations.push({ file, line, what: `imports ${spec}, outside src/raft/` });
      }
    }
  }
  const bare = stripSource(src, true);
  bare.split('\n').forEach((text, k) => {
    for (const f of FORBIDDEN) if (f.re.test(text)) violations.push({ file, line: k + 1, what: `uses ${f.what}` });
  });
  return violations;
}

describe('architecture: the Raft core is pure', () => {
  test('no file in src/raft/ imports outside src/raft/ or touches time, timers, randomness or the process', () => {
    const files = tsFiles(CORE);
    assert.ok(files.length >= 10, `found only ${files.length} core files`);
    const violations = files.flatMap((f) => scanSource(f, readFileSync(f, 'utf8')));
    const report = violations.map((v) => `${relative(ROOT, v.file)}:${v.line}: ${v.what}`).join('\n');
    assert.equal(report, '', `the core must stay pure:\n${report}`);
  });

  describe('the scanner itself', () => {
    const file = join(CORE, 'bad.ts');
    const whats = (src: string) => scanSource(file, src).map((v) => `${v.line}: ${v.what}`);

    test('flags node: modules, packages, relative paths escaping src/raft/ and dynamic imports', () => {
      const src = [
        "import { readFileSync } from 'node:fs';",
        "import pino from 'pino';",
        "import type { X } from '../server/x.js';",
        "export * from '../../test/raft/harness.js';",
        "const m = await import('node:timers');",
        "import { ok } from './types.js';",
        "import './sub/ok.js';",
        "import 'side-effect';",
      ].join('\n');
      assert.deepEqual(whats(src), [
        '1: imports Node built-in node:fs',
        '2: imports package pino',
        '3: imports ../server/x.js, outside src/raft/',
        '4: imports ../../test/raft/harness.js, outside src/raft/',
        '5: imports Node built-in node:timers',
        '8: imports package side-effect',
      ]);
    });

    test('flags Date, Math.random, timers, process and performance in code', () => {
      const src = [
        'const now = Date.now();',
        'const r = Math.random();',
        'setTimeout(() => {}, 1);',
        'const h = setInterval(f, 5);',
        'if (process.env.X) {}',
        'const t = performance.now();',
        'const ok = this.processReady(x);',
        'const msg = `at ${new Date()}`;',
      ].join('\n');
      assert.deepEqual(whats(src), [
        '1: uses Date (time enters the core only as tick())',
        '2: uses Math.random (use the injected Rng)',
        '3: uses setTimeout',
        '4: uses setInterval',
        '5: uses process',
        '6: uses performance',
        '8: uses Date (time enters the core only as tick())',
      ]);
    });

    test('ignores comments and string contents', () => {
      const src = [
        '// Date.now() would break determinism; we never call setTimeout',
        "/* import x from 'node:fs' */",
        "const why = 'the process of elimination, Math.random is banned';",
        'const t = `performance ${n} Date`;',
        'const s = "it\'s // not a comment"; const x = 1;',
      ].join('\n');
      assert.deepEqual(whats(src), []);
    });
  });
});

describe('architecture: the layers of src/ (README "Layout")', () => {
  const graph = readSourceGraph(SRC);

  test('every part of src/ imports only the parts its layer allows', () => {
    assert.ok(graph.edges.length >= 200, `found only ${graph.edges.length} imports`);
    const report = layerViolations(graph.edges).join('\n');
    assert.equal(report, '', `imports against the layer rules (test/arch/import-graph.ts LAYER_RULES):\n${report}`);
  });

  test('every part of src/ is in the layer table, and the table has no cycle', () => {
    const parts = new Set(graph.files.map(partOf));
    assert.deepEqual(
      [...parts].filter((p) => LAYER_RULES[p] === undefined),
      [],
      'parts of src/ missing from LAYER_RULES',
    );
    // Each part's allowed imports must already be placed when the part is: then the table is a DAG.
    const placed: string[] = [];
    for (const [part, allowed] of Object.entries(LAYER_RULES)) {
      assert.deepEqual(
        allowed.filter((p) => !placed.includes(p)),
        [],
        `${part} may import a part listed after it`,
      );
      placed.push(part);
    }
  });

  test('no import cycle between files of src/', () => {
    const cycles = importCycles(graph).map((c) => c.map((f) => `src/${f}`).join(' → '));
    assert.equal(cycles.join('\n'), '', `files that import each other (move what both need into a third file):\n${cycles.join('\n')}`);
  });

  describe('the checks themselves', () => {
    const edge = (from: string, to: string, line = 1): ImportEdge => ({ from, to, line });

    test('an upward or sideways import is refused with the rule that refuses it', () => {
      const edges = [
        edge('statemachine/state-machine.ts', 'ha/types.ts', 6),
        edge('server/join.ts', 'client/connect.ts', 7),
        edge('raft/raft.ts', 'errors.ts', 3),
        edge('ha/profiles.ts', 'statemachine/kv-store.ts'),
        edge('server/join.ts', 'server/clock.ts'),
      ];
      assert.deepEqual(layerViolations(edges), [
        'src/statemachine/state-machine.ts:6: statemachine may not import ha (src/ha/types.ts); statemachine may import raft, errors.ts',
        'src/server/join.ts:7: server may not import client (src/client/connect.ts); server may import api, ha, statemachine, storage, transport, raft, errors.ts',
        'src/raft/raft.ts:3: raft may not import errors.ts (src/errors.ts); raft may import nothing outside itself',
      ]);
    });

    test("outside server/, only the server's public entries may be imported", () => {
      const edges = [
        edge('cli/commands/agent.ts', 'server/logger.ts', 111),
        edge('cli/commands/agent.ts', 'server/node.ts'),
        edge('index.ts', 'server/config.ts'),
      ];
      assert.deepEqual(layerViolations(edges), [
        'src/cli/commands/agent.ts:111: imports src/server/logger.ts, inside server/; outside server/ import only src/server/node.ts, src/server/config.ts, src/server/node-options.ts',
      ]);
    });

    test('an import leaving src/ or a part missing from the table is refused', () => {
      assert.deepEqual(layerViolations([edge('server/x.ts', '../test/harness.ts', 2), edge('metrics/x.ts', 'raft/types.ts')]), [
        'src/server/x.ts:2: imports test/harness.ts, outside src/',
        'src/metrics/x.ts:1: metrics is not in the layer table (test/arch/import-graph.ts LAYER_RULES): add it with the parts it may import',
      ]);
    });

    test('cycles are found through any number of files and written as a closed path', () => {
      const files = ['api/a.ts', 'api/b.ts', 'api/c.ts', 'api/d.ts', 'api/self.ts', 'api/tail.ts'];
      const edges = [
        edge('api/b.ts', 'api/c.ts'),
        edge('api/c.ts', 'api/a.ts'),
        edge('api/a.ts', 'api/b.ts'),
        edge('api/d.ts', 'api/a.ts'),
        edge('api/self.ts', 'api/self.ts'),
        edge('api/tail.ts', 'api/d.ts'),
      ];
      assert.deepEqual(importCycles({ files, edges }), [
        ['api/a.ts', 'api/b.ts', 'api/c.ts', 'api/a.ts'],
        ['api/self.ts', 'api/self.ts'],
      ]);
      assert.deepEqual(importCycles({ files, edges: edges.filter((e) => e.from !== 'api/c.ts' && e.from !== 'api/self.ts') }), []);
    });

    test('the reader resolves relative, type-only, re-exported and dynamic imports to files of src/', () => {
      const fromAgent = graph.edges.filter((e) => e.from === 'index.ts').map((e) => e.to);
      assert.ok(fromAgent.includes('errors.ts') && fromAgent.includes('client/index.ts'), `index.ts edges: ${fromAgent.join(', ')}`);
      const src = [
        "import type { A } from './a.js';",
        "export * as b from '../b.js';",
        "const c = await import('./c.js');",
        "import 'pino';",
        "// import './d.js';",
      ].join('\n');
      assert.deepEqual(importsOf(src), [
        { spec: './a.js', line: 1 },
        { spec: '../b.js', line: 2 },
        { spec: './c.js', line: 3 },
        { spec: 'pino', line: 4 },
      ]);
    });
  });
});
