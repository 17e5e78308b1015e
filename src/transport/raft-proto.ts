// Loads proto/palisade/v1/raft.proto at run time, with the options the committed types in
// generated/ were made with.
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/raft.js';
import { PROTO_FILES, PROTO_LOAD_OPTIONS, protoRoot } from './proto-options.js';

let cached: ProtoGrpcType | undefined;

export function loadRaftProto(): ProtoGrpcType {
  if (cached === undefined) {
    const definition = loadSync([...PROTO_FILES], { ...PROTO_LOAD_OPTIONS, includeDirs: [protoRoot()] });
    // The generated ProtoGrpcType describes exactly this object (same options, same files).
    cached = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  }
  return cached;
}
