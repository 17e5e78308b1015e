// When the active node re-announces its VIP (gratuitous ARP) although nothing changed on its
// side. The promote step announces once; neighbours that missed it (they were cut off) or that
// learned a stale mapping meanwhile (another node that held the address in an earlier epoch, a
// rebooted machine bringing an address up before its agent's start-up demote removed it) keep
// sending to the wrong MAC until their ARP entry goes stale — tens of seconds with Linux
// defaults, which is what keepalived's users see after a partition heals. So the holder
// announces again after every "ambiguous period":
//   - a peer is heard from again after a silence of at least `quietMs` (a partition healed, a
//     node rejoined);
//   - this node's lease is renewed after a gap of at least `quietMs` (it was cut off or
//     stalled, yet kept the role);
//   - the operator resumed the cluster from maintenance (`resume`).
// Announcing is harmless, so the rules err on the side of announcing, only rate-limited: a
// trigger inside `minIntervalMs` of the last announcement is deferred, not dropped.
// Pure: the caller passes the times, on the node's monotonic clock.

export interface ReannounceOptions {
  /** A silence at least this long makes the next contact "ambiguous". The election timeout. */
  readonly quietMs: number;
  /** At most one announcement per this many ms. */
  readonly minIntervalMs: number;
}

export class ReannounceTrigger {
  private readonly heard = new Map<string, number>();
  private leaseAt: number | undefined;
  private lastAnnounceAt = Number.NEGATIVE_INFINITY;
  private pending: string | undefined;

  constructor(private readonly opts: ReannounceOptions) {}

  /** Contact with `peer` at `at` (the latest reading for it). */
  peerHeard(peer: string, at: number): void {
    const before = this.heard.get(peer);
    this.heard.set(peer, at);
    if (before !== undefined && at - before >= this.opts.quietMs)
      this.note(`${peer} heard again after ${Math.round(at - before)} ms of silence`);
  }

  /** This node's lease was renewed at `at`. */
  leaseRenewed(at: number): void {
    const before = this.leaseAt;
    this.leaseAt = at;
    if (before !== undefined && at - before >= this.opts.quietMs) this.note(`lease renewed after a gap of ${Math.round(at - before)} ms`);
  }

  resumed(): void {
    this.note('resumed from maintenance');
  }

  /**
   * The reason to announce now, if any. `serving`: this node holds the role with its resources
   * up (otherwise a trigger is dropped: the next promotion announces anyway).
   */
  poll(now: number, serving: boolean): string | undefined {
    if (!serving) {
      this.pending = undefined;
      return undefined;
    }
    if (this.pending === undefined || now - this.lastAnnounceAt < this.opts.minIntervalMs) return undefined;
    const why = this.pending;
    this.pending = undefined;
    this.lastAnnounceAt = now;
    return why;
  }

  /** When poll() would next announce while serving (+∞: nothing pending). Quiet ticks end here. */
  dueAt(): number {
    return this.pending === undefined ? Number.POSITIVE_INFINITY : this.lastAnnounceAt + this.opts.minIntervalMs;
  }

  private note(why: string): void {
    this.pending ??= why;
  }
}
