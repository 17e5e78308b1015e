// Writes that reach the leader while its Ready loop is busy enter the core together before the
// next Ready (src/server/proposal-queue.ts): a follower then receives one append for many writes,
// not one per write. Checked on the followers' received-message counters.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../src/index.js';
import { startCluster, waitUntil, type TestCluster } from './helpers.js';

let c: TestCluster;
before(async () => {
  // A long heartbeat, so that nearly every message a follower receives during the writes is an append.
  c = await startCluster(3, { heartbeatMs: 200, electionTimeoutMs: 2000 });
});
after(async () => {
  await c.close();
});

async function received(httpAddress: string): Promise<number> {
  const text = await (await fetch(`http://${httpAddress}/metrics`)).text();
  const m = /^palisade_transport_received_total (\d+)$/m.exec(text);
  assert.ok(m, 'palisade_transport_received_total in /metrics');
  return Number(m[1]);
}

test('writes arriving while the leader is busy reach each follower in shared appends, not one append per write', async () => {
  const leader = await c.leader();
  const followers = [...c.nodes.values()].filter((n) => n.id !== leader.id);
  const client = connect([leader.address], { timeoutMs: 10_000 });
  try {
    await client.kv.put('warm', 'up');
    // Every member has applied the warm-up write: nothing from it is still on its way.
    await waitUntil('the warm-up applied everywhere', () =>
      [...c.nodes.values()].every((n) => n.status().appliedIndex >= leader.status().appliedIndex),
    );
    const before = await Promise.all(followers.map((f) => received(f.httpAddress!)));
    // 64 writers, each writing again as soon as its write is answered (as bench:kv's load does).
    const writers = 64;
    const each = 8;
    const writer = async (w: number) => {
      for (let k = 0; k < each; k++) await client.kv.put(`batch/${w}/${k}`, 'v');
    };
    await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
    const after = await Promise.all(followers.map((f) => received(f.httpAddress!)));
    const writes = writers * each;
    // Without the queue: one append per write (and the odd heartbeat), more than `writes`.
    followers.forEach((f, i) => {
      const messages = after[i] - before[i];
      assert.ok(messages <= writes * 0.75, `${f.id} received ${messages} messages for ${writes} writes`);
    });
  } finally {
    client.close();
  }
});
