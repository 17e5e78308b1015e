// One simulated application process using the coordination service: it opens a session, keeps
// it alive on its own drifting clock with the client's real validity arithmetic
// (src/client/session-clock.ts), takes locks, leads elections and holds semaphore slots, and
// while it holds one writes to a resource guarded by its fencing token. It can be paused for any
// length (its timers and inbox wait; its clock runs on), also right between its validity check
// and its guarded write, and cut off from the cluster. What it believes it holds is what the
// oracle checks against the server's order.
import { SessionClock } from '../../../src/client/session-clock.js';
import type { SessionClockConfig } from '../../../src/client/session-clock.js';
import type { QueueKind } from '../../../src/statemachine/coord-record.js';
import type { Rng } from '../../../src/raft/rng.js';
import type { NodeId } from '../../../src/raft/types.js';
import type { NodeClock } from '../sim-clock.js';
import type { CoordReply, CoordRequest } from './wire.js';
import { formatReply, formatRequest } from './wire.js';
import { ACQUIRE_WAIT_MS } from './server-actor.js';

export interface NameSpec {
  readonly name: string;
  readonly kind: QueueKind;
  readonly limit: number;
}

export interface ClientSettings {
  readonly clock: SessionClockConfig;
  readonly lockDelayMs: number;
  readonly names: readonly NameSpec[];
  /** Guarded writes per grant before releasing it. */
  readonly writesPerHold: number;
  /** Percent of guarded writes preceded by a stall between the validity check and the write. */
  readonly stallPct: number;
  /** Longest such stall, ms of the client's clock. */
  readonly maxStallMs: number;
  /** Teeth only: resolve a grant without checking the session's local validity (the phantom leader). */
  readonly skipValidityCheck?: boolean;
}

/** What the client's process needs from the simulation around it. */
export interface ClientHost {
  readonly nodeIds: () => readonly NodeId[];
  send(from: { readonly id: string }, to: NodeId, req: CoordRequest): void;
  /** Run fn after `realMs` as an event of its own. */
  after(realMs: number, label: string, fn: () => void): void;
  trace(line: string): void;
  /** The client now believes it holds `hold` (the oracle checks it at once). */
  believes(client: ClientProcess, hold: Hold): void;
}

export interface Hold {
  readonly name: string;
  readonly session: string;
  readonly token: number;
}

interface Session {
  readonly id: string;
  readonly clock: SessionClock;
  keepAliveFailures: number;
}

type Handler = (r: CoordReply | { readonly t: 'timeout' }) => void;

/** How long a request waits for its answer before the client gives up on that node. */
const REQUEST_TIMEOUT_MS = 150;
/** An acquire outlives the server's wait (ACQUIRE_WAIT_MS) by a round trip or so. */
const ACQUIRE_TIMEOUT_MS = ACQUIRE_WAIT_MS + 200;

export class ClientProcess {
  /** Stopped by the nemesis. */
  paused = false;
  /** Stopped by itself, between a validity check and a write. */
  private stalled = false;
  hold: Hold | undefined;
  session: Session | undefined;
  /** Bumped whenever the session is over for this client: stale callbacks of the old one do nothing. */
  private generation = 0;
  private readonly deferred: (() => void)[] = [];
  private readonly pending = new Map<string, Handler>();
  private target: NodeId;
  private seq = 0;
  grants = 0;
  /** The name of an acquire sent and not yet answered with a grant (the nemesis aims at it). */
  waitingFor: string | undefined;

  constructor(
    readonly id: string,
    readonly clock: NodeClock,
    private readonly host: ClientHost,
    private readonly settings: ClientSettings,
    private readonly rng: Rng,
  ) {
    const ids = host.nodeIds();
    this.target = ids[rng.int(ids.length)];
  }

  /** Does this process act on `hold` now: still holding it, and its session valid by its own clock? */
  believesNow(): Hold | undefined {
    const s = this.session;
    if (this.hold === undefined || s === undefined || s.id !== this.hold.session) return undefined;
    return s.clock.isValid(this.clock.now()) ? this.hold : undefined;
  }

  start(): void {
    this.openSession();
  }

  // ---- the process: pauses, timers, messages ----

  get stopped(): boolean {
    return this.paused || this.stalled;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.runDeferred();
  }

  private runDeferred(): void {
    for (const fn of this.deferred.splice(0)) {
      if (this.stopped) this.deferred.push(fn);
      else fn();
    }
  }

  receive(r: CoordReply): void {
    this.run(() => {
      const h = this.pending.get(r.tag);
      if (h === undefined) return;
      this.pending.delete(r.tag);
      this.trace(`← ${formatReply(r)}`);
      h(r);
    });
  }

