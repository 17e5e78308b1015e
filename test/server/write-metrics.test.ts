// palisade_proposals_total and palisade_proposals_failed_total (src/server/metrics.ts) count each
// write once: proposed when the core takes it, failed when its writer hears a refusal or a
// timeout. A write queued while the Ready loop is busy (proposal-queue.ts) is not proposed yet:
// if the core refuses it at the flush, it only failed. Counted as proposed when queued, it was
// counted as proposed and as failed, though the core never had it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { StateType } from '../../src/raft/types.js';
import { StoreQuota } from '../../src/server/store-quota.js';
import { WritePath } from '../../src/server/write-path.js';
import { tempDir, waitUntil } from './helpers.js';
import { ELECTION_TICK, electedN1, hostRuntime } from './host-runtime.js';

const dir = tempDir();
after(() => dir.remove());

test('a write queued while the loop is busy and refused at the flush counts as failed, never as proposed', async () => {
  const rt = await hostRuntime(dir.path, 'n1');
  const { raw, host, waiters, guard, fatal, close } = rt;
  const writes = new WritePath(host, waiters, guard, new StoreQuota(2 ** 30));
  const outcomes: string[] = [];
  const write = (key: string) =>
    writes.write({ type: 'put', key, value: 'v' }).then(
      () => outcomes.push(`${key}: ok`),
      (err: unknown) => outcomes.push(`${key}: ${(err as Error).name}`),
    );
  try {
    await electedN1(rt, ELECTION_TICK);
    await waitUntil('the loop is idle after the election', () => !host.loop.busy, 5000, 2);
    const { proposals, proposalsFailed } = host.metrics;
    const first = write('first'); // proposed at once: the loop starts on it
    assert.ok(host.loop.busy, 'the loop is handling the first write');
    const queued = write('queued');
    assert.equal(host.metrics.proposals, proposals + 1, 'the queued write is not proposed yet');
    // A candidate of a higher term (a transfer's campaign, which stickiness does not hold off):
    // n1 follows it, knowing no leader, before the loop flushes the queue.
    const { term, lastIndex } = raw.status();
    host.step({
      type: 'requestVote',
      from: 'n2',
      to: 'n1',
      term: term + 1,
      preVote: false,
      lastIndex: lastIndex + 10,
      lastTerm: term,
      transfer: true,
    });
    assert.equal(raw.basicStatus().state, StateType.Follower);
    await queued;
    assert.deepEqual(outcomes, ['queued: NoLeaderError'], 'the core refused the queued write at the flush');
    assert.equal(host.metrics.proposals, proposals + 1, 'only the first write was proposed');
    assert.equal(host.metrics.proposalsFailed, proposalsFailed + 1);
    // The first write was proposed and now cannot be answered here: it fails once, when its writer hears it.
    host.failPending(new Error('node stopping'));
    await first;
    assert.equal(host.metrics.proposals, proposals + 1);
    assert.equal(host.metrics.proposalsFailed, proposalsFailed + 2);
    assert.deepEqual(fatal, []);
  } finally {
    await close();
  }
});
