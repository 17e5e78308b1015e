// What a simulated client and a node say to each other: the coordination RPCs of
// proto/palisade/v1/client.proto reduced to what the simulation needs. `tag` matches a reply to
// its request (one tag per attempt); `request` is the replicated request id, the same on every
// retry of one operation, so a retried create is answered with the session the first one made.
import type { RequestId } from '../../../src/statemachine/commands.js';
import type { FencingGuard, QueueKind } from '../../../src/statemachine/coord-record.js';
import type { NodeId } from '../../../src/raft/types.js';

export type CoordRequest =
  | { readonly t: 'create'; readonly tag: string; readonly request: RequestId; readonly ttlMs: number; readonly lockDelayMs: number }
  | { readonly t: 'keepAlive'; readonly tag: string; readonly session: string }
  | {
      readonly t: 'acquire';
      readonly tag: string;
      readonly request: RequestId;
      readonly session: string;
      readonly name: string;
      readonly kind: QueueKind;
      readonly limit: number;
    }
  | { readonly t: 'release'; readonly tag: string; readonly request: RequestId; readonly session: string; readonly name: string }
  | { readonly t: 'close'; readonly tag: string; readonly request: RequestId; readonly session: string }
  | {
      readonly t: 'put';
      readonly tag: string;
      readonly request: RequestId;
      readonly key: string;
      readonly value: string;
      readonly session?: string;
      readonly ifToken?: FencingGuard;
    };

export type CoordReply =
  /** Served by the leader only: try `hint` ('' when this node knows no leader). */
  | { readonly t: 'notLeader'; readonly tag: string; readonly hint: NodeId | '' }
  | { readonly t: 'created'; readonly tag: string; readonly session: string }
  | { readonly t: 'keepAliveAck'; readonly tag: string }
  | { readonly t: 'granted'; readonly tag: string; readonly token: number }
  /** Still queued when the server's wait ran out: the client asks again (acquire is idempotent). */
  | { readonly t: 'queued'; readonly tag: string }
  | { readonly t: 'done'; readonly tag: string }
  /** FAILED_PRECONDITION with a palisade-error reason (SESSION_NOT_FOUND, STALE_FENCING_TOKEN, ...). */
  | { readonly t: 'refused'; readonly tag: string; readonly reason: string };

export function formatRequest(r: CoordRequest): string {
  switch (r.t) {
    case 'create':
      return `create ttl=${r.ttlMs}`;
    case 'keepAlive':
    case 'close':
      return `${r.t} s${r.session}`;
    case 'acquire':
      return `acquire ${r.name} s${r.session}`;
    case 'release':
      return `release ${r.name} s${r.session}`;
    case 'put':
      return `put ${r.key}=${r.value}${r.session !== undefined ? ` bound to s${r.session}` : ''}${r.ifToken !== undefined ? ` if ${r.ifToken.name}#${r.ifToken.token}` : ''}`;
    default: {
      const never: never = r;
      return String(never);
    }
  }
}

export function formatReply(r: CoordReply): string {
  switch (r.t) {
    case 'notLeader':
      return `not leader (hint ${r.hint || '-'})`;
    case 'created':
      return `created s${r.session}`;
    case 'granted':
      return `granted #${r.token}`;
    case 'refused':
      return `refused ${r.reason}`;
    case 'keepAliveAck':
    case 'queued':
    case 'done':
      return r.t;
    default: {
      const never: never = r;
      return String(never);
    }
  }
}
