// One put API over both clients, so the load loop is identical for both systems.
// palisade: the project's own typed client (connect(), one gRPC channel, writes carry a
// (clientId, requestId) for exactly-once retries). etcd: the `etcd3` npm client (one gRPC
// channel per host), the Node client the reference figures were taken with.
import { Etcd3 } from 'etcd3';
import { connect } from '../../src/index.js';
import { System } from './cluster.js';

export interface Putter {
  put(key: string, value: string): Promise<void>;
  close(): void;
}

/** endpoints: host:port, leader first (etcd3 gets only the leader: it round-robins its hosts). */
export function makePutter(system: System, endpoints: readonly string[]): Putter {
  switch (system) {
    case System.Palisade: {
      const client = connect(endpoints, { timeoutMs: 10_000 });
      return {
        put: async (key, value) => {
          await client.kv.put(key, value);
        },
        close: () => client.close(),
      };
    }
    case System.Etcd: {
      const client = new Etcd3({ hosts: `http://${endpoints[0]}` });
      return {
        put: async (key, value) => {
          await client.put(key).value(value).exec();
        },
        close: () => client.close(),
      };
    }
    default: {
      const never: never = system;
      throw new Error(`unknown system ${String(never)}`);
    }
  }
}
