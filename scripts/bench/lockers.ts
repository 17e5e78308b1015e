// One lock contender per kind (lock-spec.ts), behind one small interface: acquire (waits for the
// grant), release, close. The palisade contenders live in palisade-lockers.ts.
import { Etcd3, type Campaign, type Lock } from 'etcd3';
import { EtcdSession } from './etcd-mutex.js';
import { LockKind, isPalisadeKind, type ContenderOptions } from './lock-spec.js';
import { openPalisadeContenders } from './palisade-lockers.js';

export interface Contender {
  /** Resolves once this contender holds the name. */
  acquire(): Promise<void>;
  release(): Promise<void>;
}

export interface ContenderSet {
  readonly contenders: readonly Contender[];
  /** How many sessions wait for or hold the name now, by the cluster's own state. */
  participants(): Promise<number>;
  close(): Promise<void>;
}

export async function openContenders(opts: ContenderOptions, count: number): Promise<ContenderSet> {
  if (isPalisadeKind(opts.kind)) return openPalisadeContenders(opts, count);
  return openEtcdContenders(opts, count);
}

function etcdTtlSeconds(ttlMs: number): number {
  if (ttlMs % 1000 !== 0) throw new Error(`etcd leases take whole seconds: ttl ${ttlMs} ms`);
  return ttlMs / 1000;
}

async function openEtcdContenders(opts: ContenderOptions, count: number): Promise<ContenderSet> {
  const client = new Etcd3({ hosts: `http://${opts.endpoints[0]}` });
  const ttl = etcdTtlSeconds(opts.ttlMs);
  const sessions: EtcdSession[] = [];
  const prefix = (() => {
    switch (opts.kind) {
      case LockKind.EtcdMutex:
        return `${opts.name}/`;
      case LockKind.Etcd3Election:
        return `election/${opts.name}/`;
      case LockKind.Etcd3Lock:
        return opts.name;
      default:
        throw new Error(`not an etcd kind: ${opts.kind}`);
    }
  })();
  const contenders: Contender[] = [];
  for (let i = 0; i < count; i++) {
    switch (opts.kind) {
      case LockKind.EtcdMutex: {
        const session = await EtcdSession.open(client, ttl);
        sessions.push(session);
        const mutex = session.mutex(opts.name);
        contenders.push({ acquire: () => mutex.lock(), release: () => mutex.unlock() });
        break;
      }
      case LockKind.Etcd3Election: {
        const election = client.election(opts.name, ttl);
        let campaign: Campaign | undefined;
        contenders.push({
          acquire: async () => {
            campaign = election.campaign(`c${i}`);
            await campaign.wait();
          },
          release: async () => campaign?.resign(),
        });
        break;
      }
      case LockKind.Etcd3Lock: {
        let lock: Lock | undefined;
        contenders.push({
          acquire: async () => {
            lock = client.lock(opts.name).ttl(ttl);
            await lock.acquire();
          },
          release: async () => lock?.release(),
        });
        break;
      }
    }
  }
  return {
    contenders,
    participants: () => client.getAll().prefix(prefix).count(),
    close: async () => {
      await Promise.allSettled(sessions.map((s) => s.close()));
      client.close();
    },
  };
}
