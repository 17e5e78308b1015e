// A fresh lease before a promotion starts a process (ResourceExecutorOptions.renewLease).
// Starting a process blocks the agent's event loop until the child has exec'd (libuv forks
// and waits for the exec), and under CPU load that takes long enough to use up much of a
// short lease: no heartbeat goes out and no answer is read meanwhile. A renewal asked for at
// the usual pace may be most of a renewal period old when the process starts; one asked for
// just before and answered leaves the whole usable lease to absorb the stall. The lease rule
// itself is untouched: this only asks for a heartbeat round sooner and waits for its answers.
import { StateType } from '../raft/types.js';
import type { HaHost } from './ha-host.js';

interface Waiter {
  /** The core's tick count when the renewal was asked for: the round asked for starts at it or later. */
  readonly fromTick: number;
  done(): void;
}

export interface LeaseRenewalOptions {
  readonly host: Pick<HaHost, 'raw' | 'kick'>;
  /** Waiting longer than this is pointless (the lease is gone by then): give up. */
  readonly boundMs: number;
  /** Makes the read contexts of these rounds unique. */
  readonly nodeId: string;
}

export class LeaseRenewal {
  private readonly waiters = new Set<Waiter>();
  private seq = 0;

  constructor(private readonly o: LeaseRenewalOptions) {}

  /**
   * On a leader: starts a heartbeat round asking every voter (a ReadIndex round, whose quorum
   * of answers renews the lease like any round) and resolves at the first renewal from a round
   * started at the current tick or later: that round, or a newer one. (Not "the lease end
   * moved": where no tick passed since the last renewal, the round asked for renews to the
   * same end, and that is as fresh as the lease can be.) Resolves at once when not leader, and
   * on abort or after the bound. Never rejects.
   */
  request(signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.o.host.raw.basicStatus().state !== StateType.Leader) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), this.o.boundMs);
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(waiter);
        resolve();
      };
      const waiter: Waiter = { fromTick: this.o.host.raw.tickCount, done };
      this.waiters.add(waiter);
      signal.addEventListener('abort', done, { once: true });
      try {
        this.o.host.raw.readIndex(`ha-lease/${this.o.nodeId}/${++this.seq}`);
        this.o.host.kick();
      } catch {
        done(); // the core refused (e.g. it just stepped down): nothing to wait for
      }
    });
  }

  /** The lease was renewed by a round started at core tick `startTick`: release whoever waited for it. */
  renewed(startTick: number): void {
    for (const w of [...this.waiters]) if (startTick >= w.fromTick) w.done();
  }

  /** Releases every waiter (the layer stops). */
  stop(): void {
    for (const w of [...this.waiters]) w.done();
  }
}
