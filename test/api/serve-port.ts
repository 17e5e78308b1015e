// The client service over a fake NodePort on loopback, for the edge tests: a fake that answers
// what the test scripts (every method it leaves out throws "not used"), served by a grpc Server.
import { after, before } from 'node:test';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { CallGuard } from '../../src/api/auth.js';
import { clientService } from '../../src/api/client-service.js';
import type { NodePort } from '../../src/api/node-port.js';

const notUsed = (): never => {
  throw new Error('not used');
};

/** A NodePort whose unscripted methods throw; `nodeId` n1, cluster c. */
export function fakePort(scripted: Partial<NodePort>): NodePort {
  return {
    nodeId: 'n1',
    clusterId: 'c',
    status: notUsed,
    view: () => ({ revision: 4, get: () => undefined, list: () => [], members: () => [] }),
    write: notUsed,
    readBarrier: async () => {},
    changeMembership: async () => ({ members: [], index: 0 }),
    transferLeadership: async (to) => ({ leader: to, term: 4 }),
    watch: notUsed,
    ...scripted,
  };
}

export interface Served {
  readonly address: string;
  stop(): void;
}

export async function serve(port: NodePort): Promise<Served> {
  const server = new Server();
  // No TLS, no tokens: every caller is an anonymous admin (these tests are about the edge, not auth).
  const svc = clientService(port, new CallGuard({ certificates: false }));
  server.addService(svc.definition, svc.implementation);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${bound}`, stop: () => server.forceShutdown() };
}

/** Serves `port` while this file's tests run (before/after hooks); the address once started. */
export function serveDuringTests(port: NodePort): () => string {
  let served: Served | undefined;
  before(async () => {
    served = await serve(port);
  });
  after(() => served?.stop());
  return () => {
    if (served === undefined) throw new Error('the service is not started yet (use the address inside a test)');
    return served.address;
  };
}
