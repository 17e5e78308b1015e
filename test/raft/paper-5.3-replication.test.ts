// §5.3 of the Raft paper: log replication (plus the §8 no-op a new leader appends).
// Model: etcd-io/raft raft_paper_test.go. Each test is named by the sentence it checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppendEntries, AppendEntriesResponse, Message } from '../../src/raft/messages.js';
import { EntryType, type Entry, type NodeId } from '../../src/raft/types.js';
import { drain, entry, Harness, makeLeader, newTestRaft, storageWithLog } from './harness.js';
import type { Raft } from '../../src/raft/raft.js';

const ABC = ['a', 'b', 'c'];
const text = (s: string) => new TextEncoder().encode(s);

function terms(r: Raft): number[] {
  return r.raftLog.allEntries().map((e) => e.term);
}

function ack(from: NodeId, to: NodeId, term: number, index: number): AppendEntriesResponse {
  return { type: 'appendEntriesResponse', from, to, term, index, reject: false, rejectHint: 0, hintTerm: 0 };
}

function append(from: NodeId, to: NodeId, term: number, prevIndex: number, prevTerm: number, entries: Entry[], commit = 0): AppendEntries {
  return { type: 'appendEntries', from, to, term, prevIndex, prevTerm, entries, commit };
}

describe('§5.3 log replication: the leader', () => {
  test('§8: each leader commits a blank no-op entry into the log at the start of its term', () => {
    const r = newTestRaft('a', ABC, { storage: storageWithLog(ABC, [1, 1], { term: 1 }) });
    makeLeader(r);
    const last = r.raftLog.allEntries().at(-1)!;
    assert.deepEqual([last.index, last.term, last.type, last.data.length], [3, 2, EntryType.Normal, 0]);
    // ...and sends it to everyone at once, probing from its own last index.
    assert.deepEqual(
      drain(r)
        .filter((m) => m.type === 'appendEntries')
        .map((m) => m.type === 'appendEntries' && [m.to, m.prevIndex, m.prevTerm, m.entries.map((e) => e.index)]),
      [
        ['b', 2, 1, [3]],
        ['c', 2, 1, [3]],
      ],
    );
  });

  test('§5.3: the leader appends the command to its log as a new entry, then issues AppendEntries RPCs in parallel to each of the other servers to replicate the entry', () => {
    const r = newTestRaft('a', ABC);
    makeLeader(r);
    r.step(ack('b', 'a', 1, 1));
    r.step(ack('c', 'a', 1, 1));
    drain(r);
    r.propose(text('x'));
    const last = r.raftLog.allEntries().at(-1)!;
    assert.deepEqual([last.index, last.term, new TextDecoder().decode(last.data)], [2, 1, 'x']);
    assert.equal(r.raftLog.committed, 1, 'not committed before a majority has it');
    assert.deepEqual(
      drain(r).map((m) => m.type === 'appendEntries' && [m.to, m.term, m.prevIndex, m.prevTerm, m.entries.map((e) => e.index), m.commit]),
      [
        ['b', 1, 1, 1, [2], 1],
        ['c', 1, 1, 1, [2], 1],
      ],
    );
  });

  test('§5.3: commands proposed together (proposeMany) become consecutive entries sent in one AppendEntries RPC to each server', () => {
    const r = newTestRaft('a', ABC);
    makeLeader(r);
    r.step(ack('b', 'a', 1, 1));
    r.step(ack('c', 'a', 1, 1));
    drain(r);
    r.proposeMany([text('x'), text('y'), text('z')]);
    assert.deepEqual(
      r.raftLog
        .allEntries()
        .slice(-3)
        .map((e) => [e.index, e.term, new TextDecoder().decode(e.data)]),
      [
        [2, 1, 'x'],
        [3, 1, 'y'],
        [4, 1, 'z'],
      ],
    );
    assert.deepEqual(
      drain(r).map((m) => m.type === 'appendEntries' && [m.to, m.prevIndex, m.entries.map((e) => e.index)]),
      [
        ['b', 1, [2, 3, 4]],
        ['c', 1, [2, 3, 4]],
      ],
    );
  });

  test('a follower forwards commands proposed together in one message to its leader', () => {
    const r = newTestRaft('b', ABC);
    r.step(append('a', 'b', 1, 0, 0, [], 0));
    drain(r);
    r.proposeMany([text('x'), text('y')]);
    assert.deepEqual(
      drain(r).map((m) => m.type === 'propose' && [m.to, m.entries.map((e) => new TextDecoder().decode(e.data))]),
      [['a', ['x', 'y']]],
    );
  });

  test('a batch larger than one message goes to each follower at once, in as many appends as the window allows', () => {
    const r = newTestRaft('a', ABC);
    makeLeader(r);
    r.step(ack('b', 'a', 1, 1));
    r.step(ack('c', 'a', 1, 1));
    drain(r);
    const big = () => new Uint8Array(Math.ceil(r.maxSizePerMsg * 0.6));
    r.proposeMany([big(), big(), big()]);
    assert.deepEqual(
      drain(r).map((m) => m.type === 'appendEntries' && [m.to, m.prevIndex, m.entries.map((e) => e.index)]),
      [
        ['b', 1, [2]],
        ['b', 2, [3]],
        ['b', 3, [4]],
        ['c', 1, [2]],
        ['c', 2, [3]],
        ['c', 3, [4]],
      ],
    );
  });

  test('a follower forwards a batch larger than one message in messages of at most maxSizePerMsg, in order', () => {
    const r = newTestRaft('b', ABC);
    r.step(append('a', 'b', 1, 0, 0, [], 0));
    drain(r);
    const sized = (n: number, tag: number) => new Uint8Array(n).fill(tag);
    const third = Math.floor(r.maxSizePerMsg / 3);
    r.proposeMany([sized(third, 1), sized(third, 2), sized(third, 3), sized(r.maxSizePerMsg * 2, 4), sized(10, 5)]);
    const sent = drain(r).map((m) => (m.type === 'propose' ? m.entries.map((e) => [e.data[0], e.data.length]) : m.type));
    assert.deepEqual(sent, [
      [
        [1, third],
        [2, third],
      ],
      [[3, third]],
      [[4, r.maxSizePerMsg * 2]],
      [[5, 10]],
    ]);
  });

  describe('§5.3: a log entry is committed once the leader that created the entry has replicated it on a majority of the servers', () => {
    const cases: { size: number; acks: string[]; committed: boolean }[] = [
      { size: 1, acks: [], committed: true },
      { size: 3, acks: [], committed: false },
      { size: 3, acks: ['n2'], committed: true },
      { size: 3, acks: ['n2', 'n3'], committed: true },
      { size: 4, acks: ['n2'], committed: false },
      { size: 4, acks: ['n2', 'n3'], committed: true },
      { size: 5, acks: ['n2'], committed: false },
      { size: 5, acks: ['n2', 'n3'], committed: true },
      { size: 5, acks: ['n2', 'n3', 'n4', 'n5'], committed: true },
    ];
    for (const c of cases) {
      test(`${c.size} voters, acked by leader+[${c.acks.join(',')}]: ${c.committed ? 'committed' : 'not committed'}`, () => {
        const ids = Array.from({ length: c.size }, (_, i) => `n${i + 1}`);
        const r = newTestRaft('n1', ids);
        makeLeader(r);
        r.propose(text('x'));
        for (const id of c.acks) r.step(ack(id, 'n1', 1, 2));
        assert.equal(r.raftLog.committed, c.committed ? 2 : 0);
      });
    }
  });

  test("§5.3: committing an entry also commits all preceding entries in the leader's log", () => {
    const r = newTestRaft('a', ABC);
    makeLeader(r);
    for (const s of ['x', 'y', 'z']) r.propose(text(s));
    r.step(ack('b', 'a', 1, 4));
    assert.equal(r.raftLog.committed, 4);
    assert.deepEqual(
      r.raftLog.nextCommittedEntries().map((e) => e.index),
      [1, 2, 3, 4],
    );
  });

  test('§5.3: the leader keeps track of the highest index it knows to be committed, and includes that index in future AppendEntries RPCs (including heartbeats)', () => {
    const r = newTestRaft('a', ABC);
    makeLeader(r);
    r.step(ack('b', 'a', 1, 1));
    r.step(ack('c', 'a', 1, 1));
    r.propose(text('x'));
    drain(r);
    r.step(ack('b', 'a', 1, 2));
    assert.equal(r.raftLog.committed, 2);
    // The commit advanced to 2, but no append goes out just to say so: the next append carries
    // it, or the next tick (one tick of delay for followers' applied state, none for the client).
    assert.deepEqual(
      drain(r).filter((m) => m.type === 'appendEntries'),
      [],
      'no commit-only append at once',
    );
    r.tick();
    const msgs = drain(r);
    const toC = msgs.filter((m): m is AppendEntries => m.type === 'appendEntries' && m.to === 'c');
    assert.equal(toC.length, 1, 'the tick tells c, which had not heard of commit 2');
    assert.equal(toC[0].commit, 2);
    const toldB = msgs.some((m) => m.to === 'b' && (m.type === 'appendEntries' || m.type === 'heartbeat') && m.commit === 2);
    assert.ok(toldB, 'b is told too (by an append, or by a heartbeat due at this tick)');
    r.tick();
    assert.deepEqual(
      drain(r).filter((m) => m.type === 'appendEntries'),
      [],
      'told once, not at every tick',
    );
    r.propose(text('y'));
    assert.ok(
      drain(r).every((m) => m.type !== 'appendEntries' || m.commit === 2),
      'every later append carries the commit index',
    );
    for (let i = 0; i < r.heartbeatTick; i++) r.tick();
    const beats = drain(r).filter((m) => m.type === 'heartbeat');
    // A heartbeat never asks a follower to commit beyond what it is known to have.
    assert.deepEqual(
      beats.map((m) => m.type === 'heartbeat' && [m.to, m.commit]),
      [
        ['b', 2],
        ['c', 1],
      ],
    );
  });
});

