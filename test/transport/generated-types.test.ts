// The committed types in src/transport/generated/ must be exactly what proto-loader's generator
// makes from proto/ with the options in proto-options.ts (run `npm run gen:proto` to refresh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { generateTypes } from '../../scripts/gen-proto.js';
import { packageRoot } from '../../src/transport/proto-options.js';

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

test('the committed generated types match a fresh generation from the .proto files', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'palisade-gen-'));
  try {
    generateTypes(tmp);
    const fresh = files(tmp);
    const committed = files(join(packageRoot(), 'src', 'transport', 'generated'));
    assert.ok(fresh.size > 0, 'the generator produced files');
    assert.deepEqual([...committed.keys()].sort(), [...fresh.keys()].sort(), 'same file set (run npm run gen:proto)');
    for (const [name, text] of fresh) assert.equal(committed.get(name), text, `${name} is stale (run npm run gen:proto)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
