// The one place that owns how .proto files are turned into JavaScript objects. The run-time
// loader and the type generator (scripts/gen-proto.ts) both read these, so the committed types
// in generated/ describe exactly the objects the loader produces.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROTO_LOAD_OPTIONS = {
  /** false: fields are camelCase in JavaScript (`cluster_id` → `clusterId`). */
  keepCase: false,
  /** uint64 arrives as a decimal string; codec.ts converts it with a 2^53 check. */
  longs: String,
  enums: String,
  /** Absent scalars read as their zero value, absent messages as null. */
  defaults: true,
  /** Each oneof gets a virtual field naming the member that is set. */
  oneofs: true,
} as const;

/** The proto files of the contract, relative to the proto root. */
export const PROTO_FILES = ['palisade/v1/raft.proto', 'palisade/v1/client.proto'] as const;

/**
 * The proto root: the nearest ancestor of this module holding `proto/palisade/v1/raft.proto`
 * (the same from src/ under tsx and from dist/src/ after a build).
 */
export function protoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, PROTO_FILES[0]))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find proto/${PROTO_FILES[0]} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The package root (the directory holding proto/): the generator runs there. */
export function packageRoot(): string {
  return dirname(protoRoot());
}

/**
 * Arguments for `proto-loader-gen-types` that match PROTO_LOAD_OPTIONS. Run it with the
 * package root as working directory: the include path is relative so the generated files do
 * not name the machine they were generated on.
 */
export function genTypesArgs(outDir: string): string[] {
  const o = PROTO_LOAD_OPTIONS;
  const flags: string[] = [];
  if (o.keepCase) flags.push('--keepCase');
  flags.push(`--longs=${o.longs.name}`, `--enums=${o.enums.name}`);
  if (o.defaults) flags.push('--defaults');
  if (o.oneofs) flags.push('--oneofs');
  return [
    ...flags,
    '--grpcLib=@grpc/grpc-js',
    // NodeNext resolution needs explicit `.js` suffixes between the generated files.
    '--importFileExtension=.js',
    '--includeComments',
    '-I',
    'proto',
    '-O',
    outDir,
    ...PROTO_FILES,
  ];
}
