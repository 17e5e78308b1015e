// The node's HTTP endpoints (node:http, no framework): /health for load balancers and probes,
// /status as JSON, /metrics in Prometheus text. /primary and /replica belong to the HA layer
// and are not served until it exists.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { NodeStatus } from './node-port.js';

export interface HttpPort {
  status(): NodeStatus;
  metricsText(): string;
  /** False while the node is starting or stopping. */
  running(): boolean;
}

export interface HttpEndpoint {
  /** Bound host:port (port 0 → the real port). */
  readonly address: string;
  close(): Promise<void>;
}

export async function startHttp(listen: string, port: HttpPort): Promise<HttpEndpoint> {
  const server = createServer((req, res) => handle(port, req, res));
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const wanted = Number(listen.slice(i + 1));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`HTTP endpoint cannot listen on ${listen}: ${err.message}`, { cause: err })));
    server.listen(wanted, host, () => resolve());
  });
  const bound = server.address();
  const actual = typeof bound === 'object' && bound !== null ? bound.port : wanted;
  return {
    address: `${listen.slice(0, i)}:${actual}`,
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function handle(port: HttpPort, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET and HEAD\n', { allow: 'GET, HEAD' });
  try {
    switch (path) {
      case '/health': {
        const s = port.status();
        const ok = port.running() && s.leader !== '';
        const reason = !port.running() ? 'node is not running' : s.leader === '' ? 'no leader known' : undefined;
        const body = { ok, node: s.id, cluster: s.cluster, leader: s.leader, term: s.term, role: s.role, ...(reason ? { reason } : {}) };
        return send(res, ok ? 200 : 503, 'application/json', `${JSON.stringify(body)}\n`);
      }
      case '/status':
        return send(res, 200, 'application/json', `${JSON.stringify(port.status())}\n`);
      case '/metrics':
        return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', port.metricsText());
      default:
        return send(res, 404, 'text/plain', 'not found: try /health, /status or /metrics\n');
    }
  } catch (err) {
    return send(res, 500, 'text/plain', `internal error: ${(err as Error).message}\n`);
  }
}

function send(res: ServerResponse, code: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
