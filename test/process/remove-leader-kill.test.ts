// Issue 19 with real processes: `members remove <leader>` and kill -9 of that leader at once —
// before the removal reaches anyone, while it is in flight, or just after it committed, when the
// others may not know it yet. Every round the two survivors must have a leader and commit a
// write within the bound; then the dead node is removed (if its removal did not survive) and a
// fresh node joins as a voter, so the next round starts again from three voters.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFoundError } from '../../src/errors.js';
import { leadersPerTermViolations, ProcessCluster, waitFor } from './process-cluster.js';

const ELECTION_TIMEOUT_MS = 300;
/** As the simulator's liveness bound: 10 × the longest election timeout (2E). */
const BOUND_MS = 10 * 2 * ELECTION_TIMEOUT_MS;
/** How long after sending the removal the leader is killed (ms): the stage the change is at. */
const KILL_AFTER_MS = [0, 10, 40];
const SPARES = ['n4', 'n5', 'n6'];

describe('3 agents: members remove <leader>, then kill -9 of it at once, repeated', { concurrency: false }, () => {
  let c: ProcessCluster;
  before(async () => {
    c = await ProcessCluster.start({ size: 3, spareIds: SPARES, electionTimeoutMs: ELECTION_TIMEOUT_MS });
    c.startObserving();
  });
  after(() => c?.close());

  const recoveries: number[] = [];

  KILL_AFTER_MS.forEach((killAfterMs, round) => {
    test(`round ${round + 1}: kill -9 ${killAfterMs} ms after the removal was sent; a leader with a committed write within ${BOUND_MS} ms`, async (t) => {
      const t0 = performance.now();
      const { leader } = await c.waitForLeader();
      const survivors = c.running().filter((id) => id !== leader);
      const asker = c.connect([leader], 2000);
      // Its answer does not matter (the leader may die first); only what the survivors do.
      const removal = asker.members.remove(leader).then(
        () => 'committed',
        (err: unknown) => `failed: ${String(err)}`,
      );
      // The fault's timing, not a synchronization: the kill lands at a chosen stage of the change.
      if (killAfterMs > 0) await new Promise((r) => setTimeout(r, killAfterMs));
      await c.kill9(leader);
      const killedAt = performance.now();

      const writer = c.connect(survivors, 1000);
      try {
        await waitFor(
          `a leader among ${survivors.join(', ')} with a committed write`,
          async () => {
            try {
              await writer.kv.put(`round/${round}`, leader);
              return true;
            } catch {
              return undefined;
            }
          },
          BOUND_MS,
        );
      } finally {
        writer.close();
      }
      const took = performance.now() - killedAt;
      const t1 = performance.now();
      recoveries.push(took);
      asker.close();
      const answer = await removal;

      // Back to three voters: the dead node out (a no-op if its removal survived), a fresh one in.
      const admin = c.connect(survivors);
      try {
        await admin.members.remove(leader).catch((err: unknown) => {
          if (!(err instanceof NotFoundError)) throw err;
        });
        const fresh = SPARES[round];
        await admin.members.add(fresh, c.node(fresh).address);
        c.start(fresh, c.agentArgs(fresh, { join: c.node(survivors[0]).address }));
        await waitFor(`${fresh} to follow as a voter`, async () => ProcessCluster.roleOf(await c.status(fresh)) === 'follower', 15_000);
        const members = await admin.members.list();
        assert.deepEqual(members.map((m) => m.id).sort(), [...survivors, fresh].sort(), `removal answer: ${answer}`);
      } finally {
        admin.close();
      }
      t.diagnostic(
        `leader wait + kill ${(killedAt - t0).toFixed(0)} ms, recovery ${took.toFixed(0)} ms, re-add ${(performance.now() - t1).toFixed(0)} ms`,
      );
      assert.ok(took < BOUND_MS, `recovery took ${took.toFixed(0)} ms`);
    });
  });

  test('§5.2 at most one leader per term was observed throughout', async (t) => {
    await c.stopObserving();
    t.diagnostic(`recovery after kill -9 (ms): ${recoveries.map((x) => x.toFixed(0)).join(', ')}`);
    assert.deepEqual(leadersPerTermViolations(c.observations), []);
  });
});
