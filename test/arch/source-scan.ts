// Reading TypeScript sources without a parser, for the architecture tests: comments and string
// contents blanked out (so a commented-out import or a word in a message does not count), then
// every import, re-export, dynamic import and require() found by one expression.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

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
    const c = src[i];
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
        const d = src[j];
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

export const IMPORT_RE =
  /(?:\bimport\s*(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?|\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s+from\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)(['"])([^'"]+)\1/g;

export function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Every module specifier `src` names (static, re-exported, dynamic or required), with its line. */
export function importsOf(src: string): { readonly spec: string; readonly line: number }[] {
  const code = stripSource(src, false);
  return [...code.matchAll(IMPORT_RE)].map((m) => ({ spec: m[2], line: lineOf(code, m.index ?? 0) }));
}

/** Every .ts file under `dir`, depth first. */
export function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}
