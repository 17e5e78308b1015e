// The peer port's identity rule (TLS on): a batch or snapshot chunk is accepted only from a
// certificate that (1) the cluster CA verified, (2) is a node's certificate (role "node", so a
// user's certificate of the same CA cannot speak Raft), (3) names a current member, and (4) names
// the node the traffic claims to come from. So n2's certificate cannot speak as n3, and a
// certificate of no member cannot speak at all. etcd's --peer-cert-allowed-cn is one fixed name
// for every peer; here each peer must be itself.
import type { NodeId } from '../raft/types.js';
import { NODE_ROLE, isNodeCertificate, type CertificateIdentity } from './cert-identity.js';
import { PeerDeniedError, PeerUnauthenticatedError } from './errors.js';

export interface PeerIdentityRule {
  /** Whether `id` is a member (voter or learner) of the cluster as this node knows it now. */
  readonly isMember: (id: NodeId) => boolean;
}

/** Throws PeerUnauthenticatedError or PeerDeniedError unless `identity` may send as `from`. */
export function checkPeerIdentity(
  identity: CertificateIdentity | undefined,
  from: NodeId,
  localNode: NodeId,
  rule: PeerIdentityRule,
): void {
  if (identity === undefined) {
    throw new PeerUnauthenticatedError(
      localNode,
      'no verified client certificate naming a node (CN) — peers must present their node certificate of the cluster CA',
    );
  }
  if (!isNodeCertificate(identity)) {
    throw new PeerDeniedError(
      identity.name,
      from,
      localNode,
      `not a node certificate (OU is "${identity.roles.join(',')}", needs exactly "${NODE_ROLE}")`,
    );
  }
  if (identity.name !== from) {
    throw new PeerDeniedError(identity.name, from, localNode, `the certificate is "${identity.name}"'s, it cannot speak as "${from}"`);
  }
  if (!rule.isMember(from)) {
    throw new PeerDeniedError(identity.name, from, localNode, `"${from}" is not a member of the cluster`);
  }
}
