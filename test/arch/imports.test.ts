// Architecture rule (STYLE.md "Pure core"): src/raft/ imports nothing outside itself and
// touches no clock, timer, randomness or process. A plain source scan is enough: the core
// is small and written to be read, so anything clever enough to dodge this would not pass review.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CORE = join(ROOT, 'src', 'raft');

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly what: string;
}

/**
 * Blank out comments (always) and string/template literal contents (when `strings` is set),
 * keeping line breaks so reported line numbers stay right. Template `${...}` code is kept.
 */
export function stripSource(src: string, strings: boolean): string {
  let out = '';
  let i = 0;
  const braces: number[] = []; // open-brace depth at each `${` we are inside
  let depth = 0;
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      const stop = end === -1 ? src.length : end;
      out += blank(src.slice(i, stop));
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end === -1 ? src.length : end + 2;
      out += blank(src.slice(i, stop));
      i = stop;
    } else if (c === "'" || c === '"' || c === '`' || (c === '}' && braces.length > 0 && braces[braces.length - 1] === depth)) {
      // A string, or the rest of a template after a `${...}` closes.
      const quote = c === '}' ? '`' : c;
      if (c === '}') braces.pop();
      let j = i + 1;
      let body = '';
      let reopened = false;
      while (j < src.length) {
        const d = src[j]!;
        if (d === '\\') {
          body += src.slice(j, j + 2);
          j += 2;
          continue;
        }
        if (d === quote) break;
        if (quote === '`' && d === '$' && src[j + 1] === '{') {
          reopened = true;
          break;
        }
        body += d;
        j++;
      }
      out += c + (strings ? blank(body) : body);
      if (reopened) {
        out += '${';
        braces.push(depth);
        i = j + 2;
      } else {
        out += src[j] ?? '';
        i = j + 1;
      }
    } else {
      if (c === '{') depth++;
      if (c === '}') depth--;
      out += c;
      i++;
    }
  }
  return out;
}

const IMPORT_RE = /(?:\bimport\s*(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?|\bexport\s+(?:type\s+)?(?:\*|\{[^}]*\})\s+from\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)(['"])([^'"]+)\1/g;

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

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Check one core source file. `file` is its path; imports must resolve inside `coreDir`. */
export function scanSource(file: string, src: string, coreDir: string = CORE): Violation[] {
  const violations: Violation[] = [];
  const code = stripSource(src, false);
  for (const m of code.matchAll(IMPORT_RE)) {
    const spec = m[2]!;
    const line = lineOf(code, m.index ?? 0);
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

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
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
        "const s = \"it's // not a comment\"; const x = 1;",
      ].join('\n');
      assert.deepEqual(whats(src), []);
    });
  });
});
