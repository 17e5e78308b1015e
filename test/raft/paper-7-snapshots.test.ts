// §7 of the Raft paper: log compaction and InstallSnapshot.
// Each test is named by the sentence of the paper it checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstallSnapshot } from '../../src/raft/messages.js';
import { ConfChangeType, StateType, type Snapshot } from '../../src/raft/types.js';
import { drain, Harness, newTestRaft, storageWithLog } from './harness.js';

const ABC = ['a', 'b', 'c'];
const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const decode = (d: Uint8Array) => JSON.parse(new TextDecoder().decode(d)) as string[];

/** Snapshot the leader's state machine (its applied texts) at its applied index and drop the log before it. */
function compactLeader(h: Harness, id: string): number {
  const hn = h.get(id);
  const r = hn.core;
  const index = r.raftLog.applied;
  hn.storage.createSnapshot(index, hn.node.confState(), encode(h.appliedTexts(id)));
  hn.storage.compact(index);
  return index;
}

/** What a follower's state machine holds: the snapshot it restored, then entries applied after it. */
function stateOf(h: Harness, id: string): string[] {
  const hn = h.get(id);
  const snap = hn.snapshotsApplied.at(-1);
  const base = snap ? decode(snap.data) : [];
  const after = hn.applied.filter((e) => !snap || e.index > snap.metadata.index);
  const texts = after.filter((e) => e.type === 'normal' && e.data.length > 0).map((e) => new TextDecoder().decode(e.data));
  return [...base, ...texts];
}

function snapshotMsg(index: number, term: number, voters = ABC, msgTerm = term): InstallSnapshot {
  const snapshot: Snapshot = { metadata: { index, term, confState: { voters, learners: [] } }, data: encode(['s']) };
  return { type: 'installSnapshot', from: 'b', to: 'a', term: msgTerm, snapshot };
}

describe('§7 log compaction', () => {
  test('§7: the leader uses InstallSnapshot to send snapshots to followers that lag too far behind (it has already discarded the next log entry that it needs to send)', () => {
    const h = new Harness(ABC);
    h.elect('a');
    h.isolate('c');
    for (const s of ['x', 'y', 'z']) h.propose('a', s);
    const index = compactLeader(h, 'a');
    assert.equal(h.raft('a').raftLog.firstIndex(), index + 1);
    h.heal();
    h.tickAll(1);
    const snaps = h.delivered.filter((m): m is InstallSnapshot => m.type === 'installSnapshot');
    assert.deepEqual(
      snaps.map((m) => [m.from, m.to, m.snapshot.metadata.index]),
      [['a', 'c', index]],
    );
    assert.equal(h.get('c').snapshotsApplied.length, 1);
    assert.deepEqual(stateOf(h, 'c'), ['x', 'y', 'z']);
    assert.equal(h.raft('c').raftLog.committed, index);
  });

  test('§7: after restoring the snapshot, the follower replicates subsequent entries normally', () => {
    const h = new Harness(ABC);
    h.elect('a');
    h.isolate('c');
    for (const s of ['x', 'y']) h.propose('a', s);
    compactLeader(h, 'a');
    h.heal();
    h.tickAll(1);
    h.propose('a', 'z');
    h.propose('a', 'w');
    assert.deepEqual(stateOf(h, 'c'), ['x', 'y', 'z', 'w']);
    assert.equal(h.get('a').node.status().progress?.get('c')?.state, 'replicate');
    assert.equal(h.get('c').snapshotsApplied.length, 1, 'one snapshot, then plain appends');
    // And it can lead from its restored log.
    h.transferLeadership('a', 'c');
    assert.equal(h.leader(), 'c');
    h.propose('c', 'v');
    assert.deepEqual(h.appliedTexts('b').slice(-1), ['v']);
  });

  test('§7: a new server with an empty log is brought up to date with a snapshot, which also carries the configuration', () => {
    const h = new Harness(ABC);
    h.elect('a');
    for (const s of ['x', 'y']) h.propose('a', s);
    compactLeader(h, 'a');
    h.addEmptyNode('d');
    h.proposeConfChange('a', { type: ConfChangeType.AddVoter, nodeId: 'd' });
    h.propose('a', 'z');
    assert.deepEqual(stateOf(h, 'd'), ['x', 'y', 'z']);
    assert.deepEqual(h.get('d').node.confState(), { voters: ['a', 'b', 'c', 'd'], learners: [] });
  });

  test('§7: upon receiving a snapshot that is newer than its log, the follower discards its entire log and takes the snapshot', () => {
    const r = newTestRaft('a', ABC, { storage: storageWithLog(ABC, [1, 1, 2], { term: 2, commit: 1 }) });
    r.step(snapshotMsg(11, 3, ['a', 'b', 'c', 'd']));
    assert.equal(r.raftLog.hasPendingSnapshot(), true);
    assert.equal(r.raftLog.lastIndex(), 11);
    assert.equal(r.raftLog.committed, 11);
    assert.equal(r.raftLog.term(11), 3);
    assert.deepEqual(r.confState(), { voters: ['a', 'b', 'c', 'd'], learners: [] }, 'the snapshot carries the configuration');
    const [resp] = drain(r);
    assert.ok(resp?.type === 'appendEntriesResponse' && !resp.reject && resp.index === 11);
    assert.equal(r.state, StateType.Follower);
    assert.equal(r.lead, 'b');
  });

  test('§7: if the follower receives a snapshot that describes a prefix of its log, entries following the snapshot are retained', () => {
    const r = newTestRaft('a', ABC, { storage: storageWithLog(ABC, [1, 1, 2, 2, 2], { term: 2, commit: 1 }) });
    r.step(snapshotMsg(3, 2));
    assert.equal(r.raftLog.hasPendingSnapshot(), false, 'nothing to restore');
    assert.equal(r.raftLog.lastIndex(), 5);
    assert.equal(r.raftLog.committed, 3, 'but the snapshot proves 3 is committed');
    const [resp] = drain(r);
    assert.ok(resp?.type === 'appendEntriesResponse' && !resp.reject);
    assert.equal(resp.index, 3);
  });

  test('§7: a snapshot older than what the follower has already committed is ignored', () => {
    const r = newTestRaft('a', ABC, { storage: storageWithLog(ABC, [1, 1, 2, 2, 2], { term: 2, commit: 4 }) });
    r.step(snapshotMsg(3, 2));
    r.step(snapshotMsg(4, 1, ABC, 2)); // even a conflicting one: index 4 is committed here
    assert.equal(r.raftLog.hasPendingSnapshot(), false);
    assert.equal(r.raftLog.lastIndex(), 5);
    assert.equal(r.raftLog.committed, 4);
    assert.deepEqual(
      r.raftLog.allEntries().map((e) => e.term),
      [1, 1, 2, 2, 2],
    );
    // The answer tells the leader where the follower really is.
    assert.deepEqual(
      drain(r).map((m) => m.type === 'appendEntriesResponse' && [m.reject, m.index]),
      [
        [false, 4],
        [false, 4],
      ],
    );
  });
});
