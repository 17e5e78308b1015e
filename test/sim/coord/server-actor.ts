// The coordination side of one simulated node (design items 2, 3, 7): requests from simulated
// clients are served by the leader only; keep-alives are recorded, then acknowledged after a
// ReadIndex round that began after their receipt; commands are proposed with the client's request
// id and answered when this node applies them; a queued acquire waits for the applied state to
// grant that session; the leader's keeper expires sessions and ends lock-delays on the node's
// own drifting clock. Everything volatile is lost with a crash (a new incarnation starts empty).
import { ProposalDroppedError } from '../../../src/raft/errors.js';
import type { Ready } from '../../../src/raft/ready.js';
import { StateType } from '../../../src/raft/types.js';
import { encodeCommand } from '../../../src/statemachine/commands.js';
import type { RequestId } from '../../../src/statemachine/commands.js';
import { encodeCoordCommand } from '../../../src/statemachine/coord-codec.js';
import type { CoordCommand } from '../../../src/statemachine/coord-record.js';
import type { CommandOutcome } from '../../../src/statemachine/results.js';
import type { StateMachine } from '../../../src/statemachine/state-machine.js';
import type { NodeActor, SimNode } from '../sim-node.js';
import type { AppliedEntry } from './coord-app.js';
import type { CoordinationHost } from '../../../src/server/coordination-host.js';
import { coordinationHost } from './node-coordination.js';
import type { KeeperTweaks } from './node-coordination.js';
import type { CoordReply, CoordRequest } from './wire.js';
import { formatRequest } from './wire.js';

/** What the actor needs from the cluster around it. */
export interface ServerHost {
  reply(from: SimNode, client: string, r: CoordReply): void;
  machine(node: SimNode): StateMachine;
  /** Run fn after `realMs`, unless this node incarnation crashes first (paused: when it runs again). */
  afterOn(node: SimNode, realMs: number, label: string, fn: () => void): void;
  trace(line: string): void;
  readonly tickMs: number;
}

/** How long the server holds a queued acquire before answering 'queued' (the client asks again): a call deadline. */
export const ACQUIRE_WAIT_MS = 1000;

interface Caller {
  readonly client: string;
  readonly tag: string;
  readonly req: CoordRequest;
}

/** Test-only deviations of the server (coord-mutants.ts). */
export interface ServerTweaks extends KeeperTweaks {
  /** Acknowledge a keep-alive at once instead of after a ReadIndex round that began after its receipt. */
  readonly ackWithoutReadIndex?: boolean;
}

export class CoordServer implements NodeActor {
  private incarnation = -1;
  /** The node's own coordination host (keeper included), one per incarnation. */
  private coord: CoordinationHost | undefined;
  /** Proposed client commands waiting to be applied here, by request id. */
  private readonly proposed = new Map<string, Caller>();
  /** Queued acquires waiting for a grant, by name and session. */
  private readonly waiting = new Map<string, Caller[]>();
  /** Keep-alives waiting for their ReadIndex round (index unknown) or for it to be applied. */
  private readonly keepAlives = new Map<string, { caller: Caller; session: string; receivedAt: number; index?: number }>();
  private nextRead = 0;

  constructor(
    private readonly node: SimNode,
    private readonly host: ServerHost,
    private readonly tweaks: ServerTweaks = {},
  ) {}

  // ---- NodeActor ----

  onReady(rd: Ready): void {
    const coord = this.ensure();
    for (const rs of rd.readStates) {
      const ka = this.keepAlives.get(rs.context);
      if (ka !== undefined) ka.index = rs.index;
    }
    this.serveKeepAlives();
    const was = coord.keeper.isKeeping;
    coord.afterReady(rd);
    if (was !== coord.keeper.isKeeping) this.host.trace(`${this.node.id} ${was ? 'stops keeping sessions' : 'keeps sessions'}`);
  }

  onTick(node: SimNode): void {
    this.ensure().tick();
    node.drain();
  }

  // ---- requests ----

