// Where a node listens, and whether it may do so in plaintext (issue 14):
//   listen        the peer (Raft) port; with TLS it demands a member's node certificate
//   clientListen  the client API port; by default the peer port, but only while TLS is off:
//                 with TLS the two are separate, so clients never reach the Raft service and
//                 peers never take client calls
//   insecure      without TLS the node refuses a non-loopback gRPC address unless this is set:
//                 plaintext on a network means anyone who reaches the port can forge Raft
//                 messages and drive the cluster
// Checked with the rest of the node config (server/config.ts), every problem at once.
import { isIP } from 'node:net';
import type { OptionGroup, OptionInputs } from './node-options.js';

/** The listener options of the node config (server/node-options.ts, group listen). */
export type ListenSettingsInput = OptionInputs<typeof OptionGroup.Listen>;

export interface ListenConfig {
  /** The client API's own host:port; absent: served on the peer port (TLS off only). */
  readonly clientListen?: string;
  /** Plaintext on a non-loopback address was allowed explicitly (--insecure). */
  readonly insecure: boolean;
  /** The node listens in plaintext where others can reach it: the agent warns, status shows it. */
  readonly exposedPlaintext: boolean;
}

/** "127.0.0.1:7101", "[::1]:7101", "localhost:7101" are loopback; "0.0.0.0", "[::]", names and other addresses are not. */
export function isLoopbackAddress(hostPort: string): boolean {
  const i = hostPort.lastIndexOf(':');
  let host = (i < 0 ? hostPort : hostPort.slice(0, i)).toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host);
  return false;
}

export function parseListenSettings(
  input: ListenSettingsInput,
  ctx: { readonly listen: string | undefined; readonly tls: boolean },
  isHostPort: (field: string, s: string) => boolean,
  problems: string[],
): ListenConfig {
  let clientListen: string | undefined;
  if (input.clientListen !== undefined && input.clientListen !== '') {
    if (typeof input.clientListen !== 'string')
      problems.push('clientListen: must be a host:port string — e.g. clientListen: 127.0.0.1:7201');
    else if (isHostPort('clientListen', input.clientListen)) clientListen = input.clientListen;
  }
  let insecure = false;
  if (input.insecure !== undefined) {
    if (input.insecure === true || input.insecure === 'true') insecure = true;
    else if (input.insecure !== false && input.insecure !== 'false')
      problems.push(`insecure: ${JSON.stringify(input.insecure)} — use true or false`);
  }
  if (clientListen !== undefined && ctx.listen !== undefined && clientListen === ctx.listen && !clientListen.endsWith(':0')) {
    if (ctx.tls)
      problems.push(
        `clientListen: same address as listen (${clientListen}) — with TLS the client API needs its own port, e.g. clientListen: ${suggestPort(ctx.listen)}`,
      );
    else clientListen = undefined; // the same port, as without the setting
  }
  if (ctx.tls && clientListen === undefined && ctx.listen !== undefined) {
    problems.push(
      `clientListen: missing — with TLS the client API is served on its own port (the peer port only takes the members' node certificates); ` +
        `add e.g. clientListen: ${suggestPort(ctx.listen)}`,
    );
  }
  const grpcAddresses = [ctx.listen, clientListen].filter((a): a is string => a !== undefined);
  const exposed = grpcAddresses.filter((a) => !isLoopbackAddress(a));
  if (!ctx.tls && exposed.length > 0 && !insecure) {
    problems.push(
      `listen: ${exposed.join(', ')} is not a loopback address and TLS is off — anyone who reaches it could forge Raft messages and ` +
        'drive the cluster; turn TLS on (tls-ca, tls-cert, tls-key; `palisade certs init` makes them) or, on a network you trust ' +
        'entirely, add insecure: true',
    );
  }
  return { ...(clientListen !== undefined ? { clientListen } : {}), insecure, exposedPlaintext: !ctx.tls && exposed.length > 0 };
}

/** The peer port + 100 as an example client port ("127.0.0.1:7101" → "127.0.0.1:7201"). */
function suggestPort(listen: string): string {
  const i = listen.lastIndexOf(':');
  const port = Number(listen.slice(i + 1));
  return Number.isInteger(port) && port > 0 && port <= 65435 ? `${listen.slice(0, i)}:${port + 100}` : `${listen.slice(0, i)}:7201`;
}
