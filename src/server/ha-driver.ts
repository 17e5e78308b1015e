// The HA driver: the one place where the pure role controller (ha/role-controller.ts) meets the
// running node. It feeds the controller the node's Raft view, its lease facts (Ready.leaseAck
// mapped to the clock reading the ticker took at the round's start tick), the replicated HA
// record and a tick; it executes what the controller asks (propose, run a sequence through the
// ResourceExecutor, transfer leadership) and reports every sequence's end back. It also records
// elections, promotions, demotions, fences and hook results in the replicated event log, and
// serves the operator's controls (switchover, pause/resume, events) and /primary, /replica.
import type { HaPort, HaStatus, NodeRole, SwitchoverResult } from '../api/node-port.js';
import { NoLeaderError, NotFoundError, PreconditionFailedError, TimeoutError } from '../errors.js';
import { encodeHaCommand, healthOf } from '../statemachine/ha-state.js';
import { HealthCheckRunner } from '../ha/health-check.js';
import { Health } from '../statemachine/ha-record.js';
import { HA_PROFILE_PREFIX, readHaProfiles, type HaProfile } from '../ha/profiles.js';
import type { HookContext } from '../ha/hook-runner.js';
import { ReannounceTrigger } from '../ha/reannounce.js';
import { ResourceExecutor, type ActionResult } from '../ha/resource-executor.js';
import { RoleController } from '../ha/role-controller.js';
import { LocalRole, type ControllerAction, type ControllerInput, type HaConfig, type RaftRole } from '../ha/types.js';
import type { HaCommand, ReplicatedHaState } from '../statemachine/ha-record.js';
import type { Ready } from '../raft/ready.js';
import type { RawNode } from '../raft/raw-node.js';
import { NONE } from '../raft/types.js';
import { ClusterEventKind, type ClusterEvent, type RecordedEvent } from '../statemachine/cluster-events.js';
import { encodeCommand } from '../statemachine/commands.js';
import { MemberRole } from '../statemachine/membership.js';
import type { StateMachine } from '../statemachine/state-machine.js';
import type { Clock } from './clock.js';
import type { NodeConfig } from './config.js';
import { HA_DEFAULTS } from './ha-config.js';
import type { Logger } from './logger.js';
import { quietTicksUntil } from './ticker.js';

/** What the driver needs from the running node. */
export interface HaHost {
  readonly raw: RawNode;
  /** The current state machine (replaced when a snapshot is restored). */
  stateMachine(): StateMachine;
  role(): NodeRole;
  kick(): void;
  /** The clock reading taken just before the core reached tick `tick` (ticker.ts). */
  timeOfTick(tick: number): number | undefined;
  waitFor(check: () => boolean, timeoutMs: number, onTimeout: () => Error): Promise<void>;
  leaderHint(): { leader: string; address: string };
  /** When this node last received a message from each peer (monotonic ms). */
  lastHeard(): ReadonlyMap<string, number>;
  /** A KV put through Raft (the node's HA profile); resolves when applied here. */
  put(key: string, value: string): Promise<void>;
  /** This driver may have stopped being quiet (quietTicks): the ticker re-plans its sleep. */
  replan?(): void;
  /** Starts a leadership transfer (NodeRuntime.beginTransfer); throws when the core refuses. */
  beginTransfer(to: string): void;
}


/** A transfer target must be this close to the leader's log (the transfer itself catches it up). */
const CAUGHT_UP_LAG = 100;

/** Re-announcements of the VIP are at least this far apart. */
const REANNOUNCE_MIN_INTERVAL_MS = 1000;

export class HaDriver implements HaPort {
  readonly controller: RoleController;
  readonly executor: ResourceExecutor;
  private readonly me: string;
  private lastFedState: ReplicatedHaState | undefined;
  private lastLeaderTerm = 0;
  private readonly runs = new Map<string, Extract<ControllerAction, { type: 'run' }>>();
  private readonly queue: ControllerInput[] = [];
  private feeding = false;
  private stopped = false;
  private profilePublished = false;
  private profileRetryAt = 0;
  private stableSince = Number.NEGATIVE_INFINITY;
  private failbackTriedAt = Number.NEGATIVE_INFINITY;
  private failbackCheckedAt = Number.NEGATIVE_INFINITY;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly reannounce: ReannounceTrigger;
  private lastPaused: boolean | undefined;
  private readonly tickMs: number;
  private readonly checks: HealthCheckRunner | undefined;
  /** The candidate list last fed to the controller (joined), to feed only changes. */
  private fedCandidates = '';
  /** The active kept the role while unhealthy at the last tick (noteDegraded). */
  private wasDegraded = false;

