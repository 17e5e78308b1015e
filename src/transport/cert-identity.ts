// Who a verified certificate names. palisade's certificates (`palisade certs issue`) carry the
// name in the subject CN and the role in the subject OU: a node's certificate is CN=<node id>,
// OU=node; a user's is CN=<user>, OU=<reader|operator|admin>. Only certificates the TLS layer
// verified against a trusted CA reach here (grpc-js hides unverified ones), so the fields can be
// believed.
import type { PeerCertificate } from 'node:tls';

/** The role a node's own certificate carries: it may speak Raft and write the reserved prefix. */
export const NODE_ROLE = 'node';

export interface CertificateIdentity {
  /** The subject CN: a node id or a user name. */
  readonly name: string;
  /** The subject OU values (a certificate may hold several; palisade issues one). */
  readonly roles: readonly string[];
}

function values(field: string | string[] | undefined): string[] {
  if (field === undefined) return [];
  return (Array.isArray(field) ? field : [field]).filter((v) => v !== '');
}

/** The identity of a verified peer certificate; undefined when it names no one (no single CN). */
export function certificateIdentity(cert: PeerCertificate | undefined): CertificateIdentity | undefined {
  if (cert === undefined || cert.subject === undefined) return undefined;
  const cns = values(cert.subject.CN);
  if (cns.length !== 1) return undefined;
  return { name: cns[0], roles: values(cert.subject.OU) };
}

/** The verified certificate's identity of a gRPC server call, if it came with one. */
export function callIdentity(call: {
  getAuthContext?: () => { sslPeerCertificate?: PeerCertificate } | null;
}): CertificateIdentity | undefined {
  return certificateIdentity(call.getAuthContext?.()?.sslPeerCertificate ?? undefined);
}

/**
 * A node certificate: exactly one OU, and it is "node". A certificate that could be read two ways
 * (OU=admin and OU=node) is no node's, as the client port gives it no role (api/auth.ts).
 */
export function isNodeCertificate(id: CertificateIdentity): boolean {
  return id.roles.length === 1 && id.roles[0] === NODE_ROLE;
}
