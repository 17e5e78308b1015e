// TLS / mTLS for palisade's gRPC ports. Each node has a certificate signed by the cluster's CA
// and uses it both to serve and to dial. The peer port demands a client certificate of that CA;
// the client port asks for one (of the client CA, by default the same) but lets the call through
// without it, so the API layer can answer UNAUTHENTICATED with a reason instead of a failed
// handshake.
//
// Certificates rotate without a restart: TlsMaterial.reload() re-reads the files, checks them,
// and hands the new secure context to every listener and every later outgoing connection.
// Connections already open keep the session they negotiated (rotation is about the next
// handshake), so a reload never breaks a call in flight.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkServerIdentity, createSecureContext, type PeerCertificate, type SecureContextOptions } from 'node:tls';
import { ChannelCredentials, ServerCredentials, credentials, experimental, type ChannelOptions } from '@grpc/grpc-js';
import { NODE_ROLE, certificateIdentity, isNodeCertificate } from './cert-identity.js';

export interface TlsConfig {
  /** PEM certificate chain of this node (used as server and as client certificate). */
  readonly certFile: string;
  /** PEM private key of `certFile`. */
  readonly keyFile: string;
  /** PEM CA bundle that peers' certificates must chain to. */
  readonly caFile: string;
  /** PEM CA bundle for clients' certificates on the client port (default: `caFile`), as etcd's --trusted-ca-file. */
  readonly clientCaFile?: string;
  /** Peer side: demand and verify a client certificate (mTLS). Default true. */
  readonly requireClientCert?: boolean;
  /**
   * Client side: the name the peer's certificate must carry, when it differs from the host in
   * the peer's address (e.g. dialling an IP with a certificate issued for a DNS name).
   */
  readonly serverName?: string;
}

/** A certificate, key or CA file that cannot be used; the message names the file and why. */
export class TlsFilesError extends Error {
  readonly code = 'TLS_FILES';
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TlsFilesError(`cannot read TLS ${what} "${path}": ${(err as Error).message}`, { cause: err });
  }
}

/** The PEM bytes of one consistent set of files. */
interface Pem {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
  readonly clientCa: Buffer;
}

/** What a log line says about the certificate in use. */
export interface CertificateSummary {
  readonly subject: string;
  readonly serial: string;
  readonly validTo: string;
  readonly fingerprint256: string;
}