  constructor(
    private readonly config: NodeConfig,
    private readonly host: HaHost,
    private readonly clock: Clock,
    private readonly log: Logger,
    executorFor?: (onDone: (r: ActionResult) => void) => ResourceExecutor,
  ) {
    this.me = config.id;
    const ha = config.ha;
    this.tickMs = config.ticks.tickMs;
    this.reannounce = new ReannounceTrigger({ quietMs: config.electionTimeoutMs, minIntervalMs: REANNOUNCE_MIN_INTERVAL_MS });
    const haConfig: HaConfig = {
      nodeId: config.id,
      fencing: ha.fencing,
      leaseMs: ha.timing.leaseMs,
      outliveMs: ha.timing.outliveMs,
      demoteBudgetMs: ha.timing.demoteBudgetMs,
      noActive: ha.noActive,
      priority: ha.priority,
      failback: ha.failback,
      promoteBackoffMinMs: ha.promoteBackoffMinMs,
      promoteBackoffMaxMs: ha.promoteBackoffMaxMs,
      health: { checked: ha.health.check !== undefined, failoverCooldownMs: ha.health.failoverCooldownMs, onNoHealthyCandidate: ha.health.onNoHealthyCandidate },
    };
    this.controller = new RoleController(haConfig);
    const check = ha.health.check;
    this.checks =
      check === undefined
        ? undefined
        : new HealthCheckRunner({
            source: check,
            intervalMs: ha.health.checkIntervalMs,
            timeoutMs: ha.health.checkTimeoutMs,
            fall: ha.health.checkFall,
            rise: ha.health.checkRise,
            killGraceMs: ha.killGraceMs,
            context: () => this.checkContext(),
            logger: log,
            now: () => clock.monotonicMs(),
            onVerdict: (health, detail) => this.onVerdict(health, detail),
          });
    const onDone = (r: ActionResult): void => this.onDone(r);
    this.executor =
      executorFor?.(onDone) ??
      new ResourceExecutor({
        nodeId: config.id,
        cluster: config.cluster,
        hooks: {
          ...(ha.onPromote !== undefined ? { promote: ha.onPromote } : {}),
          ...(ha.onDemote !== undefined ? { demote: ha.onDemote } : {}),
          ...(ha.onFence !== undefined ? { fence: ha.onFence } : {}),
        },
        hookTimeoutMs: ha.hookTimeoutMs,
        killGraceMs: ha.killGraceMs,
        ...(ha.vip !== undefined ? { vip: ha.vip, vipOptions: { commandTimeoutMs: HA_DEFAULTS.vipRemoveMs } } : {}),
        logger: log,
        now: () => clock.monotonicMs(),
        onDone,
      });
    log.info(
      {
        fencing: ha.fencing,
        fencingChosenBy: ha.fencingSource,
        noActive: ha.noActive,
        priority: ha.priority,
        failback: ha.failback,
        hooks: { promote: ha.onPromote ?? null, demote: ha.onDemote ?? null, fence: ha.onFence ?? null },
        vip: ha.vip ? `${ha.vip.address}/${ha.vip.prefixLength} on ${ha.vip.interface}` : null,
        timing: ha.timing.explanation,
        check: check === undefined ? null : { check: check.kind === 'command' ? check.path : '(embedded function)', ...withoutCheck(ha.health) },
      },
      `active role: fencing mode ${ha.fencing} (${fencingWhy(ha.fencingSource)})`,
    );
  }

  // ---------------------------------------------------------------- inputs from the node

  /** First evaluation: the controller demotes at start-up (we may hold a VIP from a past life). */
  start(): void {
    this.feedRaft();
    this.feedRecord();
    this.feed({ type: 'tick', now: this.now() });
    this.checks?.start();
  }

