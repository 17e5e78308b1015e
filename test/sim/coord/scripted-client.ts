// A client that does exactly what a test says, one call at a time, for directed scenarios (the
// named regressions): each call goes to the current leader and the simulation runs until its
// answer arrives or a deadline passes. Its session clock is the client's real one.
import { SessionClock } from '../../../src/client/session-clock.js';
import type { CoordCluster } from './coord-cluster.js';
import { DEFAULT_CLIENT_SETTINGS } from './coord-cluster.js';
import type { CoordReply, CoordRequest } from './wire.js';

export class ScriptedClient {
  private readonly replies = new Map<string, CoordReply>();
  private seq = 0;
  session: string | undefined;
  clock: SessionClock | undefined;
  private keepingAlive = false;

  constructor(
    readonly id: string,
    private readonly c: CoordCluster,
  ) {
    c.attach(id, (r) => this.replies.set(r.tag, r));
  }

  /** Sends to the leader and runs until answered (undefined after `maxMs` without an answer). */
  call(make: (tag: string, request: { clientId: string; requestId: string }) => CoordRequest, maxMs = 2000): CoordReply | undefined {
    const sim = this.c.sim;
    const tag = `${this.id}.${++this.seq}`;
    const leader = sim.leader();
    if (leader === undefined) return undefined;
    this.c.send(this, leader.id, make(tag, { clientId: this.id, requestId: tag }));
    sim.runFor(maxMs, () => this.replies.has(tag));
    return this.replies.get(tag);
  }

  /** Opens a session; its validity counts from the send time on the simulator's real clock. */
  open(ttlMs: number): string {
    const sentAt = this.c.sim.now();
    const r = this.call((tag, request) => ({ t: 'create', tag, request, ttlMs, lockDelayMs: 0 }));
    if (r?.t !== 'created') throw new Error(`${this.id}: no session (${JSON.stringify(r)})`);
    this.session = r.session;
    this.clock = new SessionClock({ ...DEFAULT_CLIENT_SETTINGS.clock, ttlMs }, sentAt);
    return r.session;
  }

  /** Keep-alives every third of the TTL from now on, until stopKeepAlive(). */
  keepAlive(ttlMs: number): void {
    this.keepingAlive = true;
    const beat = (): void => {
      if (!this.keepingAlive || this.session === undefined) return;
      const leader = this.c.sim.leader();
      const sentAt = this.c.sim.now();
      const tag = `${this.id}.ka${++this.seq}`;
      if (leader !== undefined) this.c.send(this, leader.id, { t: 'keepAlive', tag, session: this.session });
      this.c.sim.scheduleExternal(ttlMs / 3, '', () => {
        if (this.replies.get(tag)?.t === 'keepAliveAck') this.clock?.acked(sentAt);
        beat();
      });
    };
    beat();
  }

  stopKeepAlive(): void {
    this.keepingAlive = false;
  }
}