describe('§5.3 log replication: the follower', () => {
  test('§5.3: once a follower learns that a log entry is committed, it applies the entry to its local state machine (in log order)', () => {
    const h = new Harness(ABC);
    h.elect('a');
    for (const s of ['x', 'y', 'z']) h.propose('a', s);
    for (const id of ABC) {
      assert.deepEqual(h.appliedTexts(id), ['x', 'y', 'z'], id);
      assert.equal(h.raft(id).raftLog.committed, 4);
    }
  });

  test('§5.3: a follower learns the commit index from a heartbeat', () => {
    const r = newTestRaft('a', ABC, { storage: storageWithLog(ABC, [1, 1, 1], { term: 1 }) });
    r.step({ type: 'heartbeat', from: 'b', to: 'a', term: 1, commit: 2, round: 1 });
    assert.equal(r.raftLog.committed, 2);
    assert.equal(r.lead, 'b');
  });

  describe('§5.3: if the follower does not find an entry in its log with the same index and term, then it refuses the new entries', () => {
    // Follower log: 1@1 2@2, commit 1.
    const cases: { prev: [number, number]; reject: boolean; index: number; hint?: [number, number] }[] = [
      { prev: [0, 0], reject: false, index: 1 }, // below commit: answered with what is known to match
      { prev: [1, 1], reject: false, index: 1 },
      { prev: [2, 2], reject: false, index: 2 },
      { prev: [2, 1], reject: true, index: 2, hint: [1, 1] }, // term mismatch at 2
      { prev: [3, 2], reject: true, index: 3, hint: [2, 2] }, // missing entry
      { prev: [3, 3], reject: true, index: 3, hint: [2, 2] },
    ];
    for (const c of cases) {
      test(`prev ${c.prev[0]}@${c.prev[1]}: ${c.reject ? 'reject' : 'accept'}`, () => {
        const r = newTestRaft('a', ABC, { storage: storageWithLog(ABC, [1, 2], { term: 2, commit: 1 }) });
        r.step(append('b', 'a', 2, c.prev[0], c.prev[1], []));
        const [resp] = drain(r);
        assert.ok(resp?.type === 'appendEntriesResponse');
        assert.equal(resp.reject, c.reject);
        assert.equal(resp.index, c.index);
        if (c.hint) assert.deepEqual([resp.rejectHint, resp.hintTerm], c.hint);
        assert.deepEqual(terms(r), [1, 2], 'the log is untouched');
      });
    }
  });

  describe('§5.3: if an existing entry conflicts with a new one (same index but different terms), delete the existing entry and all that follow it; append any new entries not already in the log', () => {
    // Follower log: 1@1 2@2.
    const cases: { name: string; prev: [number, number]; ents: Entry[]; want: number[] }[] = [
      { name: 'new entry after the last', prev: [2, 2], ents: [entry(3, 3)], want: [1, 2, 3] },
      { name: 'conflict at 2 replaces it and appends', prev: [1, 1], ents: [entry(2, 3), entry(3, 4)], want: [1, 3, 4] },
      { name: 'matching prefix is kept (no truncation)', prev: [0, 0], ents: [entry(1, 1)], want: [1, 2] },
      { name: 'conflict at 1 replaces everything', prev: [0, 0], ents: [entry(1, 3)], want: [3] },
    ];
    for (const c of cases) {
      test(c.name, () => {
        const r = newTestRaft('a', ABC, { storage: storageWithLog(ABC, [1, 2], { term: 2 }) });
        r.step(append('b', 'a', 4, c.prev[0], c.prev[1], c.ents));
        assert.deepEqual(terms(r), c.want);
        const [resp] = drain(r);
        assert.ok(resp?.type === 'appendEntriesResponse' && !resp.reject);
        assert.equal(resp.index, c.prev[0] + c.ents.length, 'acks exactly what the append covered');
      });
    }
  });

  test('§5.3: a stale, reordered append never truncates entries that a newer one added', () => {
    const r = newTestRaft('a', ABC, { storage: storageWithLog(ABC, [1, 1, 1], { term: 1 }) });
    r.step(append('b', 'a', 1, 0, 0, [entry(1, 1), entry(2, 1)]));
    assert.deepEqual(terms(r), [1, 1, 1]);
    const [resp] = drain(r);
    assert.ok(resp?.type === 'appendEntriesResponse' && !resp.reject && resp.index === 2);
  });
});