  /** Every tick of the node's ticker. */
  tick(): void {
    if (this.stopped) return;
    this.feedRaft();
    this.feedRecord();
    this.feedCandidates();
    this.feed({ type: 'tick', now: this.now() });
    this.noteDegraded();
    this.publishProfile();
    this.maybeFailback();
    this.maybeReannounce();
    if (this.idleWaiters.length > 0 && this.idle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  /**
   * Before each Ready: a leader elected since the last Ready is told now, so its Promote entry
   * is appended before the Ready is taken and commits together with the election no-op (one
   * write and one round trip less before the promote hook runs).
   */
  beforeReady(): void {
    if (this.stopped) return;
    const r = this.host.raw.basicStatus();
    if (r.state === 'leader' && r.term !== this.lastLeaderTerm) this.feedRaft();
  }

  /** After each Ready: role changes, the lease fact, the applied HA record. */
  afterReady(rd: Ready): void {
    if (this.stopped) return;
    if (rd.softState !== undefined) this.feedRaft();
    if (rd.leaseAck !== undefined) {
      const at = this.host.timeOfTick(rd.leaseAck.startTick);
      // Too old to be remembered: no lease from it (safe: the lease only gets shorter).
      if (at !== undefined) {
        this.feed({ type: 'lease', now: this.now(), term: rd.leaseAck.term, roundStartedAt: at });
        this.reannounce.leaseRenewed(this.now());
      }
    }
    this.feedRecord();
  }

  private feedRaft(): void {
    const r = this.host.raw.basicStatus();
    const role = toRaftRole(this.host.role());
    const now = this.now();
    if (role === 'leader' && r.term !== this.lastLeaderTerm) {
      this.lastLeaderTerm = r.term;
      this.record({ kind: ClusterEventKind.Election, term: r.term, detail: r.electedByTransfer ? 'became leader (by transfer)' : 'became leader' });
    }
    this.feed({ type: 'raft', now, role, term: r.term, leader: r.lead, electedByTransfer: role === 'leader' && r.electedByTransfer });
  }

  private feedRecord(): void {
    const sm = this.host.stateMachine();
    if (sm.ha === this.lastFedState) return;
    this.lastFedState = sm.ha;
    if (this.lastPaused === true && !sm.ha.paused) this.reannounce.resumed();
    this.lastPaused = sm.ha.paused;
    this.feed({ type: 'record', now: this.now(), state: sm.ha, index: sm.appliedIndex });
  }

  private onDone(r: ActionResult): void {
    const key = `${r.kind}@${r.epoch}`;
    const action = this.runs.get(key);
    this.runs.delete(key);
    const durationMs = Math.max(0, Math.round(r.durationMs));
    const term = this.host.raw.basicStatus().term;
    // Start-up demotions with nothing configured are not worth an event each restart.
    const trivial = r.kind === 'demote' && r.epoch === 0 && r.ok && !this.hasResources();
    if (!trivial) {
      const what = r.kind === 'promote' ? ClusterEventKind.Promotion : r.kind === 'demote' ? ClusterEventKind.Demotion : ClusterEventKind.Fence;
      const reason = action?.reason ?? '';
      const target = r.kind === 'fence' && action ? ` of ${action.target}` : '';
      this.record({
        kind: r.ok ? what : ClusterEventKind.Hook,
        term,
        epoch: r.epoch,
        durationMs,
        detail: r.ok ? `${r.kind}${target} done${reason ? `: ${reason}` : ''}${r.detail ? ` (${r.detail})` : ''}` : `${r.kind}${target} failed: ${r.detail}${reason ? ` (${reason})` : ''}`,
      });
    }
    this.feed({ type: 'actionDone', now: this.now(), kind: r.kind, epoch: r.epoch, ok: r.ok, detail: r.detail });
    if (this.idleWaiters.length > 0 && this.idle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  // ---------------------------------------------------------------- service health

  /** The check's verdict changed: tell the controller (it publishes it) and record an event. */
  private onVerdict(health: Health, detail: string): void {
    if (this.stopped) return;
    this.record({ kind: ClusterEventKind.Health, term: this.host.raw.basicStatus().term, detail: `service ${health}${detail ? `: ${detail}` : ''}` });
    // The controller decides on the verdict at once: give it today's candidates first, not the
    // list of an earlier episode (or none, which reads as "no healthy node to take the role").
    if (health !== Health.Healthy) this.feedCandidates(true);
    this.feed({ type: 'health', now: this.now(), health, detail });
  }

  /** The hook variables a check runs with: PALISADE_ROLE follows this node's role. */
  private checkContext(): HookContext {
    const active = this.host.stateMachine().ha.active;
    const role = this.controller.role;
    return {
      event: 'check',
      nodeId: this.me,
      epoch: this.controller.heldEpoch,
      term: this.host.raw.basicStatus().term,
      previousActive: active !== null && active.holder !== this.me ? active.holder : '',
      target: this.me,
      reason: 'periodic check',
      cluster: this.config.cluster,
      role: role === LocalRole.Active || role === LocalRole.Promoting ? 'active' : 'replica',
    };
  }

  /**
   * While this node's service is not healthy, the leader tells the controller which voters could
   * take the role (it filters them by health): the targets of a health failover.
   */
  private feedCandidates(evenIfHealthy = false): void {
    if (this.controller.health === Health.Healthy && !evenIfHealthy) return;
    const ids = this.host.raw.basicStatus().state === 'leader' ? this.candidates(false) : [];
    const key = ids.join(',');
    if (key === this.fedCandidates) return;
    this.fedCandidates = key;
    this.feed({ type: 'candidates', now: this.now(), ids });
  }

  /**
   * Records once per episode that the active keeps the role with an unhealthy service, and why
   * at its start (status shows the reason of the moment). Not once per reason: the reason is
   * worked out from the leader's view of its followers, whose recentActive flag CheckQuorum
   * clears at every election timeout, so "no healthy node" and "cooldown" can alternate within
   * one episode, and every record is a replicated write.
   */
  private noteDegraded(): void {
    const degraded = this.controller.degraded;
    if (degraded === this.wasDegraded) return;
    this.wasDegraded = degraded;
    if (!degraded) return;
    const why = this.degradedReason();
    this.log.warn({ why }, 'active role: degraded — the service is unhealthy and the role stays here');
    this.record({ kind: ClusterEventKind.Health, term: this.host.raw.basicStatus().term, epoch: this.controller.heldEpoch, detail: `degraded: ${why}` });
  }

  private degradedReason(): string {
    const state = this.host.stateMachine().ha;
    if (state.paused) return 'paused: no health failover until resume';
    const healthy = this.candidates(true);
    if (healthy.length === 0) return `no healthy node to take the role (on-no-healthy-candidate ${this.config.ha.health.onNoHealthyCandidate})`;
    return `failover cooldown (${this.config.ha.health.failoverCooldownMs} ms between automatic health failovers)`;
  }

  /** A member's health as the replicated state says (healthy for a node that runs no check). */
  memberHealth(id: string): { health: Health; healthDetail: string } {
    const h = healthOf(this.host.stateMachine().ha, id);
    if (h !== undefined) return { health: h.health, healthDetail: h.detail };
    // A node that publishes no verdict runs no check when its profile says so: its agent is its health.
    return this.profiles().get(id)?.check === false ? { health: Health.Healthy, healthDetail: 'no check configured' } : { health: Health.Unknown, healthDetail: '' };
  }

  /** Gratuitous ARP again after an ambiguous period (src/ha/reannounce.ts says which). */
  private maybeReannounce(): void {
    for (const [peer, at] of this.host.lastHeard()) this.reannounce.peerHeard(peer, at);
    const serving = this.controller.role === LocalRole.Active && this.executor.serving;
    const why = this.reannounce.poll(this.now(), serving);
    if (why === undefined || this.config.ha.vip === undefined) return;
    this.log.info({ why, epoch: this.controller.heldEpoch }, 'announcing the VIP again');
    this.executor.announce();
  }

  // ---------------------------------------------------------------- the controller loop

  /** Feeds one input; inputs arriving while actions execute are queued, never nested. */
  private feed(input: ControllerInput): void {
    this.queue.push(input);
    if (this.feeding) return;
    this.feeding = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        const before = this.controller.role;
        const actions = this.controller.handle(next);
        if (this.controller.role !== before) this.onLocalRole(before, this.controller.role);
        for (const a of actions) this.execute(a);
      }
    } finally {
      this.feeding = false;
    }
    this.host.replan?.();
  }

  /**
   * Ticks the node's ticker may sleep through (server/ticker.ts, "Quiet ticks"): none while a
   * hook runs, an input is queued, someone waits for idle or the profile is unpublished;
   * otherwise the ticks before the earliest clock-driven decision of this layer: the
   * controller's (RoleController.quietUntil: an active leader's lease check), the next
   * failback look and a deferred VIP re-announcement.
   */
  quietTicks(): number {
    if (this.stopped) return Number.POSITIVE_INFINITY;
    if (this.executor.busy || this.queue.length > 0 || this.idleWaiters.length > 0 || !this.profilePublished) return 0;
    const until = Math.min(this.controller.quietUntil, this.failbackDue(), this.reannounce.dueAt());
    return quietTicksUntil(until, this.now(), this.tickMs);
  }

  private onLocalRole(from: LocalRole, to: LocalRole): void {
    this.log.info({ from, to, epoch: this.controller.heldEpoch, term: this.host.raw.basicStatus().term }, `active role: ${from} → ${to}`);
    this.stableSince = to === LocalRole.Active ? this.now() : Number.NEGATIVE_INFINITY;
  }

  private execute(a: ControllerAction): void {
    switch (a.type) {
      case 'propose':
        if (a.command.type === 'healthFailover') {
          this.log.warn({ from: a.command.from, to: a.command.to }, 'active role: service unhealthy — handing the role to a healthy node');
          this.record({ kind: ClusterEventKind.Health, term: this.host.raw.basicStatus().term, epoch: this.controller.heldEpoch, detail: `failover: service unhealthy on ${a.command.from}; handing the role to ${a.command.to}` });
        }
        this.propose(encodeHaCommand(a.command), describeCommand(a.command));
        return;
      case 'run':
        if (this.stopped && a.kind !== 'demote') return;
        this.runs.set(`${a.kind}@${a.epoch}`, a);
        this.executor.run(a);
        return;
      case 'transferLeadership':
        this.transfer(a.to);
        return;
      default: {
        const never: never = a;
        throw new Error(`unknown controller action ${JSON.stringify(never)}`);
      }
    }
  }

  private propose(data: Uint8Array, what: string): void {
    try {
      this.host.raw.propose(data);
      this.host.kick();
    } catch (err) {
      // Best effort: the controller re-proposes what still matters (latest state wins).
      this.log.debug({ what, err: (err as Error).message }, 'HA proposal not accepted now');
    }
  }

  private transfer(to: string): void {
    const target = to !== '' ? to : (this.candidates()[0] ?? '');
    if (target === '' || target === this.me) {
      this.log.warn({ requested: to }, 'no eligible voter to hand leadership to; staying leader');
      return;
    }
    try {
      this.host.beginTransfer(target);
      this.log.info({ to: target, term: this.host.raw.basicStatus().term }, 'active role: transferring leadership');
    } catch (err) {
      this.log.warn({ to: target, err: (err as Error).message }, 'leadership transfer refused');
    }
  }

  private record(e: Omit<ClusterEvent, 'at' | 'nodeId'>): void {
    const event: ClusterEvent = { ...e, at: Math.round(this.clock.wallMs()), nodeId: this.me };
    this.propose(encodeCommand({ type: 'recordEvent', event }), `event ${e.kind}`);
  }

  // ---------------------------------------------------------------- target choice and profiles

  /** HA profiles of the members, as published in the replicated KV store. */
  profiles(): Map<string, HaProfile> {
    return readHaProfiles(this.host.stateMachine().list(HA_PROFILE_PREFIX));
  }

  /**
   * Leader only: voters other than this node that are reachable, caught up and may hold the
   * role, best first (higher priority, then the most caught-up). Empty on a follower.
   * `healthyOnly`: without nodes whose published check verdict is unhealthy or not known yet.
   */
  candidates(healthyOnly = true): string[] {
    const st = this.host.raw.status();
    if (st.state !== 'leader' || st.progress === undefined) return [];
    const profiles = this.profiles();
    const voters = new Set(this.host.stateMachine().members().filter((m) => m.role === MemberRole.Voter).map((m) => m.id));
    const out: { id: string; match: number; priority: number }[] = [];
    for (const [id, pr] of st.progress) {
      if (id === this.me || pr.isLearner || !voters.has(id) || !pr.recentActive) continue;
      if (st.lastIndex - pr.match > CAUGHT_UP_LAG) continue;
      const p = profiles.get(id);
      if (p?.noActive) continue;
      if (healthyOnly && !this.mayTakeRole(id)) continue;
      out.push({ id, match: pr.match, priority: p?.priority ?? 0 });
    }
    out.sort((a, b) => b.priority - a.priority || b.match - a.match || (a.id < b.id ? -1 : 1));
    return out.map((c) => c.id);
  }

  /** By its published verdict: a node that never published one decides for itself when it leads. */
  private mayTakeRole(id: string): boolean {
    const h = healthOf(this.host.stateMachine().ha, id);
    return h === undefined || h.health === Health.Healthy;
  }

  /** The best node to hand leadership to when this one stops (undefined: none eligible). */
  stopTarget(): string | undefined {
    return this.candidates()[0];
  }

  private publishProfile(): void {
    if (this.profilePublished || this.now() < this.profileRetryAt || this.host.raw.basicStatus().lead === NONE) return;
    const ha = this.config.ha;
    const value = JSON.stringify({ priority: ha.priority, failback: ha.failback, noActive: ha.noActive, check: ha.health.check !== undefined });
    const key = HA_PROFILE_PREFIX + this.me;
    if (this.host.stateMachine().get(key)?.value === value) {
      this.profilePublished = true;
      return;
    }
    this.profileRetryAt = this.now() + 10 * this.config.heartbeatMs + 500;
    this.host.put(key, value).then(
      () => (this.profilePublished = true),
      (err: unknown) => this.log.debug({ err: (err as Error).message }, 'HA profile not published yet; retrying'),
    );
  }

  /** When maybeFailback() next looks (+∞: not while this node is not the active one). */
  private failbackDue(): number {
    if (this.controller.role !== LocalRole.Active || this.controller.paused) return Number.POSITIVE_INFINITY;
    const settle = 4 * this.config.electionTimeoutMs;
    // Not latency-critical (it waits `settle` anyway): look once per election timeout, not per tick.
    return Math.max(this.stableSince + settle, this.failbackTriedAt + settle, this.failbackCheckedAt + this.config.electionTimeoutMs);
  }

  /** The active leader hands the role to a preferred node that asked for failback. */
  private maybeFailback(): void {
    const now = this.now();
    if (now < this.failbackDue()) return;
    this.failbackCheckedAt = now;
    const mine = this.config.ha.priority;
    const profiles = this.profiles();
    const better = this.candidates().find((id) => {
      const p = profiles.get(id);
      return p !== undefined && p.failback && p.priority > mine;
    });
    if (better === undefined) return;
    this.failbackTriedAt = now;
    this.log.info({ to: better, priority: profiles.get(better)?.priority, mine }, 'failback: handing the active role to a preferred node');
    this.feed({ type: 'switchover', now, to: better, caughtUp: this.candidates() });
  }

  private hasResources(): boolean {
    const ha = this.config.ha;
    return ha.onDemote !== undefined || ha.vip !== undefined;
  }

  // ---------------------------------------------------------------- HaPort

  isPrimary(): boolean {
    return !this.stopped && this.controller.isActive(this.now()) && this.executor.serving;
  }

  isReplica(): boolean {
    if (this.stopped || this.isPrimary()) return false;
    const r = this.host.raw.basicStatus();
    const role = this.host.role();
    if (r.lead === NONE) return false;
    if (role === 'follower' || role === 'learner') return true;
    return role === 'leader' && this.controller.role === LocalRole.Inactive;
  }

  status(): HaStatus {
    const ha = this.config.ha;
    const state = this.host.stateMachine().ha;
    const now = this.now();
    const lease = this.controller.leaseExpiry;
    return {
      active: activeOf(state),
      fencing: ha.fencing,
      fencingSource: ha.fencingSource,
      paused: state.paused,
      localRole: this.controller.role,
      primary: this.isPrimary(),
      noActive: ha.noActive,
      priority: ha.priority,
      failback: ha.failback,
      leaseRemainingMs: Number.isFinite(lease) && lease > now ? Math.round(lease - now) : -1,
      health: this.controller.health,
      healthDetail: this.checks?.detail ?? (ha.health.check === undefined ? 'no check configured' : ''),
      degraded: this.controller.degraded,
      degradedReason: this.controller.degraded ? this.degradedReason() : '',
    };
  }

  async switchover(to: string): Promise<SwitchoverResult> {
    const started = this.now();
    const r = this.host.raw.basicStatus();
    if (r.state !== 'leader') {
      const { leader, address } = this.host.leaderHint();
      throw new NoLeaderError('a switchover is run by the leader; ask it', leader || undefined, address || undefined);
    }
    const state = this.host.stateMachine().ha;
    if (state.paused) throw new PreconditionFailedError('the cluster is paused: run `palisade resume` before a switchover');
    const candidates = this.candidates();
    if (to !== '') {
      const m = this.host.stateMachine().members().find((x) => x.id === to);
      if (m === undefined) throw new NotFoundError(`member ${to} is not in the cluster`);
      if (to === this.me && activeOf(state)?.node === this.me) throw new PreconditionFailedError(`${to} already holds the active role`);
      if (to === this.me) throw new PreconditionFailedError(`${to} is the leader; switchover moves the role to another node`);
      if (m.role !== MemberRole.Voter) throw new PreconditionFailedError(`${to} is a learner; only a caught-up voter can take the role`);
      if (this.profiles().get(to)?.noActive) throw new PreconditionFailedError(`${to} runs with --no-active (a witness): it never takes the role`);
      const h = healthOf(state, to);
      if (h !== undefined && h.health !== Health.Healthy) {
        const why = h.health === Health.Unhealthy ? `its service is unhealthy${h.detail ? ` (${h.detail})` : ''}` : 'its check has not passed yet';
        throw new PreconditionFailedError(`${to} cannot take the role: ${why}; an unhealthy node is never promoted`);
      }
      if (!candidates.includes(to)) throw new PreconditionFailedError(`${to} is not reachable or not caught up with the leader's log; retry when it is`);
    } else if (candidates.length === 0) {
      throw new PreconditionFailedError('no other voter is reachable, caught up, healthy and allowed to take the role');
    }
    const from = activeOf(state)?.node ?? '';
    const before = state.active?.epoch ?? 0;
    const target = to !== '' ? to : candidates[0]!;
    this.log.info({ to: target, from, epoch: before }, 'switchover requested');
    this.record({ kind: ClusterEventKind.Hook, term: r.term, detail: `switchover requested: ${from || '(none)'} → ${target}` });
    this.feed({ type: 'switchover', now: this.now(), to: target, caughtUp: candidates });
    const t = this.config.ha.timing;
    const budget = 2 * t.outliveMs + t.demoteBudgetMs + this.config.ha.hookTimeoutMs + 4 * this.config.electionTimeoutMs + 1000;
    await this.host.waitFor(
      () => {
        const a = activeOf(this.host.stateMachine().ha);
        return a !== null && a.node === target && a.epoch > before;
      },
      budget,
      () => new TimeoutError(`switchover to ${target}: no promotion of ${target} within ${budget} ms; see \`palisade events\``),
    );
    const epoch = this.host.stateMachine().ha.active?.epoch ?? 0;
    return { from, to: target, epoch, durationMs: Math.round(this.now() - started) };
  }

  async setPaused(paused: boolean): Promise<{ paused: boolean }> {
    const cmd: HaCommand = paused ? { type: 'pause' } : { type: 'resume' };
    if (this.host.stateMachine().ha.paused === paused) return { paused };
    try {
      this.host.raw.propose(encodeHaCommand(cmd));
    } catch (err) {
      const { leader, address } = this.host.leaderHint();
      throw new NoLeaderError((err as Error).message, leader || undefined, address || undefined, { cause: err });
    }
    this.host.kick();
    this.record({ kind: ClusterEventKind.Hook, term: this.host.raw.basicStatus().term, detail: paused ? 'paused by operator' : 'resumed by operator' });
    const timeout = 4 * this.config.electionTimeoutMs + 2000;
    await this.host.waitFor(
      () => this.host.stateMachine().ha.paused === paused,
      timeout,
      () => new TimeoutError(`${cmd.type} not applied on ${this.me} within ${timeout} ms; retry`),
    );
    return { paused };
  }

  events(afterSeq: number, limit: number): readonly RecordedEvent[] {
    const all = this.host.stateMachine().clusterEventLog(afterSeq);
    return limit > 0 ? all.slice(0, limit) : all;
  }

  // ---------------------------------------------------------------- stopping

  /**
   * SIGTERM path: demote (bounded by the hook timeout and its kill grace), wait for the
   * `demoted` record to commit so the next holder need not fence or outlive us, then return;
   * the caller transfers leadership and stops the node.
   */
  async shutdown(confirm = true): Promise<void> {
    this.feed({ type: 'shutdown', now: this.now() });
    const ha = this.config.ha;
    const budget = ha.hookTimeoutMs + ha.killGraceMs + HA_DEFAULTS.vipRemoveMs + 1000;
    if (!this.idle()) {
      const done = await Promise.race([
        new Promise<boolean>((resolve) => {
          this.idleWaiters.push(() => resolve(true));
          this.host.replan?.(); // idleness is checked on ticks: keep ticking
        }),
        sleep(budget).then(() => false),
      ]);
      if (!done) this.log.warn({ budgetMs: budget }, 'demotion before stop did not finish in time; stopping anyway');
    }
    const mine = (): boolean => this.host.stateMachine().ha.holders.some((h) => h.holder === this.me);
    if (confirm && mine()) {
      await this.host
        .waitFor(() => !mine(), 2 * this.config.electionTimeoutMs + 500, () => new Error('demoted record not committed'))
        .catch(() => this.log.warn('stopping before our demotion was confirmed in the log: the next holder will fence or outlive us'));
    }
  }

  /** A simulated crash: nothing more is run, proposed or reported. */
  abandon(): void {
    this.stopped = true;
    void this.checks?.stop();
  }

  /** Stops the executor (a running promote is killed, a demote finishes). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.executor.stop(), this.checks?.stop()]);
  }

  private idle(): boolean {
    return this.controller.role === LocalRole.Inactive && !this.executor.busy;
  }

  private now(): number {
    return this.clock.monotonicMs();
  }
}

function withoutCheck<T extends { check?: unknown }>(h: T): Omit<T, 'check'> {
  const { check: _check, ...rest } = h;
  return rest;
}

function activeOf(state: ReplicatedHaState): { node: string; epoch: number } | null {
  const a = state.active;
  // A holder that confirmed its demotion (or was fenced) is no longer active.
  if (a === null || !state.holders.some((h) => h.holder === a.holder && h.epoch === a.epoch)) return null;
  return { node: a.holder, epoch: a.epoch };
}

function toRaftRole(role: NodeRole): RaftRole {
  return role;
}

function describeCommand(c: HaCommand): string {
  switch (c.type) {
    case 'promote':
      return `promote ${c.holder} (term ${c.term})`;
    case 'demoted':
      return `demoted ${c.holder} up to epoch ${c.epoch}`;
    case 'fenced':
      return `fenced ${c.holder} up to epoch ${c.epoch} by ${c.by}`;
    case 'pause':
    case 'resume':
      return c.type;
    case 'health':
      return `health of ${c.node}: ${c.health}`;
    case 'healthFailover':
      return `health failover ${c.from} → ${c.to}`;
    default: {
      const never: never = c;
      return String(never);
    }
  }
}

function fencingWhy(source: string): string {
  switch (source) {
    case 'flag':
      return 'set with --fencing';
    case 'on-fence':
      return 'a fence hook is configured';
    default:
      return 'the default without a fence hook; a paused or killed agent keeps its VIP until its lease ends — use --fencing hook to cover that';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
