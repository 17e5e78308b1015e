// The HA driver: the one place where the pure role controller (ha/role-controller.ts) meets the
// running node. It feeds the controller the node's Raft view, its lease facts (Ready.leaseAck
// mapped to the clock reading the ticker took at the round's start tick), the replicated HA
// record and a tick, through the controller loop (ha-controller-loop.ts), which carries out
// what the controller asks. Its parts: service health (ha-service-health.ts), the choice of
// targets (ha-targets.ts), profile and failback (ha-failback.ts), the operator's controls
// (ha-operator.ts); it serves /primary, /replica and the status, and stops the layer.
import type { HaPort, HaStatus, NodeRole, SwitchoverResult } from '../api/node-port.js';
import { ReannounceTrigger } from '../ha/reannounce.js';
import type { ActionResult, ResourceExecutor } from '../ha/resource-executor.js';
import type { RoleController } from '../ha/role-controller.js';
import { holdsRole, LocalRole, type RaftRole } from '../ha/types.js';
import type { Ready } from '../raft/ready.js';
import { NONE, type LeaseAck } from '../raft/types.js';
import { ClusterEventKind, type RecordedEvent } from '../statemachine/cluster-events.js';
import type { Health } from '../statemachine/ha-record.js';
import type { ReplicatedHaState } from '../statemachine/ha-record.js';
import type { Clock } from './clock.js';
import type { NodeConfig } from './config.js';
import { HA_DEFAULTS } from './ha-config.js';
import { ControllerLoop } from './ha-controller-loop.js';
import { Failback } from './ha-failback.js';
import type { HaHost } from './ha-host.js';
import { HaOperator } from './ha-operator.js';
import { ServiceHealth } from './ha-service-health.js';
import { logHaSettings } from './ha-setup.js';
import { activeOf, HaTargets } from './ha-targets.js';
import { LeaseRenewal } from './lease-renewal.js';
import type { Logger } from './logger.js';
import { quietTicksUntil } from './ticker.js';

export type { HaHost } from './ha-host.js';

/** Re-announcements of the VIP are at least this far apart. */
const REANNOUNCE_MIN_INTERVAL_MS = 1000;

