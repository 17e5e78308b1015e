// Test helpers: free loopback ports, temp data dirs, an in-process cluster of real nodes, a raw
// gRPC client of the Palisade service, and bounded condition waits (no sleeps as synchronization).
import { credentials, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startNode, type PalisadeNode, type StartNodeOptions } from '../../src/server/node.js';
import { loadClientProto } from '../../src/transport/client-proto.js';
import type { PalisadeClient as RawClient } from '../../src/transport/generated/palisade/v1/Palisade.js';

export const silent = pino({ level: 'silent' });

export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export function tempDir(prefix = 'palisade-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Polls `check` until it returns a truthy value; throws after `timeoutMs` with `what`. */
export async function waitUntil<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface TestCluster {
  readonly nodes: Map<string, PalisadeNode>;
  readonly options: Map<string, StartNodeOptions>;
  readonly dir: string;
  leader(): Promise<PalisadeNode>;
  restart(id: string): Promise<PalisadeNode>;
  close(): Promise<void>;
}

export async function startCluster(size = 3, extra: Partial<StartNodeOptions> = {}): Promise<TestCluster> {
  const dir = tempDir();
  const ports = await freePorts(size * 2);
  const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  const peers = ids.map((id, i) => `${id}=127.0.0.1:${ports[i]}`).join(',');
  const options = new Map<string, StartNodeOptions>();
  ids.forEach((id, i) =>
    options.set(id, {
      id,
      listen: `127.0.0.1:${ports[i]}`,
      http: `127.0.0.1:${ports[size + i]}`,
      dataDir: join(dir.path, id),
      peers,
      heartbeatMs: 20,
      electionTimeoutMs: 150,
      logger: silent,
      ...extra,
    }),
  );
  const nodes = new Map<string, PalisadeNode>();
  try {
    for (const n of await Promise.all(ids.map((id) => startNode(options.get(id)!)))) nodes.set(n.id, n);
  } catch (err) {
    await Promise.all([...nodes.values()].map((n) => n.stop()));
    dir.remove();
    throw err;
  }
  const cluster: TestCluster = {
    nodes,
    options,
    dir: dir.path,
    leader: () =>
      waitUntil('one leader that every running node agrees on', () => {
        const running = [...nodes.values()];
        const leaders = running.filter((n) => n.status().role === 'leader');
        if (leaders.length !== 1) return undefined;
        const id = leaders[0].id;
        return running.every((n) => n.status().leader === id) ? leaders[0] : undefined;
      }),
    restart: async (id) => {
      const n = await startNode(options.get(id)!);
      nodes.set(id, n);
      return n;
    },
    close: async () => {
      await Promise.all([...nodes.values()].map((n) => n.stop()));
      dir.remove();
    },
  };
  return cluster;
}

export function rawClient(address: string): RawClient {
  const Palisade = loadClientProto().palisade.v1.Palisade;
  return new Palisade(address, credentials.createInsecure());
}

type Callback<R> = (err: ServiceError | null, res?: R) => void;

/** Promisified unary call: call(client, 'KvPut', {...}). */
export function call<R>(client: RawClient, method: string, req: object, timeoutMs = 5000): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const fn = (client as unknown as Record<string, (req: object, opts: object, cb: Callback<R>) => void>)[method];
    fn.call(client, req, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res as R)));
  });
}

export function errorCode(err: unknown): { code: number | undefined; reason: string | undefined } {
  const e = err as { code?: number; metadata?: Metadata };
  return { code: e.code, reason: e.metadata?.get('palisade-error')[0]?.toString() };
}
