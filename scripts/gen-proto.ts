// Regenerates src/transport/generated/ from proto/ with proto-loader's own generator, using
// the load options owned by src/transport/proto-options.ts.  Usage: npm run gen:proto [outDir]
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { genTypesArgs, packageRoot } from '../src/transport/proto-options.js';

const require = createRequire(import.meta.url);

/** Writes the generated types into `outDir` (emptied first). */
export function generateTypes(outDir: string): void {
  const bin = require.resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js');
  const out = resolve(outDir);
  rmSync(out, { recursive: true, force: true });
  const res = spawnSync(process.execPath, [bin, ...genTypesArgs(out)], { cwd: packageRoot(), encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`proto-loader-gen-types failed (${res.status}): ${res.stderr}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  generateTypes(process.argv[2] ?? join(packageRoot(), 'src', 'transport', 'generated'));
}
