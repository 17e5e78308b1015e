// Optional TLS / mTLS for peer traffic. Each node has a certificate signed by the cluster's CA
// and uses it both to serve and to dial, so with mTLS only holders of a CA-signed certificate
// can speak Raft to the cluster.
import { readFileSync } from 'node:fs';
import { ChannelCredentials, ServerCredentials, credentials, type ChannelOptions } from '@grpc/grpc-js';

export interface TlsConfig {
  /** PEM certificate chain of this node (used as server and as client certificate). */
  readonly certFile: string;
  /** PEM private key of `certFile`. */
  readonly keyFile: string;
  /** PEM CA bundle that peers' certificates must chain to. */
  readonly caFile: string;
  /** Server side: demand and verify a client certificate (mTLS). Default true. */
  readonly requireClientCert?: boolean;
  /**
   * Client side: the name the peer's certificate must carry, when it differs from the host in
   * the peer's address (e.g. dialling an IP with a certificate issued for a DNS name).
   */
  readonly serverName?: string;
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read TLS ${what} "${path}": ${(err as Error).message}`, { cause: err });
  }
}

export function serverCredentials(tls: TlsConfig | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    read(tls.caFile, 'CA file'),
    [{ cert_chain: read(tls.certFile, 'certificate file'), private_key: read(tls.keyFile, 'key file') }],
    tls.requireClientCert ?? true,
  );
}

export function channelCredentials(tls: TlsConfig | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  return credentials.createSsl(read(tls.caFile, 'CA file'), read(tls.keyFile, 'key file'), read(tls.certFile, 'certificate file'));
}

export function tlsChannelOptions(tls: TlsConfig | undefined): ChannelOptions {
  return tls?.serverName === undefined ? {} : { 'grpc.ssl_target_name_override': tls.serverName, 'grpc.default_authority': tls.serverName };
}
