// §5.4 of the Raft paper: safety — the election restriction (§5.4.1), committing entries
// from previous terms (§5.4.2, Figure 8) and Leader Completeness (§5.4.3).
// Model: etcd-io/raft raft_paper_test.go. Each test is named by the sentence it checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AppendEntriesResponse, Message } from '../../src/raft/messages.js';
import type { Ready } from '../../src/raft/ready.js';
import { StateType, type NodeId } from '../../src/raft/types.js';
import { drain, Harness, makeLeader, newTestRaft, storageWithLog } from './harness.js';

const ABC = ['a', 'b', 'c'];

function ack(from: NodeId, to: NodeId, term: number, index: number): AppendEntriesResponse {
  return { type: 'appendEntriesResponse', from, to, term, index, reject: false, rejectHint: 0, hintTerm: 0 };
}

describe('§5.4.1 election restriction', () => {
  // "Raft determines which of two logs is more up-to-date by comparing the index and term of
  // the last entries in the logs. If the logs have last entries with different terms, then
  // the log with the later term is more up-to-date. If the logs end with the same term, then
  // whichever log is longer is more up-to-date."
  const cases: { voter: number[]; cand: [number, number]; grant: boolean }[] = [
    { voter: [1], cand: [1, 1], grant: true }, // same last term, same length
    { voter: [1], cand: [2, 1], grant: true }, // same last term, candidate longer
    { voter: [1, 1], cand: [1, 1], grant: false }, // same last term, candidate shorter
    { voter: [1, 1], cand: [1, 2], grant: true }, // later last term wins even when shorter
    { voter: [2], cand: [1, 1], grant: false }, // earlier last term
    { voter: [2], cand: [2, 1], grant: false }, // earlier last term, even when longer
    { voter: [2], cand: [1, 2], grant: true },
    { voter: [1, 2], cand: [5, 1], grant: false },
  ];
  for (const c of cases) {
    test(`§5.4.1: the voter denies its vote if its own log is more up-to-date than that of the candidate (voter ${c.voter.join(',')}, candidate last ${c.cand[0]}@${c.cand[1]}: ${c.grant ? 'grant' : 'deny'})`, () => {
      const r = newTestRaft('a', ABC, { storage: storageWithLog(ABC, c.voter, { term: 2 }) });
      r.step({
        type: 'requestVote',
        from: 'b',
        to: 'a',
        term: 3,
        preVote: false,
        lastIndex: c.cand[0],
        lastTerm: c.cand[1],
        transfer: false,
      });
      const [resp] = drain(r);
      assert.ok(resp?.type === 'requestVoteResponse');
      assert.equal(resp.reject, !c.grant);
      assert.equal(r.term, 3, 'the term is learned either way');
      assert.equal(r.vote, c.grant ? 'b' : '');
    });
  }

  test('§5.4.1: a candidate must contact a majority of the cluster in order to be elected, which means that every committed entry must be present in at least one of those servers', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const h = new Harness(ids);
    h.elect('a');
    h.isolate('e');
    h.propose('a', 'x');
    h.propose('a', 'y');
    const aNode = h.get('a');
    h.crash('a');
    h.heal();
    h.isolate('a');
    // e missed x and y: nobody who has them votes for it.
    h.expireLeaderContact();
    h.get('e').node.campaign();
    h.settle();
    assert.notEqual(h.raft('e').state, StateType.Leader);
    // Any of the others can win, and its log holds the committed entries.
    h.elect('b');
    h.propose('b', 'z');
    for (const id of ['b', 'c', 'd', 'e']) assert.deepEqual(h.appliedTexts(id), ['x', 'y', 'z'], id);
    assert.deepEqual(aNode.applied.length > 0, true);
  });
});

