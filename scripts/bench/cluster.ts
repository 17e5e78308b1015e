// What the benchmark needs from a running 3-member cluster, whichever system it is.

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

export const MEMBER_IDS = ['n1', 'n2', 'n3'] as const;
