// A scriptable Palisade service on loopback: each test decides what every call answers, so the
// client's failover, request-id reuse and error mapping are checked without a real cluster.
import * as grpc from '@grpc/grpc-js';
import { loadClientProto } from '../../src/transport/client-proto.js';
import { toGrpcStatus, type AnyPalisadeError } from '../../src/errors.js';

type Handlers = Partial<Record<string, grpc.UntypedHandleCall>>;

export interface FakeServer {
  readonly address: string;
  readonly calls: { method: string; request: unknown }[];
  readonly stop: () => Promise<void>;
}

/**
 * Answers every method with UNIMPLEMENTED unless `handlers` has it (as a server without the
 * method would: the client then falls back from the KvWrite stream to unary calls). Records
 * every request (a stream's request is undefined).
 */
export async function startFake(handlers: Handlers): Promise<FakeServer> {
  const server = new grpc.Server();
  const calls: { method: string; request: unknown }[] = [];
  const service = loadClientProto().palisade.v1.Palisade.service;
  const impl: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(service)) {
    const h = handlers[name];
    impl[name] = ((call: { request: unknown }, cb?: grpc.sendUnaryData<unknown>) => {
      calls.push({ method: name, request: call.request });
      if (h !== undefined) return (h as (c: unknown, cb?: unknown) => void)(call, cb);
      const unimplemented = { code: grpc.status.UNIMPLEMENTED, details: `${name} not scripted` };
      if (cb !== undefined) cb(unimplemented);
      else (call as unknown as grpc.ServerDuplexStream<unknown, unknown>).emit('error', unimplemented);
    }) as grpc.UntypedHandleCall;
  }
  server.addService(service, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}

/** A server-side error as our API edge sends it (status + `palisade-error` metadata). */
export function grpcError(err: AnyPalisadeError): Partial<grpc.ServiceError> {
  return toGrpcStatus(err);
}
