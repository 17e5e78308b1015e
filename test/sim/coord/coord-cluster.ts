// A simulated cluster running the coordination service: the simulator's nodes with the real
// StateMachine (coord-app.ts) and a coordination server actor each (server-actor.ts), simulated
// client processes on their own drifting clocks (client-process.ts), the messages between them
// carried by the simulator's faulty network, and the oracle (oracle.ts) looking at every
// committed entry and at every client's belief.
import { DEFAULT_DRIFT_BOUND } from '../../../src/client/session-clock.js';
import { seededRng } from '../../../src/raft/rng.js';
import type { NodeId } from '../../../src/raft/types.js';
import type { StateMachine } from '../../../src/statemachine/state-machine.js';
import type { Invariant } from '../invariants.js';
import { NodeClock } from '../sim-clock.js';
import type { SimNode } from '../sim-node.js';
import { Simulator } from '../simulator.js';
import type { SimOptions } from '../simulator.js';
import { ClientProcess } from './client-process.js';
import type { ClientHost, ClientSettings, Hold, NameSpec } from './client-process.js';
import { coordAppFactory } from './coord-app.js';
import type { AppliedEntry, AppTweak, CoordApp } from './coord-app.js';
import { CoordOracle } from './oracle.js';
import type { CoordInvariant } from './oracle.js';
import { CoordServer } from './server-actor.js';
import type { ServerHost, ServerTweaks } from './server-actor.js';
import type { CoordReply, CoordRequest } from './wire.js';

/** The names every run uses: a lock, an election and a semaphore of two: few enough that clients often queue. */
export const COORD_NAMES: readonly NameSpec[] = [
  { name: 'lock/a', kind: 'lock', limit: 1 },
  { name: 'elect/leader', kind: 'election', limit: 1 },
  { name: 'sem/pool', kind: 'semaphore', limit: 2 },
];

/** The shortest TTL the service accepts, so that expiries happen often within a run. */
export const COORD_TTL_MS = 1000;

export const DEFAULT_CLIENT_SETTINGS: ClientSettings = {
  clock: { ttlMs: COORD_TTL_MS, driftBound: DEFAULT_DRIFT_BOUND, marginMs: 100 },
  lockDelayMs: 0,
  names: COORD_NAMES,
  writesPerHold: 3,
  stallPct: 10,
  maxStallMs: 2 * COORD_TTL_MS,
};

/** Test-only deviations (the teeth, coord-mutants.ts). */
export interface CoordTweaks {
  readonly app?: AppTweak;
  readonly server?: ServerTweaks;
  readonly client?: Partial<ClientSettings>;
  /** Real clock-rate bound of nodes and clients (default: the clients' drift bound). */
  readonly simMaxDrift?: number;
}

export interface CoordClusterOptions {
  readonly nodes: number;
  readonly clients: number;
  readonly tweaks?: CoordTweaks;
  readonly traceKeep?: number;
  /** Sessions with a lock-delay (ms) in this run. */
  readonly lockDelayMs?: number;
}

export class CoordCluster implements ServerHost, ClientHost {
  readonly sim: Simulator;
  readonly oracle: CoordOracle;
  readonly clients: ClientProcess[] = [];
  private readonly apps = new Map<NodeId, CoordApp>();
  private readonly servers = new Map<NodeId, CoordServer>();
  private readonly endpoints = new Map<string, (r: CoordReply) => void>();
  /** Told of every entry when the first node applies it, after the oracle. */
  onFirstApply: ((e: AppliedEntry) => void) | undefined;
  private firstApplied = 0;

  constructor(
    seed: number,
    readonly opts: CoordClusterOptions,
  ) {
    const tweaks = opts.tweaks ?? {};
    const settings: ClientSettings = { ...DEFAULT_CLIENT_SETTINGS, lockDelayMs: opts.lockDelayMs ?? 0, ...tweaks.client };
    const maxDrift = tweaks.simMaxDrift ?? settings.clock.driftBound;
    const simOptions: SimOptions = {
      seed,
      nodes: opts.nodes,
      maxDrift,
      traceKeep: opts.traceKeep ?? 300,
      app: coordAppFactory(
        (e) => this.applied(e),
        (app) => this.apps.set(app.node.id, app),
        tweaks.app,
      ),
      actor: (node) => {
        const server = new CoordServer(node, this, tweaks.server);
        this.servers.set(node.id, server);
        return server;
      },
    };
    this.sim = new Simulator(simOptions);
    const specs = new Map(settings.names.map((s) => [s.name, s]));
    this.oracle = new CoordOracle(
      specs,
      () => this.clients,
      (inv, msg) => this.violated(inv, msg),
      () => this.sim.now(),
      maxDrift,
    );
    const rng = seededRng((seed ^ 0xc00d) >>> 0);
    for (let i = 1; i <= opts.clients; i++) {
      const drift = ((rng.int(2001) - 1000) / 1000) * maxDrift;
      const clock = new NodeClock(() => this.sim.now(), 1000 * (1 + rng.int(1000)), drift);
      this.clients.push(new ClientProcess(`c${i}`, clock, this, settings, seededRng((seed * 31 + i) >>> 0)));
    }
  }

