// A loopback TCP proxy in front of one node, for the coordination tests: it can delay what the
// node sends back (acknowledgements arrive late) and cut the client off while the node runs on.
import { connect as tcpConnect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** host:port to give the client. */
  readonly address: string;
  /** Closes every connection and refuses new ones; the node itself is untouched. */
  cut(): Promise<void>;
}

/** Forwards to `target` (host:port); bytes from the target reach the client `replyDelayMs` late, in order. */
export async function startProxy(target: string, replyDelayMs = 0): Promise<TcpProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) return client.destroy();
    const upstream = tcpConnect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (chunk) => upstream.write(chunk));
    // Timers of one duration fire in the order they were set: the byte stream stays in order.
    upstream.on('data', (chunk) => (replyDelayMs > 0 ? setTimeout(() => open && client.write(chunk), replyDelayMs) : client.write(chunk)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    address,
    cut: async () => {
      open = false;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
