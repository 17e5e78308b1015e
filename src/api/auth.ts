// Who is calling the client API, and may they? Every call passes through one CallGuard:
//   1. authenticate: a bearer token (metadata `authorization: Bearer …`, checked against the
//      agent's token file) or else the client certificate that the TLS layer verified against the
//      cluster's CA (user name = subject CN, role = subject OU, as `palisade certs issue` writes
//      them). A call with neither is UNAUTHENTICATED. Only a node running without TLS and
//      without a token file lets anonymous callers in (as `admin`): that mode is loopback-only
//      unless --insecure says otherwise, and the agent warns about it.
//   2. authorize: each RPC needs a permission (METHOD_PERMISSION), each role grants some
//      (ROLE_GRANTS). Keys under the reserved prefix `palisade/` (the HA profiles) are written
//      only by the nodes themselves, and a node writes them as a Raft proposal (its own log, or
//      forwarded on the peer port whose certificate rule names the sender), never through this
//      API: so here they are refused to every caller, admin included.
// Default deny: an RPC missing from the table is refused, and a test checks that the table
// covers client.proto exactly.
import type { PeerCertificate } from 'node:tls';
import type { Metadata } from '@grpc/grpc-js';
import { PermissionDeniedError, UnauthenticatedError } from '../errors.js';
import { SYSTEM_PREFIX } from '../statemachine/kv-store.js';
import { certificateIdentity } from '../transport/cert-identity.js';
import { Role, USER_ROLES, isRole } from './roles.js';
import type { TokenTable } from './token-file.js';

export const Permission = {
  /** status, members list, kv get/list/watch, events, session and lock lists, observe */
  Read: 'read',
  /** kv writes, sessions, locks and elections, switchover, transfer, pause, resume */
  Operate: 'operate',
  /** membership changes */
  Administer: 'administer',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

/** What each RPC of palisade.v1.Palisade needs. Every RPC is listed: a missing one is refused. */
export const METHOD_PERMISSION: Readonly<Record<string, Permission>> = {
  Status: Permission.Read,
  MemberList: Permission.Read,
  KvGet: Permission.Read,
  KvList: Permission.Read,
  KvWatch: Permission.Read,
  Events: Permission.Read,
  SessionList: Permission.Read,
  QueueList: Permission.Read,
  Observe: Permission.Read,
  KvPut: Permission.Operate,
  KvDelete: Permission.Operate,
  KvCas: Permission.Operate,
  KvWrite: Permission.Operate,
  SessionCreate: Permission.Operate,
  SessionKeepAlive: Permission.Operate,
  SessionClose: Permission.Operate,
  Acquire: Permission.Operate,
  Release: Permission.Operate,
  Proclaim: Permission.Operate,
  Switchover: Permission.Operate,
  TransferLeadership: Permission.Operate,
  Pause: Permission.Operate,
  Resume: Permission.Operate,
  MemberAdd: Permission.Administer,
  MemberPromote: Permission.Administer,
  MemberRemove: Permission.Administer,
};

/** The actions that steer the cluster, logged with who asked (kv writes are too many to log). */
const AUDITED: ReadonlySet<string> = new Set([
  'Switchover',
  'TransferLeadership',
  'Pause',
  'Resume',
  'MemberAdd',
  'MemberPromote',
  'MemberRemove',
]);

export function isAudited(method: string): boolean {
  return AUDITED.has(method);
}

/**
 * What each role may do. A node's certificate only reads (joining, proving its own removal):
 * a node never needs to steer the cluster through the API.
 */
export const ROLE_GRANTS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  reader: new Set([Permission.Read]),
  operator: new Set([Permission.Read, Permission.Operate]),
  admin: new Set([Permission.Read, Permission.Operate, Permission.Administer]),
  node: new Set([Permission.Read]),
};

/** The least role that grants `p`, for the message of a refusal. */
function roleNeededFor(p: Permission): Role {
  return USER_ROLES.find((r) => ROLE_GRANTS[r].has(p))!;
}

export interface Principal {
  readonly name: string;
  /** undefined: a certificate of the cluster's CA whose OU names no role. */
  readonly role: Role | undefined;
  readonly via: 'certificate' | 'token' | 'anonymous';
}

/** What the guard reads from a call: its metadata and the verified TLS peer certificate. */
export interface CallCredentials {
  readonly metadata: Metadata;
  /** Present only when TLS verified the client's certificate against the CA (grpc-js getAuthContext). */
  readonly peerCertificate: PeerCertificate | undefined;
}