  start(): void {
    for (const c of this.clients) this.sim.act(`${c.id} starts`, () => c.start());
  }

  violated(invariant: CoordInvariant, message: string): void {
    // The simulator's checker stops the run at the first violation; these extend its vocabulary.
    this.sim.checker.fail(invariant as string as Invariant, message);
  }

  private applied(e: AppliedEntry): void {
    this.servers.get(e.node.id)?.applied(e);
    this.oracle.onApplied(e);
    if (e.entry.index > this.firstApplied) {
      this.firstApplied = e.entry.index;
      this.onFirstApply?.(e);
    }
  }

  // ---- ServerHost ----

  machine(node: SimNode): StateMachine {
    const app = this.apps.get(node.id);
    if (app === undefined) throw new Error(`${node.id} has no state machine`);
    return app.sm;
  }

  afterOn(node: SimNode, realMs: number, label: string, fn: () => void): void {
    this.sim.schedule(node, realMs, label, fn);
  }

  after(realMs: number, label: string, fn: () => void): void {
    this.sim.scheduleExternal(realMs, label, fn);
  }

  /** A client other than the simulated processes (a scripted one) receives its replies here. */
  attach(id: string, receive: (r: CoordReply) => void): void {
    this.endpoints.set(id, receive);
  }

  reply(from: SimNode, client: string, r: CoordReply): void {
    const c = this.endpoints.get(client) ?? this.clients.find((x) => x.id === client);
    if (c === undefined) return;
    for (const delay of this.sim.network.route(from.id, client)) {
      this.sim.scheduleExternal(delay, '', () => {
        if (!this.sim.network.isUp(from.id, client)) return;
        if (typeof c === 'function') c(r);
        else c.receive(r);
      });
    }
  }

  trace(line: string): void {
    this.sim.addTrace(line);
  }

  get tickMs(): number {
    return this.sim.tickMs;
  }

  // ---- ClientHost ----

  readonly nodeIds = (): readonly NodeId[] => [...this.sim.nodes.keys()];

  send(from: { readonly id: string }, to: NodeId, req: CoordRequest): void {
    for (const delay of this.sim.network.route(from.id, to)) {
      this.sim.scheduleExternal(delay, '', () => this.deliver(from.id, to, req));
    }
  }

  private deliver(client: string, to: NodeId, req: CoordRequest): void {
    const node = this.sim.nodes.get(to);
    const server = this.servers.get(to);
    if (node === undefined || server === undefined || node.life === 'crashed' || !this.sim.network.isUp(client, to)) return;
    const handle = (): boolean => {
      server.receive(client, req);
      node.drain();
      return true;
    };
    // A stopped process reads its socket when it runs again (Simulator.whenRunning).
    if (node.life === 'paused') node.clientInbox.push(handle);
    else handle();
  }

  believes(client: ClientProcess, hold: Hold): void {
    this.oracle.onBelief(client, hold);
  }

  // ---- the clients' nemesis ----

  client(id: string): ClientProcess | undefined {
    return this.clients.find((c) => c.id === id);
  }

  pauseClient(id: string, ms: number): void {
    const c = this.client(id);
    if (c === undefined || c.paused) return;
    this.sim.act(`pause ${id} for ${ms}ms`, () => c.pause());
    this.sim.scheduleExternal(ms, '', () => {
      if (c.paused) this.sim.act(`resume ${id}`, () => c.resume());
    });
  }

  /** Cut a client off from every node, both ways. */
  isolateClient(id: string): void {
    this.sim.act(`isolate client ${id}`, () => this.sim.network.split([id], [...this.sim.nodes.keys()]));
  }

  cutClient(id: string, node: string): void {
    this.sim.act(`cut client ${id} from ${node}`, () => this.sim.network.split([id], [node]));
  }

  reconnectClient(id: string): void {
    this.sim.act(`reconnect client ${id}`, () => {
      for (const n of this.sim.nodes.keys()) {
        this.sim.network.connect(id, n);
        this.sim.network.connect(n, id);
      }
    });
  }

  driftClient(id: string, drift: number): void {
    const c = this.client(id);
    if (c === undefined) return;
    const d = Math.max(-this.sim.maxDrift, Math.min(this.sim.maxDrift, drift));
    this.sim.act(`drift ${id} ${(d * 100).toFixed(2)}%`, () => c.clock.setDrift(d));
  }

  /** Every fault healed: the nodes' (Simulator.healAll) and the clients'. */
  healAll(): void {
    this.sim.healAll();
    for (const c of this.clients) if (c.paused) this.sim.act(`resume ${c.id}`, () => c.resume());
  }

  describe(): string[] {
    const clients = this.clients.map((c) => {
      const s = c.session;
      const left = s?.clock.remainingMs(c.clock.now()) ?? 0;
      const hold = c.hold !== undefined ? ` holds ${c.hold.name}#${c.hold.token}` : '';
      return `${c.id}${c.paused ? ' PAUSED' : ''} session ${s !== undefined ? `s${s.id} (${left.toFixed(0)}ms left)` : '-'}${hold} grants=${c.grants}`;
    });
    return [...this.sim.describe(), ...clients, `stats ${JSON.stringify(this.oracle.stats)}`];
  }
}