describe('§5.4.2 committing entries from previous terms', () => {
  test("§5.4.2: Raft never commits log entries from previous terms by counting replicas; only log entries from the leader's current term are committed by counting replicas", () => {
    // Leader of term 3 with entries 1@1, 2@2 from earlier terms and its no-op 3@3.
    const r = newTestRaft('a', ABC, { storage: storageWithLog(ABC, [1, 2], { term: 2 }) });
    makeLeader(r);
    assert.equal(r.term, 3);
    r.step(ack('b', 'a', 3, 1));
    assert.equal(r.raftLog.committed, 0, 'a majority has 1@1, but it is not of term 3');
    r.step(ack('b', 'a', 3, 2));
    assert.equal(r.raftLog.committed, 0, 'a majority has 2@2, but it is not of term 3');
    r.step(ack('b', 'a', 3, 3));
    // "once an entry from the current term has been committed in this way, then all prior
    // entries are committed indirectly because of the Log Matching Property"
    assert.equal(r.raftLog.committed, 3);
  });

  // Figure 8, built by hand. Five servers s1..s5; preVote off so that terms move as in the figure.
  const ids = ['s1', 's2', 's3', 's4', 's5'];
  function figure8(): Harness {
    const h = new Harness(ids, { preVote: false, maxSizePerMsg: 1 });
    // (a) s1 led term 2 and appended 2@2 but replicated it nowhere. (b) s5 led term 3 with
    // votes from s3, s4 and appended 2@3. Now s5 is gone again and s1 is back.
    h.restart('s1', storageWithLog(ids, [1, 2], { term: 3, commit: 1 }));
    h.restart('s2', storageWithLog(ids, [1], { term: 2, commit: 1 }));
    h.restart('s3', storageWithLog(ids, [1], { term: 3, vote: 's5', commit: 1 }));
    h.restart('s4', storageWithLog(ids, [1], { term: 3, vote: 's5', commit: 1 }));
    h.restart('s5', storageWithLog(ids, [1, 3], { term: 3, vote: 's5', commit: 1 }));
    h.isolate('s5');
    return h;
  }
  const logTerms = (h: Harness, id: NodeId) =>
    h
      .raft(id)
      .raftLog.allEntries()
      .map((e) => e.term);

  test('Figure 8 (c)→(d): an entry of term 2 stored on a majority by the leader of term 4 is not committed, and a later leader may overwrite it', () => {
    const h = figure8();
    // (c) s1 leads term 4 and replicates 2@2 to the others, but its own no-op 3@4 never arrives.
    const hasTwo = new Set<NodeId>();
    h.drop((m: Message) => {
      if (m.type === 'appendEntriesResponse' && m.to === 's1' && !m.reject && m.index >= 2) hasTwo.add(m.from);
      return m.type === 'appendEntries' && m.from === 's1' && hasTwo.has(m.to) && m.entries.some((e) => e.term === 4);
    });
    h.elect('s1');
    assert.equal(h.raft('s1').term, 4);
    for (const id of ['s1', 's2', 's3', 's4']) assert.deepEqual(logTerms(h, id).slice(0, 2), [1, 2], id);
    assert.equal(h.raft('s1').raftLog.committed, 1, '2@2 is on 4 of 5 servers and still not committed');
    const s1 = h.get('s1');
    // (d) s1 crashes; s5 (last term 3) can now be elected by s2, s3, s4 and overwrites index 2.
    h.crash('s1');
    h.heal();
    h.expireLeaderContact();
    h.campaign('s5'); // term 4: the others already voted for s1 in term 4
    assert.notEqual(h.raft('s5').state, StateType.Leader);
    h.elect('s5'); // term 5
    for (const id of ['s2', 's3', 's4', 's5']) assert.deepEqual(logTerms(h, id), [1, 3, 5], id);
    // Had s1 committed 2@2, it would have been applied and then lost.
    const appliedAt2 = [s1, ...ids.slice(1).map((id) => h.get(id))].flatMap((n) =>
      n.applied.filter((e) => e.index === 2).map((e) => e.term),
    );
    assert.deepEqual([...new Set(appliedAt2)], [3]);
  });

  test('Figure 8 (e): once the leader replicates an entry of its own term on a majority, the earlier entries are committed and no less up-to-date server can win', () => {
    const h = figure8();
    h.elect('s1');
    assert.equal(h.raft('s1').raftLog.committed, 3);
    h.crash('s1');
    h.heal();
    h.expireLeaderContact();
    for (let i = 0; i < 3; i++) {
      h.campaign('s5');
      assert.notEqual(h.raft('s5').state, StateType.Leader, `attempt ${i}`);
    }
    for (const id of ['s2', 's3', 's4']) assert.deepEqual(logTerms(h, id), [1, 2, 4], id);
  });
});

describe('§5.4.3 safety argument', () => {
  test('§5.4.3: Leader Completeness, Election Safety and State Machine Safety hold under random partitions and crashes', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const op = fc.oneof(
      fc.record({ kind: fc.constant('propose' as const), node: fc.constantFrom(...ids) }),
      fc.record({ kind: fc.constant('isolate' as const), node: fc.constantFrom(...ids) }),
      fc.record({ kind: fc.constant('heal' as const) }),
      fc.record({ kind: fc.constant('tick' as const), n: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ kind: fc.constant('crash' as const), node: fc.constantFrom(...ids) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.array(op, { minLength: 20, maxLength: 80 }), (seed, ops) => {
        const h = new Harness(ids, { seed });
        /** index → term of the applied entry, and an upper bound of the term that committed it. */
        const committed = new Map<number, { term: number; commitTerm: number }>();
        const leaderOfTerm = new Map<number, NodeId>();
        const observe = (id: NodeId, rd: Ready) => {
          const r = h.raft(id);
          for (const e of rd.committedEntries) {
            const seen = committed.get(e.index);
            if (seen) {
              assert.equal(e.term, seen.term, `State Machine Safety: index ${e.index} applied with terms ${seen.term} and ${e.term}`);
              seen.commitTerm = Math.min(seen.commitTerm, r.term);
            } else {
              committed.set(e.index, { term: e.term, commitTerm: r.term });
            }
          }
        };
        h.readyObservers.push(observe);
        let counter = 0;
        for (const o of ops) {
          switch (o.kind) {
            case 'propose':
              if (h.nodes.has(o.node)) {
                try {
                  h.propose(o.node, `v${counter++}`);
                } catch {
                  /* dropped: no leader known, election in progress */
                }
              }
              break;
            case 'isolate':
              h.isolate(o.node);
              break;
            case 'heal':
              h.heal();
              break;
            case 'tick':
              h.tickAll(o.n);
              break;
            case 'crash':
              if (h.nodes.has(o.node)) h.restart(o.node, h.crash(o.node));
              h.settle();
              break;
          }
          for (const hn of h.nodes.values()) {
            const r = hn.core;
            if (r.state !== StateType.Leader) continue;
            const other = leaderOfTerm.get(r.term);
            assert.ok(other === undefined || other === r.id, `Election Safety: ${other} and ${r.id} both lead term ${r.term}`);
            leaderOfTerm.set(r.term, r.id);
            for (const [index, c] of committed) {
              if (c.commitTerm >= r.term) continue;
              assert.equal(r.raftLog.term(index), c.term, `Leader Completeness: leader ${r.id} of term ${r.term} lacks ${index}@${c.term}`);
            }
          }
        }
      }),
      { seed: 5, numRuns: 100 },
    );
  });
});
