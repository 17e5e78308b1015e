// Every client call's way in (client-service.ts, coordination-service.ts): who calls and may
// they (auth.ts), the audit log, a unary request's decode check, and its answer or status on
// the way out — never a crash.
import type { ServerDuplexStream, ServerUnaryCall, ServerWritableStream, sendUnaryData } from '@grpc/grpc-js';
import { InvalidArgumentError, isPalisadeError, toGrpcStatus } from '../errors.js';
import { isAudited, type CallCredentials, type CallGuard, type Principal } from './auth.js';
import type { ServiceLogger } from './service-logger.js';
import { Undecodable } from './undecodable.js';

export type AnyServerCall =
  ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>;

/** What the guard reads from a server call (grpc-js shows only a certificate the TLS layer verified). */
function credentialsOf(call: AnyServerCall): CallCredentials {
  return { metadata: call.metadata, peerCertificate: call.getAuthContext()?.sslPeerCertificate };
}

/**
 * Every call's way in: the guard (who calls, and may they) and the audit log; for a unary call
 * also the request's decode check, and its answer or status on the way out.
 */
export class CallEdge {
  constructor(
    private readonly guard: CallGuard,
    private readonly logger: ServiceLogger | undefined,
  ) {}

  /** The caller, allowed to call `name`; undefined after the refusal was sent. */
  admit(call: AnyServerCall, name: string, refuse: (err: unknown) => void): Principal | undefined {
    try {
      const who = this.guard.check(credentialsOf(call), name);
      if (isAudited(name))
        this.logger?.info({ rpc: name, user: who.name, role: who.role, via: who.via, peer: call.getPeer() }, 'operator action');
      return who;
    } catch (err) {
      this.logger?.warn({ rpc: name, peer: call.getPeer(), reason: (err as Error).message }, 'client call refused');
      refuse(err);
      return undefined;
    }
  }

  /** `fn` also gets the call, for a handler that must notice the caller going away. */
  unary<Req, Res>(name: string, fn: (req: Req, who: Principal, call: ServerUnaryCall<Req | Undecodable, Res>) => Promise<Res> | Res) {
    return (call: ServerUnaryCall<Req | Undecodable, Res>, callback: sendUnaryData<Res>): void => {
      const who = this.admit(call, name, (err) => callback(toGrpcStatus(err)));
      if (who === undefined) return;
      const req = call.request;
      if (req instanceof Undecodable) {
        callback(toGrpcStatus(new InvalidArgumentError(`${name}: request is not a valid protobuf message`)));
        return;
      }
      Promise.resolve()
        .then(() => fn(req, who, call))
        .then(
          (res) => callback(null, res),
          (err: unknown) => {
            if (!isPalisadeError(err)) this.logger?.error({ err, rpc: name }, 'client request failed unexpectedly');
            callback(toGrpcStatus(err));
          },
        );
    };
  }
}
