// Each node publishes its HA profile (priority, failback, --no-active) in the replicated KV
// store, so every member sees the same preferences: the leader uses them to pick switchover
// and failback targets, every follower to decide how soon it campaigns (election-order.ts).

import { SYSTEM_PREFIX } from '../statemachine/kv-store.js';

/** Where every node publishes its HA profile (a system key: listed without scanning user keys). */
export const HA_PROFILE_PREFIX = `${SYSTEM_PREFIX}ha/nodes/`;

export interface HaProfile {
  readonly priority: number;
  readonly failback: boolean;
  readonly noActive: boolean;
  /** Runs a health check (absent in profiles published before checks existed). */
  readonly check?: boolean;
}

/** The published profiles by node id. A malformed value (written by hand) counts as no profile. */
export function readHaProfiles(entries: Iterable<{ readonly key: string; readonly value: string }>): Map<string, HaProfile> {
  const out = new Map<string, HaProfile>();
  for (const kv of entries) {
    if (!kv.key.startsWith(HA_PROFILE_PREFIX)) continue;
    try {
      const p = JSON.parse(kv.value) as Partial<HaProfile>;
      const profile: HaProfile = { priority: Number(p.priority) || 0, failback: p.failback === true, noActive: p.noActive === true };
      out.set(kv.key.slice(HA_PROFILE_PREFIX.length), typeof p.check === 'boolean' ? { ...profile, check: p.check } : profile);
    } catch {
      // not JSON: treat the node as having no profile
    }
  }
  return out;
}
