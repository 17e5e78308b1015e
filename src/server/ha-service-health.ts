// Service health in the HA layer: the node's check runs with its role in the environment; each
// new verdict goes to the role controller (which publishes it) and into the event log; while
// this node is not healthy the leader tells the controller which voters could take the role;
// an active node that keeps the role with an unhealthy service is recorded once per episode.
import type { HealthCheckRunner } from '../ha/health-check.js';
import type { HookContext } from '../ha/hook-runner.js';
import { LocalRole } from '../ha/types.js';
import { ClusterEventKind } from '../statemachine/cluster-events.js';
import { Health } from '../statemachine/ha-record.js';
import type { Clock } from './clock.js';
import type { NodeConfig } from './config.js';
import type { ControllerLoop } from './ha-controller-loop.js';
import type { HaHost } from './ha-host.js';
import { healthCheckRunner } from './ha-setup.js';
import type { HaTargets } from './ha-targets.js';
import type { Logger } from './logger.js';

export interface ServiceHealthOptions {
  readonly config: NodeConfig;
  readonly host: HaHost;
  readonly clock: Clock;
  readonly log: Logger;
  readonly loop: ControllerLoop;
  readonly targets: HaTargets;
  stopped(): boolean;
}

export class ServiceHealth {
  private readonly checks: HealthCheckRunner | undefined;
  /** The candidate list last fed to the controller (joined), to feed only changes. */
  private fedCandidates = '';
  /** The active kept the role while unhealthy at the last tick (noteDegraded). */
  private wasDegraded = false;

  constructor(private readonly o: ServiceHealthOptions) {
    this.checks = healthCheckRunner(o.config, o.clock, o.log, {
      context: () => this.checkContext(),
      onVerdict: (health, detail) => this.onVerdict(health, detail),
    });
  }

  /** What the status says about this node's check. */
  get detail(): string {
    return this.checks?.detail ?? (this.o.config.ha.health.check === undefined ? 'no check configured' : '');
  }

  start(): void {
    this.checks?.start();
  }

  async stop(): Promise<void> {
    await this.checks?.stop();
  }

  /**
   * While this node's service is not healthy, the leader tells the controller which voters could
   * take the role (it filters them by health): the targets of a health failover.
   */
  feedCandidates(evenIfHealthy = false): void {
    const controller = this.o.loop.controller;
    if (controller.health === Health.Healthy && !evenIfHealthy) return;
    const ids = this.o.host.raw.basicStatus().state === 'leader' ? this.o.targets.candidates(false) : [];
    const key = ids.join(',');
    if (key === this.fedCandidates) return;
    this.fedCandidates = key;
    this.o.loop.feed({ type: 'candidates', now: this.o.clock.monotonicMs(), ids });
  }

  /**
   * Records once per episode that the active keeps the role with an unhealthy service, and why
   * at its start (status shows the reason of the moment). Not once per reason: the reason is
   * worked out from the leader's view of its followers, whose recentActive flag CheckQuorum
   * clears at every election timeout, so "no healthy node" and "cooldown" can alternate within
   * one episode, and every record is a replicated write.
   */
  noteDegraded(): void {
    const controller = this.o.loop.controller;
    const degraded = controller.degraded;
    if (degraded === this.wasDegraded) return;
    this.wasDegraded = degraded;
    if (!degraded) return;
    const why = this.degradedReason();
    this.o.log.warn({ why }, 'active role: degraded — the service is unhealthy and the role stays here');
    this.o.loop.record({
      kind: ClusterEventKind.Health,
      term: this.o.host.raw.basicStatus().term,
      epoch: controller.heldEpoch,
      detail: `degraded: ${why}`,
    });
  }

  degradedReason(): string {
    const state = this.o.host.stateMachine().ha;
    if (state.paused) return 'paused: no health failover until resume';
    const healthy = this.o.targets.candidates(true);
    const policy = this.o.config.ha.health;
    if (healthy.length === 0) return `no healthy node to take the role (on-no-healthy-candidate ${policy.onNoHealthyCandidate})`;
    return `failover cooldown (${policy.failoverCooldownMs} ms between automatic health failovers)`;
  }

  /** The check's verdict changed: tell the controller (it publishes it) and record an event. */
  private onVerdict(health: Health, detail: string): void {
    if (this.o.stopped()) return;
    this.o.loop.record({
      kind: ClusterEventKind.Health,
      term: this.o.host.raw.basicStatus().term,
      detail: `service ${health}${detail ? `: ${detail}` : ''}`,
    });
    // The controller decides on the verdict at once: give it today's candidates first, not the
    // list of an earlier episode (or none, which reads as "no healthy node to take the role").
    if (health !== Health.Healthy) this.feedCandidates(true);
    this.o.loop.feed({ type: 'health', now: this.o.clock.monotonicMs(), health, detail });
  }

  /** The hook variables a check runs with: PALISADE_ROLE follows this node's role. */
  private checkContext(): HookContext {
    const me = this.o.config.id;
    const active = this.o.host.stateMachine().ha.active;
    const controller = this.o.loop.controller;
    const role = controller.role;
    return {
      event: 'check',
      nodeId: me,
      epoch: controller.heldEpoch,
      term: this.o.host.raw.basicStatus().term,
      previousActive: active !== null && active.holder !== me ? active.holder : '',
      target: me,
      reason: 'periodic check',
      cluster: this.o.config.cluster,
      role: role === LocalRole.Active || role === LocalRole.Promoting ? 'active' : 'replica',
    };
  }
}