describe('§5.3: when an AppendEntries consistency check fails, the leader decrements nextIndex and retries; eventually the logs match', () => {
  // Figure 7: the leader for term 8 and the possible followers (a)–(f).
  const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  const followers: Record<string, number[]> = {
    a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
    b: [1, 1, 1, 4],
    c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
    d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
    e: [1, 1, 1, 4, 4, 4, 4],
    f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
  };
  for (const [name, log] of Object.entries(followers)) {
    test(`Figure 7 (${name}): the follower's log ends up equal to the leader's`, () => {
      const ids = ['lead', 'fol', 'third'];
      const h = new Harness(ids, { preVote: false });
      h.restart('lead', storageWithLog(ids, leaderLog, { term: 7 }));
      h.restart('third', storageWithLog(ids, leaderLog, { term: 7 }));
      h.restart('fol', storageWithLog(ids, log, { term: 7 }));
      h.elect('lead');
      assert.equal(h.raft('lead').term, 8);
      const want = [...leaderLog, 8];
      assert.deepEqual(terms(h.raft('fol')), want);
      assert.equal(h.raft('fol').raftLog.committed, 11);
      // Fast back-off (§5.3, "the follower can include the term of the conflicting entry"):
      // one rejection per conflicting term at most, not one per entry.
      const rejections = h.delivered.filter((m: Message) => m.type === 'appendEntriesResponse' && m.from === 'fol' && m.reject);
      assert.ok(rejections.length <= 2, `${rejections.length} rejections`);
    });
  }

  test('§5.3: a leader never overwrites or deletes entries in its own log (Leader Append-Only)', () => {
    const ids = ['lead', 'fol', 'third'];
    const h = new Harness(ids, { preVote: false });
    h.restart('lead', storageWithLog(ids, [1, 1, 1, 4], { term: 7 }));
    h.restart('third', storageWithLog(ids, [1, 1], { term: 7 }));
    h.restart('fol', storageWithLog(ids, [1, 1, 1, 4, 4, 4, 4], { term: 7 }));
    h.cutLink('fol', 'lead'); // the longer follower's rejection of our vote must not matter
    h.elect('lead');
    h.heal();
    h.tick('lead'); // the heartbeat response un-pauses the probe whose answer was lost
    h.propose('lead', 'x');
    assert.deepEqual(terms(h.raft('lead')), [1, 1, 1, 4, 8, 8]);
    assert.deepEqual(terms(h.raft('fol')), [1, 1, 1, 4, 8, 8], "the follower's extra entries were replaced");
  });
});