  /** fn after `localMs` of this process's clock (later if it is paused then). */
  private after(localMs: number, label: string, fn: () => void): void {
    this.host.after(Math.max(0, localMs) / (1 + this.clock.drift), '', () => this.run(fn, label));
  }

  private run(fn: () => void, label = ''): void {
    if (this.stopped) return void this.deferred.push(fn);
    if (label !== '') this.trace(label);
    fn();
  }

  private request(make: (tag: string) => CoordRequest, timeoutMs: number, h: Handler): void {
    const tag = `${this.id}.${++this.seq}`;
    const req = make(tag);
    this.pending.set(tag, h);
    this.trace(`→ ${this.target} ${formatRequest(req)}`);
    this.host.send(this, this.target, req);
    this.after(timeoutMs, '', () => {
      if (!this.pending.delete(tag)) return;
      this.trace(`timeout on ${formatRequest(req)}`);
      h({ t: 'timeout' });
    });
  }

  /** After a refusal by a follower follow its hint; after silence try another node. */
  private retarget(r: CoordReply | { readonly t: 'timeout' }): void {
    if (r.t === 'notLeader' && r.hint !== '') {
      this.target = r.hint;
      return;
    }
    const ids = this.host.nodeIds();
    this.target = ids[this.rng.int(ids.length)];
  }

  private requestId(what: string): { clientId: string; requestId: string } {
    return { clientId: this.id, requestId: `${what}-${this.seq + 1}` };
  }

  // ---- the session ----

  private openSession(): void {
    const gen = this.generation;
    const request = this.requestId('create');
    const firstSentAt = this.clock.now();
    const attempt = (): void => {
      if (gen !== this.generation) return;
      this.request(
        (tag) => ({ t: 'create', tag, request, ttlMs: this.settings.clock.ttlMs, lockDelayMs: this.settings.lockDelayMs }),
        REQUEST_TIMEOUT_MS,
        (r) => {
          if (gen !== this.generation) return;
          if (r.t === 'created') return this.sessionOpened(r.session, firstSentAt);
          this.retarget(r);
          this.after(20, '', attempt);
        },
      );
    };
    attempt();
  }

  private sessionOpened(id: string, createSentAt: number): void {
    const s: Session = { id, clock: new SessionClock(this.settings.clock, createSentAt), keepAliveFailures: 0 };
    this.session = s;
    this.trace(`session s${id} valid for ${(s.clock.validUntil - this.clock.now()).toFixed(1)}ms`);
    this.scheduleKeepAlive(s);
    this.watchValidity(s);
    this.putEphemeral(s);
    this.nextTask(s);
  }

  private scheduleKeepAlive(s: Session): void {
    const now = this.clock.now();
    this.after(s.clock.nextKeepAliveAt(now, s.keepAliveFailures) - now, '', () => {
      if (this.session !== s) return;
      const sentAt = this.clock.now();
      this.request(
        (tag) => ({ t: 'keepAlive', tag, session: s.id }),
        REQUEST_TIMEOUT_MS,
        (r) => {
          if (this.session !== s) return;
          if (r.t === 'keepAliveAck') {
            s.clock.acked(sentAt);
            s.keepAliveFailures = 0;
            this.watchValidity(s);
          } else if (r.t === 'refused') {
            return this.sessionOver('expired');
          } else {
            s.keepAliveFailures++;
            this.retarget(r);
          }
          this.scheduleKeepAlive(s);
        },
      );
    });
  }

  /** The session is over for this client the moment its validity ends ('lost'). */
  private watchValidity(s: Session): void {
    this.after(s.clock.validUntil - this.clock.now(), '', () => {
      if (this.session === s && !s.clock.isValid(this.clock.now())) this.sessionOver('lost');
    });
  }

  private sessionOver(reason: 'closed' | 'expired' | 'lost'): void {
    const s = this.session;
    this.trace(`session s${s?.id ?? '?'} over: ${reason}`);
    this.hold = undefined;
    this.session = undefined;
    this.waitingFor = undefined;
    this.generation++;
    this.after(10 + this.rng.int(50), '', () => this.openSession());
  }

  private putEphemeral(s: Session): void {
    const request = this.requestId('eph');
    const attempt = (): void => {
      if (this.session !== s) return;
      this.request(
        (tag) => ({ t: 'put', tag, request, key: `eph/${this.id}`, value: s.id, session: s.id }),
        REQUEST_TIMEOUT_MS,
        (r) => {
          if (this.session !== s || r.t === 'done' || r.t === 'refused') return;
          this.retarget(r);
          this.after(20, '', attempt);
        },
      );
    };
    attempt();
  }

