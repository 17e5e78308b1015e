// A node's own calls to another member's Status and MemberList (the client API, which the peer
// port serves too): for a joining node to learn the members, and for a node that hears from no
// leader to learn whether it was removed. They go with the node's identity (its certificate,
// reloaded on rotation), one member at a time, and the caller decides how to retry. That is why
// the server does not use the typed client (src/client/): it is for users and tools, with their
// certificate or token, failover across endpoints and its own retry budget. etcd's server, too,
// asks its peers for the members over its peer transport, not through clientv3.
import type { ServiceError } from '@grpc/grpc-js';
import { loadClientProto } from './client-proto.js';
import type { MemberListResponse__Output } from './generated/palisade/v1/MemberListResponse.js';
import type { StatusResponse__Output } from './generated/palisade/v1/StatusResponse.js';
import { channelCredentials, type TlsSource } from './tls.js';

export interface MemberCalls {
  /** Status, within `timeoutMs` from now. */
  status(timeoutMs: number): Promise<StatusResponse__Output>;
  /** The member list, linearizable (a ReadIndex read) unless `serializable`, within `timeoutMs`. */
  memberList(serializable: boolean, timeoutMs: number): Promise<MemberListResponse__Output>;
  close(): void;
}

type Callback<T> = (err: ServiceError | null, res?: T) => void;

/** A channel to the member at `address` (plaintext without TLS); close() it when done. */
export function dialMember(address: string, tls: TlsSource | undefined): MemberCalls {
  const Palisade = loadClientProto().palisade.v1.Palisade;
  const client = new Palisade(address, channelCredentials(tls));
  const unary = <T>(timeoutMs: number, start: (deadline: Date, cb: Callback<T>) => void): Promise<T> =>
    new Promise<T>((resolve, reject) =>
      start(new Date(Date.now() + timeoutMs), (err, res) => (err || !res ? reject(err ?? new Error('empty answer')) : resolve(res))),
    );
  return {
    status: (timeoutMs) => unary<StatusResponse__Output>(timeoutMs, (deadline, cb) => client.Status({}, { deadline }, cb)),
    memberList: (serializable, timeoutMs) =>
      unary<MemberListResponse__Output>(timeoutMs, (deadline, cb) => client.MemberList({ serializable }, { deadline }, cb)),
    close: () => client.close(),
  };
}
