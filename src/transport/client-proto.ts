// Loads proto/palisade/v1/client.proto (the client API served by every node) at run time, with
// the options the committed types in generated/ were made with. Shared by the server's client
// service (src/api/) and the typed client (src/client/).
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/client.js';
import { PROTO_LOAD_OPTIONS, protoRoot } from './proto-options.js';

export const CLIENT_PROTO_FILE = 'palisade/v1/client.proto';

let cached: ProtoGrpcType | undefined;

export function loadClientProto(): ProtoGrpcType {
  if (cached === undefined) {
    const definition = loadSync([CLIENT_PROTO_FILE], { ...PROTO_LOAD_OPTIONS, includeDirs: [protoRoot()] });
    cached = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  }
  return cached;
}
