// How the client proves who it is: TLS (the cluster's CA to trust the nodes, optionally a client
// certificate whose CN/OU name the user and role) and/or a bearer token the agents know (their
// --token-auth-file). The token rides in the `authorization` metadata of every call, unary or
// stream, through one interceptor. Without TLS a token crosses the network in clear: use it so
// only on loopback or a network you trust (`--insecure` on the agents).
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError } from '../errors.js';

/** TLS as a client sees it: the CA is required, a certificate only for certificate authentication. */
export interface ClientTls {
  /** PEM CA bundle the nodes' certificates chain to. */
  readonly caFile: string;
  /** PEM client certificate (CN = user name, OU = role), with keyFile. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** The name the nodes' certificates carry when it differs from the host dialled. */
  readonly serverName?: string;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InvalidArgumentError(`cannot read the ${what} "${path}": ${(err as Error).message}`, { cause: err });
  }
}

/** Checks the combination and reads the files once (a missing file fails here, not per call). */
export function channelCredentialsFor(tls: ClientTls | undefined): grpc.ChannelCredentials {
  if (tls === undefined) return grpc.credentials.createInsecure();
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new InvalidArgumentError('a client certificate needs its key and a key its certificate: give both (--cert and --key) or neither');
  }
  const ca = readPem(tls.caFile, 'CA certificate file');
  const key = tls.keyFile !== undefined ? readPem(tls.keyFile, 'client key file') : null;
  const cert = tls.certFile !== undefined ? readPem(tls.certFile, 'client certificate file') : null;
  return grpc.credentials.createSsl(ca, key, cert);
}

export function channelOptionsFor(
  tls: ClientTls | undefined,
  token: string | undefined,
): grpc.ChannelOptions & { interceptors?: grpc.Interceptor[] } {
  return {
    ...(tls?.serverName !== undefined ? { 'grpc.ssl_target_name_override': tls.serverName, 'grpc.default_authority': tls.serverName } : {}),
    ...(token !== undefined ? { interceptors: [bearerToken(checkToken(token))] } : {}),
  };
}

function checkToken(token: string): string {
  if (!/^\S+$/.test(token))
    throw new InvalidArgumentError('the token is empty or contains white space (a token file holds the token on its first line)');
  return token;
}

function bearerToken(token: string): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) => {
        metadata.set('authorization', `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}

/** The token in a file: its first non-empty line, trimmed (so `echo TOKEN > file` works). */
export function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read the token file "${path}": ${(err as Error).message}`, { cause: err });
  }
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  if (line === undefined) throw new InvalidArgumentError(`the token file "${path}" is empty`);
  return line;
}
