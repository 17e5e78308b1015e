// Service health in the HA simulation (issue 15): the real RoleController on every simulated
// node, each node's service failing and recovering at random times under the HA nemesis.
// - single-active and "an unhealthy node is never promoted" hold, and after healing every fault
//   and service an active node appears (both fencing modes, both --on-no-healthy-candidate);
// - liveness: when the active node's service fails and a healthy node exists, the role moves to
//   a healthy node within failoverBoundMs; when no other node is healthy, nobody else is promoted;
// - teeth: a controller told "healthy" whatever its check says is caught by both properties.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Health } from '../../../src/statemachine/ha-record.js';
import { failoverBoundMs, runCheckedCampaign, runHealthFailover } from './health-scenario.js';
import { HealthInvariant } from './service-health.js';

const CAMPAIGN = { runs: 60, fcSeed: 20250115 } as const;
const LIVENESS_SEEDS = Array.from({ length: 25 }, (_, i) => 1000 + i);
/** Teeth: told healthy whatever the check says. */
const alwaysHealthy = (): Health => Health.Healthy;

describe('service health in the HA simulation', () => {
  for (const fencing of ['hook', 'lease'] as const) {
    for (const policy of ['keep', 'demote'] as const) {
      test(`fencing ${fencing}, on-no-healthy-candidate ${policy}: services fail and recover at random under the nemesis; single-active holds, no unhealthy node is promoted, an active node follows healing`, () => {
        const r = runCheckedCampaign(CAMPAIGN.runs, CAMPAIGN.fcSeed, { nodes: 3, fencing, onNoHealthyCandidate: policy });
        assert.equal(r.failure, undefined, r.failure);
        assert.equal(r.runs, CAMPAIGN.runs);
        assert.ok(r.promotions > CAMPAIGN.runs, `the runs promote (${r.promotions} promotions)`);
      });
    }

    test(`fencing ${fencing}: the active node's service fails → a healthy node holds the role within ${failoverBoundMs(fencing).toFixed(0)} ms`, () => {
      const moved: number[] = [];
      for (const seed of LIVENESS_SEEDS) {
        const r = runHealthFailover(seed, (seed * 37) % 300, false, { nodes: 3, fencing });
        assert.equal(
          r.violation,
          undefined,
          `seed ${seed}: ${r.violation?.message}\n${r.report.join('\n')}\n${r.traceTail.slice(-80).join('\n')}`,
        );
        assert.notEqual(r.activeAfter, r.failed, `seed ${seed}`);
        moved.push(r.movedAfterMs!);
      }
      console.log(
        `fencing ${fencing}: role moved after ${Math.min(...moved).toFixed(0)}–${Math.max(...moved).toFixed(0)} ms (bound ${failoverBoundMs(fencing).toFixed(0)})`,
      );
    });

    test(`fencing ${fencing}: no other node healthy → keep: the active keeps the role; demote: nobody holds it; nobody else is promoted`, () => {
      for (const seed of LIVENESS_SEEDS.slice(0, 8)) {
        const keep = runHealthFailover(seed, 50, true, { nodes: 3, fencing, onNoHealthyCandidate: 'keep' });
        assert.equal(keep.violation, undefined, `seed ${seed}: ${keep.violation?.message}`);
        assert.equal(keep.activeAfter, keep.failed, `seed ${seed}: the unhealthy active keeps the role`);
        const demote = runHealthFailover(seed, 50, true, { nodes: 3, fencing, onNoHealthyCandidate: 'demote' });
        assert.equal(demote.violation, undefined, `seed ${seed}: ${demote.violation?.message}`);
        assert.equal(demote.activeAfter, '', `seed ${seed}: demote leaves no active node`);
      }
    });
  }

  test('teeth: a controller that promotes while its check is unhealthy is caught by the random campaign', () => {
    const r = runCheckedCampaign(CAMPAIGN.runs, CAMPAIGN.fcSeed, { nodes: 3, fencing: 'hook', distort: alwaysHealthy });
    assert.ok(r.failure !== undefined, `went unnoticed in ${r.runs} cases`);
    assert.match(r.failure, new RegExp(`VIOLATION ${HealthInvariant.UnhealthyPromoted}`));
    console.log(`unhealthy-promoted mutant caught at case ${r.runs}: ${r.failure.split('\n')[0]}`);
  });

  test('teeth: a controller that ignores its check keeps the role when its service fails (liveness catches it)', () => {
    const r = runHealthFailover(LIVENESS_SEEDS[0], 0, false, { nodes: 3, fencing: 'hook', distort: alwaysHealthy });
    assert.equal(r.violation?.invariant, HealthInvariant.HealthFailover);
  });
});
