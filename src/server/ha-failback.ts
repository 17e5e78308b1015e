// Preference between nodes: this node publishes its HA profile (priority, failback, witness,
// check) in the replicated KV store, where every leader's target choice reads it; and the
// active leader hands the role back to a caught-up node of higher priority that asked for
// failback, once the role has been stable here for a while.
import { HA_PROFILE_PREFIX } from '../ha/profiles.js';
import { LocalRole } from '../ha/types.js';
import { NONE } from '../raft/types.js';
import type { Clock } from './clock.js';
import type { NodeConfig } from './config.js';
import type { ControllerLoop } from './ha-controller-loop.js';
import type { HaHost } from './ha-host.js';
import type { HaTargets } from './ha-targets.js';
import type { Logger } from './logger.js';

export interface FailbackOptions {
  readonly config: NodeConfig;
  readonly host: HaHost;
  readonly clock: Clock;
  readonly log: Logger;
  readonly loop: ControllerLoop;
  readonly targets: HaTargets;
}

export class Failback {
  private published = false;
  private retryAt = 0;
  private triedAt = Number.NEGATIVE_INFINITY;
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: FailbackOptions) {}

  /** This node's profile is in the replicated store (until then the layer is never quiet). */
  get profilePublished(): boolean {
    return this.published;
  }

  publishProfile(): void {
    const { config, host } = this.o;
    const now = this.o.clock.monotonicMs();
    if (this.published || now < this.retryAt || host.raw.basicStatus().lead === NONE) return;
    const ha = config.ha;
    const value = JSON.stringify({
      priority: ha.priority,
      failback: ha.failback,
      noActive: ha.noActive,
      check: ha.health.check !== undefined,
    });
    const key = HA_PROFILE_PREFIX + config.id;
    if (host.stateMachine().get(key)?.value === value) {
      this.published = true;
      return;
    }
    this.retryAt = now + 10 * config.heartbeatMs + 500;
    host.put(key, value).then(
      () => (this.published = true),
      (err: unknown) => this.o.log.debug({ err: (err as Error).message }, 'HA profile not published yet; retrying'),
    );
  }

  /** When maybeFailback() next looks (+∞: not while this node is not the active one). */
  private due(): number {
    const controller = this.o.loop.controller;
    if (controller.role !== LocalRole.Active || controller.paused) return Number.POSITIVE_INFINITY;
    const electionTimeoutMs = this.o.config.electionTimeoutMs;
    const settle = 4 * electionTimeoutMs;
    // Not latency-critical (it waits `settle` anyway): look once per election timeout, not per tick.
    return Math.max(this.o.loop.activeSince + settle, this.triedAt + settle, this.checkedAt + electionTimeoutMs);
  }

  /** The active leader hands the role to a preferred node that asked for failback. */
  maybeFailback(): void {
    const now = this.o.clock.monotonicMs();
    if (now < this.due()) return;
    this.checkedAt = now;
    const mine = this.o.config.ha.priority;
    const profiles = this.o.targets.profiles();
    const better = this.o.targets.candidates().find((id) => {
      const p = profiles.get(id);
      return p !== undefined && p.failback && p.priority > mine;
    });
    if (better === undefined) return;
    this.triedAt = now;
    this.o.log.info(
      { to: better, priority: profiles.get(better)?.priority, mine },
      'failback: handing the active role to a preferred node',
    );
    this.o.loop.feed({ type: 'switchover', now, to: better, caughtUp: this.o.targets.candidates() });
  }
}