  receive(client: string, req: CoordRequest): void {
    this.ensure();
    const node = this.node;
    const st = node.raw!.basicStatus();
    const caller: Caller = { client, tag: req.tag, req };
    if (st.state !== StateType.Leader) return this.host.reply(node, client, { t: 'notLeader', tag: req.tag, hint: st.lead });
    switch (req.t) {
      case 'keepAlive':
        return this.keepAlive(caller, req.session);
      case 'create':
        return this.proposeFor(caller, req.request, {
          type: 'sessionCreate',
          owner: client,
          ttlMs: req.ttlMs,
          lockDelayMs: req.lockDelayMs,
        });
      case 'acquire':
        return this.proposeFor(caller, req.request, {
          type: 'acquire',
          name: req.name,
          session: req.session,
          kind: req.kind,
          limit: req.limit,
          value: client,
        });
      case 'release':
        return this.proposeFor(caller, req.request, { type: 'release', name: req.name, session: req.session });
      case 'close':
        return this.proposeFor(caller, req.request, { type: 'sessionEnd', session: req.session, reason: 'closed' });
      case 'put': {
        const data = encodeCommand({
          type: 'put',
          key: req.key,
          value: req.value,
          request: { ...req.request },
          ...(req.session !== undefined ? { session: req.session } : {}),
          ...(req.ifToken !== undefined ? { ifToken: req.ifToken } : {}),
        });
        return this.proposeData(caller, req.request, data);
      }
      default: {
        const never: never = req;
        throw new Error(`unknown request ${JSON.stringify(never)}`);
      }
    }
  }

  /** Design item 3: receipt recorded, acknowledged after a ReadIndex round that began after it. */
  private keepAlive(caller: Caller, session: string): void {
    const node = this.node;
    const receivedAt = node.clock.now();
    this.ensure().keeper.keepAlive(session, receivedAt);
    if (this.tweaks.ackWithoutReadIndex === true) return this.host.reply(node, caller.client, { t: 'keepAliveAck', tag: caller.tag });
    const ctx = `ka-${this.incarnation}-${++this.nextRead}`;
    this.keepAlives.set(ctx, { caller, session, receivedAt });
    if (!this.tryCore(() => node.raw!.readIndex(ctx))) {
      this.keepAlives.delete(ctx);
      return this.host.reply(node, caller.client, { t: 'notLeader', tag: caller.tag, hint: '' });
    }
    node.drain();
  }

  private serveKeepAlives(): void {
    const sm = this.host.machine(this.node);
    for (const [ctx, ka] of this.keepAlives) {
      if (ka.index === undefined || ka.index > sm.appliedIndex) continue;
      this.keepAlives.delete(ctx);
      // As the node does (coordination-ops.ts): asked again after the round, the keeper or the state may know it ended.
      const verdict = this.ensure().keeper.keepAlive(ka.session, ka.receivedAt);
      const known = sm.session(ka.session) !== undefined && verdict !== 'unknown' && verdict !== 'expiring';
      this.host.reply(
        this.node,
        ka.caller.client,
        known ? { t: 'keepAliveAck', tag: ka.caller.tag } : refused(ka.caller, 'SESSION_NOT_FOUND'),
      );
    }
  }

  private proposeFor(caller: Caller, request: RequestId, cmd: CoordCommand): void {
    this.proposeData(caller, request, encodeCoordCommand({ ...cmd, request: { ...request } } as CoordCommand));
  }

  private proposeData(caller: Caller, request: RequestId, data: Uint8Array): void {
    const key = requestKey(request);
    this.proposed.set(key, caller);
    if (!this.propose(data, `${caller.client} ${formatRequest(caller.req)}`)) {
      this.proposed.delete(key);
      return this.host.reply(this.node, caller.client, { t: 'notLeader', tag: caller.tag, hint: '' });
    }
    this.node.drain();
  }

  private propose(data: Uint8Array, what: string): boolean {
    const ok = this.tryCore(() => this.node.raw!.propose(data));
    this.host.trace(`${this.node.id} propose ${what}${ok ? '' : ' dropped'}`);
    return ok;
  }

  // ---- applied entries (this node's machine) ----

  applied(e: AppliedEntry): void {
    const coord = this.ensure();
    const r = e.result;
    if (r.kind !== 'command') return;
    const o = r.outcome;
    if (o.type === 'coord') {
      coord.coordApplied(r, o);
      for (const g of o.grants) this.wake(g.name, g.session, (c) => ({ t: 'granted', tag: c.tag, token: g.token }));
      if (o.outcome.type === 'sessionEnded' && o.outcome.ended) this.wakeSession(o.outcome.session);
    }
    const caller = r.request !== undefined ? this.proposed.get(requestKey(r.request)) : undefined;
    if (caller === undefined) return;
    this.proposed.delete(requestKey(r.request!));
    this.answer(caller, o);
  }