function loadPem(config: TlsConfig): Pem {
  const pem = {
    cert: read(config.certFile, 'certificate file'),
    key: read(config.keyFile, 'key file'),
    ca: read(config.caFile, 'CA file'),
    clientCa: config.clientCaFile !== undefined ? read(config.clientCaFile, 'client CA file') : undefined,
  };
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(pem.cert);
  } catch (err) {
    throw new TlsFilesError(`TLS certificate file "${config.certFile}" holds no PEM certificate: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(createPrivateKey(pem.key));
  } catch (err) {
    throw new TlsFilesError(`TLS key file "${config.keyFile}" holds no PEM private key: ${(err as Error).message}`, { cause: err });
  }
  if (!matches) {
    throw new TlsFilesError(
      `TLS key file "${config.keyFile}" is not the key of certificate "${config.certFile}" — give the key the certificate was issued for`,
    );
  }
  for (const [file, bytes] of [
    [config.caFile, pem.ca],
    [config.clientCaFile, pem.clientCa],
  ] as const) {
    if (file === undefined || bytes === undefined) continue;
    try {
      createSecureContext({ ca: bytes });
      new X509Certificate(bytes);
    } catch (err) {
      throw new TlsFilesError(`TLS CA file "${file}" holds no PEM certificate: ${(err as Error).message}`, { cause: err });
    }
  }
  return { cert: pem.cert, key: pem.key, ca: pem.ca, clientCa: pem.clientCa ?? pem.ca };
}

/** Server credentials whose certificate, key and CA can be replaced while the server runs. */
class ReloadableServerCredentials extends ServerCredentials {
  constructor(requireClientCert: boolean, context: SecureContextOptions) {
    // Always ask for a certificate: the client port reads the caller's identity from it.
    super({ requestCert: true, rejectUnauthorized: requireClientCert }, context);
  }

  replace(context: SecureContextOptions): void {
    this.updateSecureContextOptions(context);
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/** The grpc-js certificate provider behind outgoing connections: the latest files at each handshake. */
class DialProvider implements experimental.CertificateProvider {
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();

  constructor(private pem: Pem) {}

  update(pem: Pem): void {
    this.pem = pem;
    for (const l of this.caListeners) l({ caCertificate: pem.ca });
    for (const l of this.identityListeners) l({ certificate: pem.cert, privateKey: pem.key });
  }

  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    // Asynchronously, as grpc-js's own provider does: the channel registers its watchers after this call.
    const ca = this.pem.ca;
    process.nextTick(() => this.caListeners.has(listener) && listener({ caCertificate: ca }));
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    const { cert, key } = this.pem;
    process.nextTick(() => this.identityListeners.has(listener) && listener({ certificate: cert, privateKey: key }));
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }
}

/**
 * One node's TLS files, loaded and checked, and the credentials made from them. The same
 * credentials objects stay in use across reloads; reload() swaps what they hold.
 */
export class TlsMaterial {
  private pem: Pem;
  private peerServer: ReloadableServerCredentials | undefined;
  private clientServer: ReloadableServerCredentials | undefined;
  private readonly dial: DialProvider;
  private dialCredentials: ChannelCredentials | undefined;
  private readonly peerDialCredentials = new Map<string, ChannelCredentials>();

  private constructor(readonly config: TlsConfig) {
    this.pem = loadPem(config);
    this.dial = new DialProvider(this.pem);
  }

  /** Reads and checks the files; throws TlsFilesError naming the file that is wrong. */
  static load(config: TlsConfig): TlsMaterial {
    return new TlsMaterial(config);
  }

  /** The certificate in use now. */
  summary(): CertificateSummary {
    const leaf = new X509Certificate(this.pem.cert);
    return {
      subject: leaf.subject.replace(/\n/g, ', '),
      serial: leaf.serialNumber,
      validTo: leaf.validTo,
      fingerprint256: leaf.fingerprint256,
    };
  }

  /**
   * Re-reads the files. When they are all valid, every listener and every later outgoing
   * connection uses them; when one is not, nothing changes and the error says which file.
   * Returns whether the certificate, key or a CA changed.
   */
  reload(): boolean {
    const next = loadPem(this.config);
    const same =
      next.cert.equals(this.pem.cert) &&
      next.key.equals(this.pem.key) &&
      next.ca.equals(this.pem.ca) &&
      next.clientCa.equals(this.pem.clientCa);
    if (same) return false;
    this.pem = next;
    this.peerServer?.replace(this.peerContext());
    this.clientServer?.replace(this.clientContext());
    this.dial.update(next);
    return true;
  }

  /** The peer (Raft) port: a certificate of the cluster CA is required to connect at all. */
  peerServerCredentials(): ServerCredentials {
    this.peerServer ??= new ReloadableServerCredentials(this.config.requireClientCert ?? true, this.peerContext());
    return this.peerServer;
  }

  /** The client port: a certificate of the client CA is asked for; without one the API layer decides. */
  clientServerCredentials(): ServerCredentials {
    this.clientServer ??= new ReloadableServerCredentials(false, this.clientContext());
    return this.clientServer;
  }

  /** Dialling a peer (or a member's port, to join): this node's certificate as client certificate. */
  channelCredentials(): ChannelCredentials {
    this.dialCredentials ??= experimental.createCertificateProviderChannelCredentials(this.dial, this.dial);
    return this.dialCredentials;
  }

  /**
   * Dialling the peer `peerId` (Raft traffic): as channelCredentials(), and the server must also
   * present that member's node certificate (CN = peerId, OU = node), not only one valid for the
   * address — so a stale or wrong address book cannot hand our messages to another member.
   */
  peerChannelCredentials(peerId: string): ChannelCredentials {
    let c = this.peerDialCredentials.get(peerId);
    if (c === undefined) {
      c = experimental.createCertificateProviderChannelCredentials(this.dial, this.dial, { checkServerIdentity: expectNode(peerId) });
      this.peerDialCredentials.set(peerId, c);
    }
    return c;
  }

  channelOptions(): ChannelOptions {
    return tlsChannelOptions(this.config);
  }

  private peerContext(): SecureContextOptions {
    return { ca: this.pem.ca, cert: this.pem.cert, key: this.pem.key };
  }

  private clientContext(): SecureContextOptions {
    return { ca: this.pem.clientCa, cert: this.pem.cert, key: this.pem.key };
  }
}

/** The usual host check, then: the certificate is node `peerId`'s own. */
export function expectNode(peerId: string): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const hostError = checkServerIdentity(host, cert);
    if (hostError !== undefined) return hostError;
    const id = certificateIdentity(cert);
    if (id?.name === peerId && isNodeCertificate(id)) return undefined;
    const shown =
      id === undefined ? 'a certificate without a single CN' : `the certificate of ${id.name} (OU ${id.roles.join(',') || 'none'})`;
    return new Error(`peer ${peerId} at ${host} presented ${shown}, not node ${peerId}'s (CN=${peerId}, OU=${NODE_ROLE})`);
  };
}

/** Either files to load, or material already loaded (a node shares one between its ports). */
export type TlsSource = TlsConfig | TlsMaterial;

export function tlsMaterial(tls: TlsSource): TlsMaterial {
  return tls instanceof TlsMaterial ? tls : TlsMaterial.load(tls);
}

/** Peer-port server credentials (plaintext without TLS). */
export function serverCredentials(tls: TlsSource | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  return tlsMaterial(tls).peerServerCredentials();
}

/** Credentials for dialling with this node's (or user's) certificate (plaintext without TLS). */
export function channelCredentials(tls: TlsSource | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  if (tls instanceof TlsMaterial) return tls.channelCredentials();
  return credentials.createSsl(read(tls.caFile, 'CA file'), read(tls.keyFile, 'key file'), read(tls.certFile, 'certificate file'));
}

export function tlsChannelOptions(tls: TlsSource | undefined): ChannelOptions {
  const serverName = tls instanceof TlsMaterial ? tls.config.serverName : tls?.serverName;
  return serverName === undefined ? {} : { 'grpc.ssl_target_name_override': serverName, 'grpc.default_authority': serverName };
}
