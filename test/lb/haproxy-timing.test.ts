// The shipped cluster-examples/haproxy.cfg against the shipped three-node example: its checks reach
// the agents' HTTP endpoints, and its inter/fall/rise satisfy the load-balancer timing rule
// (docs/design-notes.md, "Load balancers: the timing rule") for the example's agent timings, in
// both backends. The numbers asserted here are the ones the design notes quote.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backendChecks, readShippedConfig, type BackendChecks } from './haproxy-config.js';
import { crashGapMs, LbCase, lbTimingRule } from './lb-timing.js';
import { EXAMPLE_IDS, exampleNode } from './example-cluster.js';

const shipped = backendChecks(readShippedConfig());
const backend = (name: string): BackendChecks => {
  const b = shipped.find((x) => x.name === name);
  assert.ok(b, `haproxy.cfg has a backend "${name}"`);
  return b;
};
const margins = (b: BackendChecks, agent: { heartbeatMs: number; electionTimeoutMs: number }) =>
  Object.fromEntries(lbTimingRule(b, agent).map((r) => [r.case, [r.downWithinMs, r.upNotBeforeMs]]));

describe('cluster-examples/haproxy.cfg in front of cluster-examples/three-node', () => {
  test("every server is checked at its node's agent HTTP address (--http of the example)", () => {
    for (const b of [backend('primary'), backend('replicas')]) {
      assert.deepEqual(
        b.servers.map((s) => s.name),
        [...EXAMPLE_IDS],
        `${b.name}: one server per example node`,
      );
      for (const s of b.servers) {
        assert.equal(`${s.checkHost}:${s.checkPort}`, exampleNode(s.name).http, `${b.name}/${s.name} checks the agent of ${s.name}`);
      }
    }
  });

  test("the primary pool follows /primary and cuts a departed node's sessions; the replica pool follows /replica", () => {
    assert.equal(backend('primary').httpCheck, 'GET /primary');
    assert.equal(backend('primary').shutdownSessionsOnDown, true);
    assert.equal(backend('replicas').httpCheck, 'GET /replica');
  });

  test('both pools check alike, so a node moving between them leaves one before it joins the other', () => {
    const pick = ({ interMs, fastinterMs, fall, rise, timeoutCheckMs }: BackendChecks) => ({
      interMs,
      fastinterMs,
      fall,
      rise,
      timeoutCheckMs,
    });
    assert.deepEqual(pick(backend('replicas')), pick(backend('primary')));
  });

  test("the timing rule holds for the example's agent timings (= the defaults, heartbeat 50 ms, election 300 ms)", () => {
    const agents = EXAMPLE_IDS.map(exampleNode);
    for (const a of agents)
      assert.deepEqual([a.heartbeatMs, a.electionTimeoutMs], [50, 300], `${a.id}: the timings the design notes quote`);
    assert.equal(crashGapMs(agents[0]), 240);
    for (const b of [backend('primary'), backend('replicas')]) {
      for (const r of lbTimingRule(b, agents[0]))
        assert.ok(r.marginMs > 0, `${b.name}, ${r.case}: marked down within ${r.downWithinMs} ms, up not before ${r.upNotBeforeMs} ms`);
      // The numbers in docs/design-notes.md.
      assert.deepEqual(margins(b, agents[0]), { [LbCase.Demotion]: [100, 200], [LbCase.Crash]: [100, 440], [LbCase.Pause]: [300, 440] });
    }
  });

  test('tuned agent timings (heartbeat 10 ms, election 100 ms) need timeout check 40ms for a paused agent, as documented', () => {
    const tuned = { heartbeatMs: 10, electionTimeoutMs: 100 };
    assert.equal(crashGapMs(tuned), 85);
    const asShipped = lbTimingRule(backend('primary'), tuned).find((r) => r.case === LbCase.Pause)!;
    assert.deepEqual(
      [asShipped.downWithinMs, asShipped.upNotBeforeMs],
      [300, 285],
      'the shipped timeout check is too long for the tuned timings',
    );
    const fixed = { ...backend('primary'), timeoutCheckMs: 40 };
    assert.deepEqual(margins(fixed, tuned), { [LbCase.Demotion]: [100, 200], [LbCase.Crash]: [100, 285], [LbCase.Pause]: [180, 285] });
  });

  test('the rule rejects the config shipped before issue 18 (inter 200ms fall 2 rise 1): a switchover would put two nodes in the pool', () => {
    const old = { ...backend('primary'), interMs: 200, fastinterMs: 200, downinterMs: 200, fall: 2, rise: 1, timeoutCheckMs: 200 };
    const demotion = lbTimingRule(old, { heartbeatMs: 50, electionTimeoutMs: 300 }).find((r) => r.case === LbCase.Demotion)!;
    assert.ok(demotion.marginMs < 0, `demotion: down within ${demotion.downWithinMs} ms, up from ${demotion.upNotBeforeMs} ms`);
  });
});
