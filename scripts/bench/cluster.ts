// What the benchmark needs from a running cluster (3 members unless a benchmark asks for more),
// whichever system it is.

export const System = { Palisade: 'palisade', Etcd: 'etcd' } as const;
export type System = (typeof System)[keyof typeof System];

export interface BenchMember {
  readonly id: string;
  readonly pid: number;
  /** host:port a client connects to (etcd: without the http:// scheme). */
  readonly clientAddress: string;
  /** palisade only: host:port of /metrics. */
  readonly httpAddress?: string;
}

export interface BenchCluster {
  readonly system: System;
  readonly members: readonly BenchMember[];
  /** The current leader's member id (asked of the cluster, not remembered). */
  leader(): Promise<string>;
  /** Graceful stop of every member; data dirs are removed by the ProcessGroup. */
  stop(): Promise<void>;
}

/** n1 … nSIZE: the member ids of a cluster of `size` members. */
export function memberIds(size = 3): string[] {
  if (!Number.isSafeInteger(size) || size < 1) throw new Error(`a cluster needs a whole number of members, got ${size}`);
  return Array.from({ length: size }, (_, i) => `n${i + 1}`);
}