  private answer(caller: Caller, o: CommandOutcome): void {
    const node = this.node;
    if (o.type === 'writeRefused') return this.host.reply(node, caller.client, refused(caller, o.reason));
    if (o.type !== 'coord') return this.host.reply(node, caller.client, { t: 'done', tag: caller.tag });
    const c = o.outcome;
    switch (c.type) {
      case 'sessionCreated':
        return this.host.reply(node, caller.client, { t: 'created', tag: caller.tag, session: c.session });
      case 'coordRefused':
        return this.host.reply(node, caller.client, refused(caller, c.reason));
      case 'acquired': {
        if (c.granted) return this.host.reply(node, caller.client, { t: 'granted', tag: caller.tag, token: c.token });
        const req = caller.req;
        if (req.t !== 'acquire') return;
        // Design item 7: held until the applied state grants this session, or it ends, or the wait runs out.
        const key = waitKey(req.name, req.session);
        this.waiting.set(key, [...(this.waiting.get(key) ?? []), caller]);
        const incarnation = this.incarnation;
        this.host.trace(`${node.id} holds ${caller.client}'s acquire ${req.name} (queued)`);
        this.host.afterOn(node, ACQUIRE_WAIT_MS / (1 + node.clock.drift), `acquire wait of ${caller.client} ends`, () => {
          if (this.incarnation !== incarnation) return;
          const left = (this.waiting.get(key) ?? []).filter((w) => w !== caller);
          if (left.length === (this.waiting.get(key) ?? []).length) return;
          if (left.length > 0) this.waiting.set(key, left);
          else this.waiting.delete(key);
          this.host.reply(node, caller.client, { t: 'queued', tag: caller.tag });
        });
        return;
      }
      default:
        return this.host.reply(node, caller.client, { t: 'done', tag: caller.tag });
    }
  }

  private wake(name: string, session: string, reply: (c: Caller) => CoordReply): void {
    const key = waitKey(name, session);
    const callers = this.waiting.get(key);
    if (callers === undefined) return;
    this.waiting.delete(key);
    for (const c of callers) this.host.reply(this.node, c.client, reply(c));
  }

  private wakeSession(session: string): void {
    for (const [key, callers] of [...this.waiting]) {
      const req = callers[0]?.req;
      if (req?.t !== 'acquire' || req.session !== session) continue;
      this.waiting.delete(key);
      for (const c of callers) this.host.reply(this.node, c.client, refused(c, 'SESSION_NOT_FOUND'));
    }
  }

  /** A new core incarnation is a new server process: nothing volatile survives. */
  private ensure(): CoordinationHost {
    if (this.coord !== undefined && this.incarnation === this.node.incarnation) return this.coord;
    const node = this.node;
    this.incarnation = node.incarnation;
    this.coord = coordinationHost(
      {
        raw: node.raw!,
        stateMachine: () => this.host.machine(node),
        propose: (cmd) => this.propose(encodeCoordCommand(cmd), `keeper ${describe(cmd)}`),
        now: () => node.clock.now(),
        tickMs: this.host.tickMs,
      },
      this.tweaks,
    );
    this.proposed.clear();
    this.waiting.clear();
    this.keepAlives.clear();
    return this.coord;
  }

  private tryCore(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (err) {
      if (err instanceof ProposalDroppedError) return false;
      throw err;
    }
  }
}

function refused(c: Caller, reason: string): CoordReply {
  return { t: 'refused', tag: c.tag, reason };
}

function requestKey(r: RequestId): string {
  return `${r.clientId}\u0000${r.requestId}`;
}

function waitKey(name: string, session: string): string {
  return `${name}\u0000${session}`;
}

function describe(cmd: CoordCommand): string {
  return cmd.type === 'sessionEnd'
    ? `sessionEnd s${cmd.session} ${cmd.reason}`
    : cmd.type === 'lockDelayEnd'
      ? `lockDelayEnd ${cmd.name}@${cmd.since}`
      : cmd.type;
}
