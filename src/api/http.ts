// The node's HTTP endpoints (node:http, no framework), for load balancers, probes and people:
//   /health   200 when the node runs, knows a leader and its service check is not failing
//   /primary  200 only on the active node with a valid lease and its resources up (503 elsewhere)
//   /replica  200 on a member that follows a leader, is not the active node and whose service
//             check is not failing
//   /status   JSON (the same NodeStatus as the gRPC Status call, with the active role)
//   /metrics  Prometheus text
// /primary and /replica answer in a few bytes of JSON so HAProxy's `http-check expect status 200`
// works and a human can still read why (cluster-examples/haproxy.cfg).
// With --metrics-listen the endpoint is split in two: the load balancers' port keeps the probes
// (/primary /replica /health, which say little), and /status and /metrics (members, addresses,
// terms, counters) move to a listener the operator can bind to a management network or loopback.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { holdsRole } from '../ha/types.js';
import type { HaPort, NodeStatus } from './node-port.js';

export interface HttpPort {
  status(): NodeStatus;
  metricsText(): string;
  /** False while the node is starting or stopping. */
  running(): boolean;
  /** The active-role layer; without it /primary and /replica answer 503. */
  readonly ha?: HaPort;
}

export interface HttpEndpoint {
  /** Bound host:port (port 0 → the real port). */
  readonly address: string;
  close(): Promise<void>;
}

/** Which paths one listener serves. */
export const HttpRoutes = {
  /** Everything (no --metrics-listen). */
  All: 'all',
  /** /primary /replica /health only: the --http port when /status and /metrics live elsewhere. */
  Probes: 'probes',
  /** /status /metrics /health: the --metrics-listen port. */
  Management: 'management',
} as const;
export type HttpRoutes = (typeof HttpRoutes)[keyof typeof HttpRoutes];

const PROBE_PATHS: ReadonlySet<string> = new Set(['/primary', '/replica', '/health']);
const MANAGEMENT_PATHS: ReadonlySet<string> = new Set(['/status', '/metrics', '/health']);

export async function startHttp(listen: string, port: HttpPort, routes: HttpRoutes = HttpRoutes.All): Promise<HttpEndpoint> {
  const server = createServer((req, res) => handle(port, routes, req, res));
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

function handle(port: HttpPort, routes: HttpRoutes, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET and HEAD\n', { allow: 'GET, HEAD' });
  const served = routes === HttpRoutes.Probes ? PROBE_PATHS : routes === HttpRoutes.Management ? MANAGEMENT_PATHS : undefined;
  if (served !== undefined && !served.has(path)) {
    const elsewhere = routes === HttpRoutes.Probes && MANAGEMENT_PATHS.has(path) ? " (served on the node's --metrics-listen address)" : '';
    return send(res, 404, 'text/plain', `not found${elsewhere}: this port serves ${[...served].join(', ')}\n`);
  }
  try {
    switch (path) {
      case '/health': {
        const s = port.status();
        // The service's health by this node's check (issue 15): unhealthy is a failed health.
        const service = s.ha?.health ?? 'unknown';
        const unhealthy = service === 'unhealthy';
        const ok = port.running() && s.leader !== '' && !unhealthy;
        const reason = !port.running()
          ? 'node is not running'
          : s.leader === ''
            ? 'no leader known'
            : unhealthy
              ? `service unhealthy${s.ha?.healthDetail ? `: ${s.ha.healthDetail}` : ''}`
              : undefined;
        const body = {
          ok,
          node: s.id,
          cluster: s.cluster,
          leader: s.leader,
          term: s.term,
          role: s.role,
          service,
          ...(s.ha?.degraded ? { degraded: true } : {}),
          ...(reason ? { reason } : {}),
        };
        return json(res, ok ? 200 : 503, body);
      }
      case '/primary': {
        const s = port.status();
        const ok = port.running() && port.ha !== undefined && port.ha.isPrimary();
        const why = ok ? undefined : primaryWhyNot(port, s);
        return json(res, ok ? 200 : 503, { primary: ok, node: s.id, active: s.ha?.active ?? null, ...(why ? { reason: why } : {}) });
      }
      case '/replica': {
        const s = port.status();
        // A replica whose own service check fails cannot serve the reads a load balancer sends it.
        const unhealthy = s.ha?.health === 'unhealthy';
        const ok = port.running() && port.ha !== undefined && port.ha.isReplica() && !unhealthy;
        const why = ok ? undefined : replicaWhyNot(port, s);
        return json(res, ok ? 200 : 503, {
          replica: ok,
          node: s.id,
          leader: s.leader,
          active: s.ha?.active ?? null,
          ...(why ? { reason: why } : {}),
        });
      }
      case '/status':
        return json(res, 200, port.status());
      case '/metrics':
        return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', port.metricsText());
      default:
        return send(res, 404, 'text/plain', 'not found: try /health, /primary, /replica, /status or /metrics\n');
    }
  } catch (err) {
    return send(res, 500, 'text/plain', `internal error: ${(err as Error).message}\n`);
  }
}

function primaryWhyNot(port: HttpPort, s: NodeStatus): string {
  if (!port.running()) return 'node is not running';
  if (s.ha === undefined) return 'the active-role layer is not running';
  if (s.ha.localRole !== 'active') return `this node is ${s.ha.localRole}${s.ha.active ? `; the active node is ${s.ha.active.node}` : ''}`;
  return 'lease not valid or resources not up';
}

function replicaWhyNot(port: HttpPort, s: NodeStatus): string {
  if (!port.running()) return 'node is not running';
  if (s.ha?.primary) return 'this node is the active node';
  if (s.ha !== undefined && holdsRole(s.ha.localRole)) return `this node is ${s.ha.localRole}: its service may still be the primary`;
  if (s.ha?.health === 'unhealthy') return `service unhealthy${s.ha.healthDetail ? `: ${s.ha.healthDetail}` : ''}`;
  return s.leader === '' ? 'no leader known' : 'not following a leader';
}

function json(res: ServerResponse, code: number, body: unknown): void {
  send(res, code, 'application/json', `${JSON.stringify(body)}\n`);
}

function send(res: ServerResponse, code: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
