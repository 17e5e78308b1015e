// Named nemesis weight mixes. The default weights find most bugs, but some live only where one
// kind of fault dominates: the leaderless end state after a leader's own demotion (issue 19) took
// a membership-heavy mix. CI runs every mix at a seed that changes from run to run
// (rotating-seeds.test.ts) and the overnight soak cycles through them (README "Long simulation
// soaks").
import type { ActionGroup } from './nemesis.js';

export type WeightMix = Partial<Record<ActionGroup, number>>;

export const WEIGHT_MIXES = {
  default: {},
  membership: { membership: 8, network: 6, process: 4, client: 6 },
  clock: { clock: 6, wait: 8, network: 3, process: 2, transfer: 2 },
  transfer: { transfer: 6, event: 8, membership: 3, network: 3 },
} as const satisfies Record<string, WeightMix>;

export type MixName = keyof typeof WEIGHT_MIXES;

export const MIX_NAMES = Object.keys(WEIGHT_MIXES) as MixName[];

export function isMixName(s: string): s is MixName {
  return Object.hasOwn(WEIGHT_MIXES, s);
}