/** How a node authenticates its client API (server/start-node.ts builds it from the config). */
export interface AuthSettings {
  /** TLS is on: a verified client certificate authenticates its holder. */
  readonly certificates: boolean;
  /** The agent's token file, if any (reloadable: the guard asks it on every call). */
  readonly tokens?: TokenTable;
  /**
   * RPCs a caller without credentials may still make, as a reader. Only for a node without TLS
   * but with tokens: the nodes themselves then have no credentials, and a node that joins or
   * checks its removal must read Status and MemberList (server/client-listener.ts).
   */
  readonly anonymousMethods?: readonly string[];
}

export const AUTHORIZATION_METADATA_KEY = 'authorization';

export class CallGuard {
  constructor(private readonly settings: AuthSettings) {}

  /** Neither certificates nor tokens: every caller is an anonymous admin (loopback or --insecure only). */
  get open(): boolean {
    return !this.settings.certificates && this.settings.tokens === undefined;
  }

  /** Who is calling `method`; throws UnauthenticatedError when nobody valid is. */
  authenticate(call: CallCredentials, method = ''): Principal {
    const header = call.metadata.get(AUTHORIZATION_METADATA_KEY);
    if (header.length > 0) return this.byToken(header);
    if (this.settings.certificates && call.peerCertificate !== undefined) return byCertificate(call.peerCertificate);
    if (this.open) return { name: 'anonymous', role: Role.Admin, via: 'anonymous' };
    if (this.settings.anonymousMethods?.includes(method)) return { name: 'anonymous', role: Role.Reader, via: 'anonymous' };
    throw new UnauthenticatedError(`no credentials: ${this.howToAuthenticate()}`);
  }

  /** Throws PermissionDeniedError unless `who` may call `method`. */
  authorize(who: Principal, method: string): void {
    const needed = METHOD_PERMISSION[method];
    if (needed === undefined) throw new PermissionDeniedError(`${method}: not an operation of the client API that any role may call`);
    if (who.role === undefined) {
      throw new PermissionDeniedError(
        `${who.name}: the certificate names no role (its subject OU must be one of ${USER_ROLES.join(', ')}); ` +
          `${method} needs role ${roleNeededFor(needed)} — issue one with \`palisade certs issue --user NAME --role ${roleNeededFor(needed)}\``,
      );
    }
    if (!ROLE_GRANTS[who.role].has(needed)) {
      throw new PermissionDeniedError(`${method} needs role ${roleNeededFor(needed)} or higher; ${describe(who)} has role ${who.role}`);
    }
  }

  /** Throws PermissionDeniedError when `key` is under the reserved prefix (see the header). */
  authorizeKeyWrite(who: Principal, key: string): void {
    if (!key.startsWith(SYSTEM_PREFIX)) return;
    throw new PermissionDeniedError(
      `key "${key}": keys under ${SYSTEM_PREFIX} are written only by the cluster's nodes themselves, never through the client API; ${describe(who)} may not`,
    );
  }

  /** authenticate + authorize in one, for the handlers. */
  check(call: CallCredentials, method: string): Principal {
    const who = this.authenticate(call, method);
    this.authorize(who, method);
    return who;
  }

  private byToken(values: readonly (string | Buffer)[]): Principal {
    const tokens = this.settings.tokens;
    if (tokens === undefined)
      throw new UnauthenticatedError(`a bearer token was sent but this node accepts none (no token file); ${this.howToAuthenticate()}`);
    if (values.length !== 1) throw new UnauthenticatedError('more than one authorization header');
    const m = /^Bearer (\S+)$/.exec(String(values[0]));
    if (m === null) throw new UnauthenticatedError('the authorization header must be "Bearer TOKEN"');
    const user = tokens.lookup(m[1]);
    if (user === undefined) throw new UnauthenticatedError("unknown token (not in the node's token file)");
    return { name: user.name, role: user.role, via: 'token' };
  }

  private howToAuthenticate(): string {
    const ways: string[] = [];
    if (this.settings.certificates) ways.push("a client certificate of the cluster's CA (--cert/--key)");
    if (this.settings.tokens !== undefined) ways.push("a token from the node's token file (--token-file)");
    return ways.length === 0 ? 'this node runs without authentication: send no token' : `give ${ways.join(' or ')}`;
  }
}

function byCertificate(cert: PeerCertificate): Principal {
  const id = certificateIdentity(cert);
  if (id === undefined)
    throw new UnauthenticatedError('the client certificate names no one (it needs exactly one subject CN: the user or node name)');
  // Exactly one OU, and a role's name: a certificate that could be read two ways gets none.
  const ou = id.roles.length === 1 ? id.roles[0] : undefined;
  return { name: id.name, role: ou !== undefined && isRole(ou) ? ou : undefined, via: 'certificate' };
}

function describe(who: Principal): string {
  return who.via === 'anonymous' ? 'an anonymous caller' : `${who.via === 'token' ? 'token' : 'certificate'} "${who.name}"`;
}
