// Who may take the active role, as the leader sees it: voters that are reachable, caught up,
// not witnesses and, by their published verdict, healthy, best first. Also the members' HA
// profiles and published health, which that choice and the status read.
import { HA_PROFILE_PREFIX, readHaProfiles, type HaProfile } from '../ha/profiles.js';
import { Health, type ReplicatedHaState } from '../statemachine/ha-record.js';
import { healthOf } from '../statemachine/ha-state.js';
import { MemberRole } from '../statemachine/membership.js';
import type { HaHost } from './ha-host.js';

/** A transfer target must be this close to the leader's log (the transfer itself catches it up). */
const CAUGHT_UP_LAG = 100;

/** How recently a voter must have been heard from to count as reachable. */
export interface Reachability {
  /** Monotonic ms, the clock `lastHeard` is read in. */
  now(): number;
  windowMs: number;
}

export class HaTargets {
  constructor(
    private readonly me: string,
    private readonly host: Pick<HaHost, 'raw' | 'stateMachine' | 'lastHeard'>,
    private readonly reach: Reachability,
  ) {}

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
    const voters = new Set(
      this.host
        .stateMachine()
        .members()
        .filter((m) => m.role === MemberRole.Voter)
        .map((m) => m.id),
    );
    const out: { id: string; match: number; priority: number }[] = [];
    for (const [id, pr] of st.progress) {
      if (id === this.me || pr.isLearner || !voters.has(id) || !this.reachable(id, pr.recentActive)) continue;
      if (st.lastIndex - pr.match > CAUGHT_UP_LAG) continue;
      const p = profiles.get(id);
      if (p?.noActive) continue;
      if (healthyOnly && !this.mayTakeRole(id)) continue;
      out.push({ id, match: pr.match, priority: p?.priority ?? 0 });
    }
    out.sort((a, b) => b.priority - a.priority || b.match - a.match || (a.id < b.id ? -1 : 1));
    return out.map((c) => c.id);
  }

  /**
   * Heard from lately. CheckQuorum clears `recentActive` every election timeout, and a follower
   * answers only the heartbeat after that which asks it: the core's flag alone would empty the
   * list for a moment each period (a switchover asked then was refused).
   */
  private reachable(id: string, recentActive: boolean): boolean {
    if (recentActive) return true;
    const at = this.host.lastHeard().get(id);
    return at !== undefined && this.reach.now() - at <= this.reach.windowMs;
  }

  /** A member's health as the replicated state says (healthy for a node that runs no check). */
  memberHealth(id: string): { health: Health; healthDetail: string } {
    const h = healthOf(this.host.stateMachine().ha, id);
    if (h !== undefined) return { health: h.health, healthDetail: h.detail };
    // A node that publishes no verdict runs no check when its profile says so: its agent is its health.
    return this.profiles().get(id)?.check === false
      ? { health: Health.Healthy, healthDetail: 'no check configured' }
      : { health: Health.Unknown, healthDetail: '' };
  }

  /** By its published verdict: a node that never published one decides for itself when it leads. */
  private mayTakeRole(id: string): boolean {
    const h = healthOf(this.host.stateMachine().ha, id);
    return h === undefined || h.health === Health.Healthy;
  }
}

/** The holder the record names as active, unless it confirmed its demotion (or was fenced). */
export function activeOf(state: ReplicatedHaState): { node: string; epoch: number } | null {
  const a = state.active;
  if (a === null || !state.holders.some((h) => h.holder === a.holder && h.epoch === a.epoch)) return null;
  return { node: a.holder, epoch: a.epoch };
}
