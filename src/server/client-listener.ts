// Where the client API is served (issue 14: separate listeners).
//   - no clientListen (TLS off): the full client service shares the peer port, as before;
//   - clientListen: the client service gets its own gRPC server (TLS: the client CA's
//     certificates are asked for, the API's CallGuard decides), and the peer port keeps only
//     what members need from each other outside Raft — Status and MemberList, read by a node
//     that joins (`--join`) and by one that checks whether it was removed. Those calls pass the
//     same CallGuard, where a member's node certificate has the `node` role (read only).
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { TlsMaterial } from '../transport/tls.js';
import type { PeerTransport } from '../transport/transport.js';
import type { Logger } from './logger.js';

/** The client API methods the peer port also serves (members' reads: join, removal check). */
export const PEER_PORT_CLIENT_METHODS: readonly string[] = ['Status', 'MemberList'];

export interface ClientService {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

export interface ClientListenerOptions {
  readonly transport: PeerTransport;
  readonly service: ClientService;
  /** host:port of the client API's own server; absent: the peer port serves it. */
  readonly clientListen?: string;
  readonly tls?: TlsMaterial;
  /** gRPC server options of the client port (message sizes, keepalive). */
  readonly serverOptions?: Record<string, number | string>;
  readonly logger: Logger;
}

/**
 * Registers the client service on the peer transport (all of it, or the members' subset) —
 * call before transport.start() — and, with clientListen, serves it on its own port.
 */
export class ClientListener {
  private server: Server | undefined;
  private bound = '';

  constructor(private readonly opts: ClientListenerOptions) {
    const { transport, service } = opts;
    if (opts.clientListen === undefined) {
      if (opts.tls !== undefined) throw new Error('ClientListener: with TLS the client API needs its own address (clientListen)');
      transport.addService(service.definition, service.implementation);
      return;
    }
    transport.addService(pick(service.definition, PEER_PORT_CLIENT_METHODS), pick(service.implementation, PEER_PORT_CLIENT_METHODS));
  }

  /** Binds the client port (when it has its own). Resolves with the client API's host:port. */
  async start(peerAddress: string): Promise<string> {
    const listen = this.opts.clientListen;
    if (listen === undefined) {
      this.bound = peerAddress;
      return peerAddress;
    }
    const server = new Server(this.opts.serverOptions ?? {});
    server.addService(this.opts.service.definition, this.opts.service.implementation);
    const creds = this.opts.tls?.clientServerCredentials() ?? ServerCredentials.createInsecure();
    let port: number;
    try {
      port = await new Promise<number>((resolve, reject) => server.bindAsync(listen, creds, (err, p) => (err ? reject(err) : resolve(p))));
    } catch (err) {
      server.forceShutdown();
      throw new Error(`client API cannot listen on ${listen}: ${(err as Error).message}`, { cause: err });
    }
    this.server = server;
    this.bound = `${listen.slice(0, listen.lastIndexOf(':'))}:${port}`;
    this.opts.logger.info({ address: this.bound, tls: this.opts.tls !== undefined }, 'client API listening');
    return this.bound;
  }

  get address(): string {
    return this.bound;
  }

  /** Closes the client port at once: watches and write streams are long-lived and would hold a graceful shutdown. */
  async stop(): Promise<void> {
    this.server?.forceShutdown();
    this.server = undefined;
  }
}

function pick<T>(record: Readonly<Record<string, T>>, names: readonly string[]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const name of names) {
    const v = record[name];
    if (v === undefined) throw new Error(`client service has no method ${name}`);
    out[name] = v;
  }
  return out;
}
