// A TCP forwarder whose traffic the test can cut, like a firewall that starts dropping packets:
// after cut() no byte passes either way and no connection is refused or reset — the client sees
// silence, as with a pulled cable or an nftables drop rule, not an error it could act on at once.
import { connect, createServer, type Socket } from 'node:net';

export interface CuttableLink {
  /** host:port to give the client instead of the target's. */
  readonly address: string;
  /** From now on nothing passes; new connections are accepted and left silent. */
  cut(): void;
  close(): Promise<void>;
}

export async function startCuttableLink(target: string): Promise<CuttableLink> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<Socket>();
  const pairs: [Socket, Socket][] = [];
  let isCut = false;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.once('close', () => sockets.delete(s));
  };
  const server = createServer((inbound) => {
    track(inbound);
    if (isCut) {
      inbound.pause();
      return;
    }
    const outbound = connect(port, host);
    track(outbound);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    pairs.push([inbound, outbound]);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port: own } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${own}`,
    cut: () => {
      isCut = true;
      for (const [a, b] of pairs) {
        a.unpipe(b);
        b.unpipe(a);
        a.pause();
        b.pause();
      }
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
