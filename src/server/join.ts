// A node added with `palisade members add` starts with an empty log. Before it can answer the
// leader it needs the members' addresses: it asks the join endpoint (the client API's
// MemberList), retrying with back-off for a bounded time. Everything else (its own membership,
// later changes) it learns from the leader's log or snapshot like any other follower.
import { UnavailableError } from '../errors.js';
import { dialMember } from '../transport/member-calls.js';
import type { TlsSource } from '../transport/tls.js';

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
  const member = dialMember(opts.endpoint, opts.tls);
  const deadlineAt = Date.now() + (opts.deadlineMs ?? 30_000);
  let delay = 100;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await member.memberList(false, 2000);
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
    member.close();
  }
}
