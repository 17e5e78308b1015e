// A client API call of any shape (unary, server stream, bidi stream) made with raw bytes, the way
// an attacker's own gRPC client would: an empty request (valid protobuf for every request type)
// and only the status code kept.
import * as grpc from '@grpc/grpc-js';
import { loadClientProto } from '../../src/transport/client-proto.js';

/** Every RPC of palisade.v1.Palisade with its shape. */
export function clientRpcs(): { name: string; path: string; requestStream: boolean; responseStream: boolean }[] {
  return Object.entries(loadClientProto().palisade.v1.Palisade.service).map(([name, def]) => ({
    name,
    path: def.path,
    requestStream: def.requestStream,
    responseStream: def.responseStream,
  }));
}

/** One raw call with an empty request; resolves to its status code. */
export function rawCall(
  raw: grpc.Client,
  rpc: { path: string; requestStream: boolean; responseStream: boolean },
  timeoutMs = 3000,
): Promise<grpc.status> {
  const id = (b: Buffer): Buffer => b;
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const done = (err: grpc.ServiceError | null): void => resolve(err ? err.code : grpc.status.OK);
    if (!rpc.requestStream && !rpc.responseStream) {
      raw.makeUnaryRequest(rpc.path, id, id, Buffer.alloc(0), { deadline }, (err) => done(err));
    } else if (!rpc.requestStream) {
      const s = raw.makeServerStreamRequest(rpc.path, id, id, Buffer.alloc(0), { deadline });
      s.on('data', () => {});
      s.on('error', (err: grpc.ServiceError) => done(err));
      s.on('end', () => done(null));
    } else {
      const s = raw.makeBidiStreamRequest(rpc.path, id, id, { deadline });
      s.on('data', () => {});
      s.on('error', (err: grpc.ServiceError) => done(err));
      s.on('end', () => done(null));
      s.write(Buffer.alloc(0));
      s.end();
    }
  });
}
