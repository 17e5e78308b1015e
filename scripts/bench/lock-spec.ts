// The contract between `npm run bench:locks` and its forked processes (JSON over fork IPC): a
// lock worker (contenders in closed loops) and a lock holder (takes the lock and waits to be
// killed).

/** What is measured: palisade's primitives and etcd 3.4's through the `etcd3` npm client. */
export const LockKind = {
  /** `session.lock(name)` / `grant.release()`, one session per contender. */
  PalisadeLock: 'palisade-lock',
  /** `session.campaign(name, value)` / `leadership.resign()`, one session per contender. */
  PalisadeElection: 'palisade-election',
  /** etcd's Go `concurrency.Mutex` recipe over etcd3 (etcd-mutex.ts), one lease per contender. */
  EtcdMutex: 'etcd-mutex',
  /** etcd3's `Election.campaign(value)` / `resign()`: a new lease per campaign, as the package does. */
  Etcd3Election: 'etcd3-election',
  /** etcd3's `Lock.acquire()` / `release()`: a try-lock with a lease per acquire (uncontended only). */
  Etcd3Lock: 'etcd3-lock',
} as const;
export type LockKind = (typeof LockKind)[keyof typeof LockKind];

export const LOCK_KINDS: readonly LockKind[] = Object.values(LockKind);

export function isPalisadeKind(kind: LockKind): boolean {
  return kind === LockKind.PalisadeLock || kind === LockKind.PalisadeElection;
}

export interface ContenderOptions {
  readonly kind: LockKind;
  /** Client endpoints, the leader first (etcd3 is given only the leader, as in bench:kv). */
  readonly endpoints: readonly string[];
  readonly name: string;
  /** Session / lease TTL (etcd takes whole seconds: a multiple of 1000). */
  readonly ttlMs: number;
}

export interface LockWorkerSpec extends ContenderOptions {
  /** Contenders for the one name, each a closed loop: acquire, release, again. */
  readonly contenders: number;
  readonly warmupCycles: number;
  /** Warm-up goes on until both warmupCycles cycles and this long have passed. */
  readonly warmupMs: number;
  readonly measureMs: number;
  readonly maxCycles: number;
}

export type LockWorkerMessage =
  | { readonly type: 'ready' }
  | {
      readonly type: 'result';
      /** Call → granted, per cycle (under contention: mostly the wait in the queue). */
      readonly acquireMs: number[];
      /** Call → released. */
      readonly releaseMs: number[];
      readonly errors: number;
      readonly firstErrors: string[];
      readonly elapsedMs: number;
      /** This worker's own CPU (user + system) during the window, % of a core. */
      readonly clientCpuPercent: number;
    }
  | { readonly type: 'failed'; readonly error: string };

export type HolderMessage = { readonly type: 'held' } | { readonly type: 'failed'; readonly error: string };

export type DriverMessage = { readonly type: 'go' };