  // ---- locks, elections, semaphores ----

  private nextTask(s: Session): void {
    this.after(this.rng.int(60), '', () => {
      if (this.session !== s) return;
      const spec = this.settings.names[this.rng.int(this.settings.names.length)];
      this.acquire(s, spec);
    });
  }

  private acquire(s: Session, spec: NameSpec): void {
    const request = this.requestId('acq');
    this.waitingFor = spec.name;
    const attempt = (): void => {
      if (this.session !== s) return;
      const make = (tag: string): CoordRequest => ({
        t: 'acquire',
        tag,
        request,
        session: s.id,
        name: spec.name,
        kind: spec.kind,
        limit: spec.limit,
      });
      this.request(make, ACQUIRE_TIMEOUT_MS, (r) => {
        if (this.session !== s) return;
        if (r.t === 'granted') return this.granted(s, { name: spec.name, session: s.id, token: r.token });
        if (r.t === 'refused') return this.sessionOver('expired');
        if (r.t !== 'queued') this.retarget(r);
        this.after(r.t === 'queued' ? 0 : 20, '', attempt);
      });
    };
    attempt();
  }

  /** Design item 7: resolve only while the session is still valid by this client's clock. */
  private granted(s: Session, hold: Hold): void {
    this.waitingFor = undefined;
    if (this.settings.skipValidityCheck !== true && !s.clock.isValid(this.clock.now())) {
      this.trace(`grant of ${hold.name} #${hold.token} arrived after the session's validity: SessionLostError`);
      return this.sessionOver('lost');
    }
    this.grants++;
    this.hold = hold;
    this.trace(`holds ${hold.name} #${hold.token}`);
    this.host.believes(this, hold);
    this.write(s, hold, 0);
  }

  private write(s: Session, hold: Hold, n: number): void {
    if (n === this.settings.writesPerHold) return this.release(s, hold);
    this.after(this.rng.int(40), '', () => {
      if (this.session !== s || this.hold !== hold) return;
      if (!s.clock.isValid(this.clock.now())) return this.sessionOver('lost');
      // Checked; now a stall (GC, swap, a stopped VM) may come before the write goes out.
      if (this.rng.int(100) < this.settings.stallPct) {
        const ms = this.rng.int(this.settings.maxStallMs);
        this.trace(`stalls ${ms}ms between its validity check and its write`);
        this.stalled = true;
        this.host.after(ms / (1 + this.clock.drift), `${this.id} resumes after its stall`, () => {
          this.stalled = false;
          this.runDeferred();
        });
      }
      this.run(() => this.sendWrite(s, hold, n));
    });
  }

  private sendWrite(s: Session, hold: Hold, n: number): void {
    const request = this.requestId('w');
    const attempt = (): void => {
      if (this.session !== s) return;
      const value = `${hold.session}:${hold.token}:${n}`;
      const make = (tag: string): CoordRequest => ({
        t: 'put',
        tag,
        request,
        key: `res/${hold.name}`,
        value,
        ifToken: { name: hold.name, token: hold.token },
      });
      this.request(make, REQUEST_TIMEOUT_MS, (r) => {
        if (this.session !== s) return;
        if (r.t === 'done') return this.write(s, hold, n + 1);
        if (r.t === 'refused') {
          // The token is stale: the grant is over (the session ended on the server).
          if (this.hold === hold) this.hold = undefined;
          return this.sessionOver('expired');
        }
        this.retarget(r);
        this.after(20, '', attempt);
      });
    };
    attempt();
  }

  private release(s: Session, hold: Hold): void {
    // No longer acting on it before anyone can be granted it.
    this.hold = undefined;
    const request = this.requestId('rel');
    const attempt = (): void => {
      if (this.session !== s) return;
      this.request(
        (tag) => ({ t: 'release', tag, request, session: s.id, name: hold.name }),
        REQUEST_TIMEOUT_MS,
        (r) => {
          if (this.session !== s) return;
          if (r.t === 'refused') return this.sessionOver('expired');
          if (r.t !== 'done') {
            this.retarget(r);
            return this.after(20, '', attempt);
          }
          if (this.rng.int(5) === 0) this.close(s);
          else this.nextTask(s);
        },
      );
    };
    attempt();
  }

  private close(s: Session): void {
    this.sessionOver('closed');
    const request = this.requestId('close');
    this.request(
      (tag) => ({ t: 'close', tag, request, session: s.id }),
      REQUEST_TIMEOUT_MS,
      () => {},
    );
  }

  private trace(line: string): void {
    this.host.trace(`${this.id} ${line}`);
  }
}
