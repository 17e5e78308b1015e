// A node added with `palisade members add` starts with an empty log. Before it can answer the
// leader it needs the members' addresses: it asks the join endpoint (the client API's
// MemberList), retrying with back-off for a bounded time. Everything else (its own membership,
// later changes) it learns from the leader's log or snapshot like any other follower.
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { UnavailableError } from '../errors.js';
import { loadClientProto } from '../transport/client-proto.js';
import type { MemberListResponse__Output } from '../transport/generated/palisade/v1/MemberListResponse.js';
import { channelCredentials, type TlsSource } from '../transport/tls.js';

export interface JoinOptions {
  readonly endpoint: string;
  readonly tls?: TlsSource;
  /** Give up after this long (default 30 s). */
  readonly deadlineMs?: number;
  readonly onRetry?: (attempt: number, err: Error) => void;
}

export interface KnownMember {
  readonly id: string;
  readonly address: string;
  readonly voter: boolean;
}

export async function fetchMembers(opts: JoinOptions): Promise<KnownMember[]> {
  const Palisade = loadClientProto().palisade.v1.Palisade;
  const client = new Palisade(opts.endpoint, opts.tls ? channelCredentials(opts.tls) : credentials.createInsecure());
  const deadlineAt = Date.now() + (opts.deadlineMs ?? 30_000);
  let delay = 100;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await new Promise<MemberListResponse__Output>((resolve, reject) =>
          client.MemberList({ serializable: false }, { deadline: Date.now() + 2000 }, (err: ServiceError | null, r?: MemberListResponse__Output) =>
            err || !r ? reject(err ?? new Error('empty answer')) : resolve(r),
          ),
        );
        return res.members.map((m) => ({ id: m.id, address: m.address, voter: m.voter }));
      } catch (err) {
        if (Date.now() + delay >= deadlineAt) {
          throw new UnavailableError(
            `cannot learn the cluster's members from join endpoint ${opts.endpoint}: ${(err as Error).message}. ` +
              'Check that the address is a running member and that this node was added with `palisade members add`.',
            { cause: err },
          );
        }
        opts.onRetry?.(attempt, err as Error);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 2000);
      }
    }
  } finally {
    client.close();
  }
}