export class HaDriver implements HaPort {
  readonly controller: RoleController;
  readonly executor: ResourceExecutor;
  private readonly loop: ControllerLoop;
  private readonly targets: HaTargets;
  private readonly health: ServiceHealth;
  private readonly failback: Failback;
  private readonly operator: HaOperator;
  private readonly reannounce: ReannounceTrigger;
  private readonly renewal: LeaseRenewal;
  private readonly tickMs: number;
  private lastFedState: ReplicatedHaState | undefined;
  private lastLeaderTerm = 0;
  private lastPaused: boolean | undefined;
  private stopped = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly config: NodeConfig,
    private readonly host: HaHost,
    private readonly clock: Clock,
    private readonly log: Logger,
    executorFor?: (onDone: (r: ActionResult) => void) => ResourceExecutor,
  ) {
    this.tickMs = config.ticks.tickMs;
    this.reannounce = new ReannounceTrigger({ quietMs: config.electionTimeoutMs, minIntervalMs: REANNOUNCE_MIN_INTERVAL_MS });
    this.targets = new HaTargets(config.id, host, { now: () => clock.monotonicMs(), windowMs: config.electionTimeoutMs });
    this.renewal = new LeaseRenewal({
      host,
      boundMs: config.ha.timing.leaseMs,
      nodeId: config.id,
    });
    this.loop = new ControllerLoop({
      config,
      host,
      clock,
      log,
      targets: this.targets,
      stopped: () => this.stopped,
      onSequenceEnd: () => this.wakeIdleWaiters(),
      renewLease: (signal) => this.renewal.request(signal),
      ...(executorFor !== undefined ? { executorFor } : {}),
    });
    this.controller = this.loop.controller;
    this.executor = this.loop.executor;
    const parts = { config, host, clock, log, loop: this.loop, targets: this.targets };
    this.health = new ServiceHealth({ ...parts, stopped: () => this.stopped });
    this.failback = new Failback(parts);
    this.operator = new HaOperator(parts);
    logHaSettings(config, log);
  }

  // ---------------------------------------------------------------- inputs from the node

  /** First evaluation: the controller demotes at start-up (we may hold a VIP from a past life). */
  start(): void {
    this.feedRaft();
    this.feedRecord();
    this.loop.feed({ type: 'tick', now: this.now() });
    this.health.start();
  }

  /** Every tick of the node's ticker. */
  tick(): void {
    if (this.stopped) return;
    // A renewal acknowledged while the Ready loop waits for an fsync (a new leader commits its
    // promote and fence records just as it promotes) counts before the lease check below.
    const ack = this.host.raw.takeLeaseAck();
    if (ack !== undefined) this.feedLease(ack);
    this.feedRaft();
    this.feedRecord();
    this.health.feedCandidates();
    this.loop.feed({ type: 'tick', now: this.now() });
    this.health.noteDegraded();
    this.failback.publishProfile();
    this.failback.maybeFailback();
    this.maybeReannounce();
    this.wakeIdleWaiters();
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
    if (rd.leaseAck !== undefined) this.feedLease(rd.leaseAck);
    this.feedRecord();
  }

  private feedLease(ack: LeaseAck): void {
    const at = this.host.timeOfTick(ack.startTick);
    // Too old to be remembered: no lease from it (safe: the lease only gets shorter).
    if (at === undefined) return;
    this.loop.feed({ type: 'lease', now: this.now(), term: ack.term, roundStartedAt: at });
    this.renewal.renewed(ack.startTick);
    this.reannounce.leaseRenewed(this.now());
  }

  private feedRaft(): void {
    const r = this.host.raw.basicStatus();
    const role = toRaftRole(this.host.role());
    const now = this.now();
    if (role === 'leader' && r.term !== this.lastLeaderTerm) {
      this.lastLeaderTerm = r.term;
      this.loop.record({
        kind: ClusterEventKind.Election,
        term: r.term,
        detail: r.electedByTransfer ? 'became leader (by transfer)' : 'became leader',
      });
    }
    this.loop.feed({ type: 'raft', now, role, term: r.term, leader: r.lead, electedByTransfer: role === 'leader' && r.electedByTransfer });
  }

  private feedRecord(): void {
    const sm = this.host.stateMachine();
    if (sm.ha === this.lastFedState) return;
    this.lastFedState = sm.ha;
    if (this.lastPaused === true && !sm.ha.paused) this.reannounce.resumed();
    this.lastPaused = sm.ha.paused;
    this.loop.feed({ type: 'record', now: this.now(), state: sm.ha, index: sm.appliedIndex });
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

  /**
   * Ticks the node's ticker may sleep through (server/ticker.ts, "Quiet ticks"): none while a
   * hook runs, an input is queued, someone waits for idle or the profile is unpublished;
   * otherwise the ticks before the earliest clock-driven decision of this layer: the
   * controller's (RoleController.quietUntil: an active leader's lease check) and a deferred VIP
   * re-announcement. The failback look is not one of them: only the active node looks, and it
   * sleeps only as the leader, whose core wakes at every heartbeat anyway; a wake-up of its
   * own, once per election timeout at another phase, would cost the idle leader CPU for a look
   * that is not latency-critical (it waits for the role to settle first).
   */
  quietTicks(): number {
    if (this.stopped) return Number.POSITIVE_INFINITY;
    if (this.executor.busy || this.loop.pending || this.idleWaiters.length > 0 || !this.failback.profilePublished) return 0;
    const until = Math.min(this.controller.quietUntil, this.reannounce.dueAt());
    return quietTicksUntil(until, this.now(), this.tickMs);
  }

  // ---------------------------------------------------------------- HaPort

  isPrimary(): boolean {
    return !this.stopped && this.controller.isActive(this.now()) && this.executor.serving;
  }

  isReplica(): boolean {
    if (this.stopped || this.isPrimary() || holdsRole(this.controller.role)) return false;
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
      healthDetail: this.health.detail,
      degraded: this.controller.degraded,
      degradedReason: this.controller.degraded ? this.health.degradedReason() : '',
    };
  }

  /** A member's health as the replicated state says (healthy for a node that runs no check). */
  memberHealth(id: string): { health: Health; healthDetail: string } {
    return this.targets.memberHealth(id);
  }

  switchover(to: string): Promise<SwitchoverResult> {
    return this.operator.switchover(to);
  }

  setPaused(paused: boolean): Promise<{ paused: boolean }> {
    return this.operator.setPaused(paused);
  }

  events(afterSeq: number, limit: number): readonly RecordedEvent[] {
    return this.operator.events(afterSeq, limit);
  }

  /** The best node to hand leadership to when this one stops (undefined: none eligible). */
  stopTarget(): string | undefined {
    return this.targets.candidates()[0];
  }

  // ---------------------------------------------------------------- stopping

  /**
   * SIGTERM path: demote (bounded by the hook timeout and its kill grace), wait for the
   * `demoted` record to commit so the next holder need not fence or outlive us, then return;
   * the caller transfers leadership and stops the node.
   */
  async shutdown(confirm = true): Promise<void> {
    this.loop.feed({ type: 'shutdown', now: this.now() });
    const ha = this.config.ha;
    const budget = ha.hookTimeoutMs + ha.killGraceMs + HA_DEFAULTS.vipRemoveMs + 1000;
    if (!this.loop.idle()) {
      const done = await Promise.race([
        new Promise<boolean>((resolve) => {
          this.idleWaiters.push(() => resolve(true));
          this.host.replan?.(); // idleness is checked on ticks: keep ticking
        }),
        sleep(budget).then(() => false),
      ]);
      if (!done) this.log.warn({ budgetMs: budget }, 'demotion before stop did not finish in time; stopping anyway');
    }
    const mine = (): boolean => this.host.stateMachine().ha.holders.some((h) => h.holder === this.config.id);
    if (confirm && mine()) {
      await this.host
        .waitFor(
          () => !mine(),
          2 * this.config.electionTimeoutMs + 500,
          () => new Error('demoted record not committed'),
        )
        .catch(() => this.log.warn('stopping before our demotion was confirmed in the log: the next holder will fence or outlive us'));
    }
  }

  /** A simulated crash: nothing more is run, proposed or reported. */
  abandon(): void {
    this.stopped = true;
    this.renewal.stop();
    void this.health.stop();
  }

  /** Stops the executor (a running promote is killed, a demote finishes). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.renewal.stop();
    await Promise.all([this.executor.stop(), this.health.stop()]);
  }

  private wakeIdleWaiters(): void {
    if (this.idleWaiters.length > 0 && this.loop.idle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  private now(): number {
    return this.clock.monotonicMs();
  }
}

function toRaftRole(role: NodeRole): RaftRole {
  return role;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
