// The store's quota (--quota-bytes), like etcd's --quota-backend-bytes: a write that would grow
// the key-value store past it is refused with RESOURCE_EXHAUSTED before it is proposed, and
// status shows an alarm until the refused write would fit again. Deletes and writes that do not
// grow the store always pass, so an operator can make room.
//
// The check runs on the node that takes the write, against its applied state, so writes in
// flight at once can overshoot the quota by what they carry; apply never refuses (replicas
// could disagree on the quota, and must agree on the state).
import { ResourceExhaustedError } from '../errors.js';
import { SYSTEM_PREFIX, storedBytes } from '../statemachine/kv-store.js';

export interface StoreUsage {
  /** The live keys' size (kv-store.ts storedBytes). */
  readonly usedBytes: number;
  readonly quotaBytes: number;
  /** '' when none; otherwise what was refused and what to do. */
  readonly alarm: string;
}

export class StoreQuota {
  /** The growth of the last refused write: the alarm stays while it still would not fit. */
  private refusedGrowth = 0;

  constructor(readonly quotaBytes: number) {
    if (!Number.isSafeInteger(quotaBytes) || quotaBytes < 1) throw new RangeError(`quotaBytes = ${quotaBytes}`);
  }

  /**
   * Throws ResourceExhaustedError when putting `value` at `key` would grow the store past the
   * quota. `previous` is the key's current value (undefined: a new key). Keys under the reserved
   * prefix are the nodes' own records and always pass: a full store must not stop failover.
   */
  admit(usedBytes: number, key: string, value: string, previous: string | undefined): void {
    if (key.startsWith(SYSTEM_PREFIX)) return;
    const growth = storedBytes(key, value) - (previous !== undefined ? storedBytes(key, previous) : 0);
    if (growth <= 0 || usedBytes + growth <= this.quotaBytes) return;
    this.refusedGrowth = growth;
    throw new ResourceExhaustedError(
      `the store's quota is exhausted: it holds ${usedBytes} bytes of --quota-bytes ${this.quotaBytes}, and this write adds ${growth}; ` +
        'delete keys you no longer need, or raise --quota-bytes on every member',
    );
  }

  usage(usedBytes: number): StoreUsage {
    if (this.refusedGrowth > 0 && usedBytes + this.refusedGrowth <= this.quotaBytes) this.refusedGrowth = 0;
    const alarm =
      this.refusedGrowth > 0
        ? `NOSPACE: writes are refused: the store holds ${usedBytes} bytes of its quota of ${this.quotaBytes} (--quota-bytes)`
        : '';
    return { usedBytes, quotaBytes: this.quotaBytes, alarm };
  }
}
