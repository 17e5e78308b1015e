// etcd 3.4's Mutex (client/v3/concurrency/mutex.go) over the `etcd3` npm client's primitives,
// step for step: one lease per session (the Go Session), kept alive by etcd3 every ttl/3; Lock =
// one Txn that puts `prefix + leaseId` if absent and reads the oldest key under the prefix, then,
// unless that key is ours, waits until every key created before ours is deleted (each waiter
// watches only its predecessor); Unlock = delete our key. etcd3's own `Lock` is a try-lock with
// a lease per acquire, and its `Election` a lease per campaign: neither is this recipe.
import type { Etcd3, Lease, Namespace } from 'etcd3';

/** The Go Session: one lease, kept alive until closed. */
export class EtcdSession {
  readonly #lease: Lease;
  readonly #client: Etcd3;

  private constructor(
    client: Etcd3,
    lease: Lease,
    readonly leaseId: string,
  ) {
    this.#client = client;
    this.#lease = lease;
  }

  static async open(client: Etcd3, ttlSeconds: number): Promise<EtcdSession> {
    const lease = client.lease(ttlSeconds);
    lease.on('lost', () => {}); // a lost lease shows as a failed Lock/Unlock; nothing to do here
    return new EtcdSession(client, lease, await lease.grant());
  }

  mutex(name: string): EtcdMutex {
    return new EtcdMutex(this.#client.namespace(`${name}/`), this.leaseId);
  }

  async close(): Promise<void> {
    await this.#lease.revoke();
  }
}

export class EtcdMutex {
  readonly #ns: Namespace;
  readonly #leaseId: string;
  readonly #myKey: string;

  constructor(ns: Namespace, leaseId: string) {
    this.#ns = ns;
    this.#leaseId = leaseId;
    // mutex.go: fmt.Sprintf("%s%x", m.pfx, s.Lease())
    this.#myKey = BigInt(leaseId).toString(16);
  }

  async lock(): Promise<void> {
    const owner = () => this.#ns.getAll().sort('Create', 'Ascend').limit(1);
    const resp = await this.#ns
      .if(this.#myKey, 'Create', '==', 0)
      .then(this.#ns.put(this.#myKey).value('').lease(this.#leaseId), owner())
      .else(this.#ns.get(this.#myKey), owner())
      .commit();
    let myRev = BigInt(resp.header.revision);
    if (!resp.succeeded) myRev = BigInt(resp.responses[0].response_range.kvs[0].create_revision);
    const ownerKvs = resp.responses[1].response_range.kvs;
    if (ownerKvs.length === 0 || BigInt(ownerKvs[0].create_revision) === myRev) return;
    await this.#waitDeletes(myRev - 1n);
  }

  async unlock(): Promise<void> {
    await this.#ns.delete().key(this.#myKey);
  }

  /** mutex.go waitDeletes: wait for the newest key created at or before maxCreateRev to go, repeatedly. */
  async #waitDeletes(maxCreateRev: bigint): Promise<void> {
    for (;;) {
      const resp = await this.#ns.getAll().sort('Create', 'Descend').maxCreateRevision(maxCreateRev.toString()).limit(1).exec();
      if (resp.kvs.length === 0) return;
      await this.#waitDelete(resp.kvs[0].key, BigInt(resp.header.revision));
    }
  }

  async #waitDelete(key: Buffer, revision: bigint): Promise<void> {
    // The watch starts at the revision the range read, so a delete in between is not missed.
    const watcher = await this.#ns.watch().key(key).startRevision(revision.toString()).only('delete').create();
    try {
      await new Promise<void>((resolve, reject) => {
        watcher.once('delete', () => resolve());
        watcher.once('error', reject);
      });
    } finally {
      await watcher.cancel();
    }
  }
}
