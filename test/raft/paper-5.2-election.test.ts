// §5.1–§5.2 of the Raft paper (Ongaro & Ousterhout, "In Search of an Understandable
// Consensus Algorithm"): terms and leader election. Model: etcd-io/raft raft_paper_test.go.
// Each test is named by the sentence of the paper it checks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message, RequestVote } from '../../src/raft/messages.js';
import type { Raft } from '../../src/raft/raft.js';
import { NONE, StateType, type NodeId } from '../../src/raft/types.js';
import { drain, Harness, makeLeader, newTestRaft, storageWithLog } from './harness.js';

const ABC = ['a', 'b', 'c'];

function appendFrom(from: NodeId, to: NodeId, term: number): Message {
  return { type: 'appendEntries', from, to, term, prevIndex: 0, prevTerm: 0, entries: [], commit: 0 };
}

function voteRequest(from: NodeId, to: NodeId, term: number, extra: Partial<RequestVote> = {}): RequestVote {
  return { type: 'requestVote', from, to, term, preVote: false, lastIndex: 0, lastTerm: 0, transfer: false, ...extra };
}

/** Tick until the node leaves the follower state (at most 2*electionTick ticks). */
function tickUntilCampaign(r: Raft): number {
  for (let i = 1; i <= 2 * r.electionTick; i++) {
    r.tick();
    if (r.state !== StateType.Follower) return i;
  }
  throw new Error(`${r.id} never campaigned`);
}

function becomeRole(r: Raft, role: StateType): void {
  switch (role) {
    case StateType.Follower:
      r.becomeFollower(1, 'b');
      break;
    case StateType.PreCandidate:
      r.becomeFollower(1, NONE);
      r.hup('preElection');
      break;
    case StateType.Candidate:
      r.becomeFollower(1, NONE);
      r.hup('election');
      break;
    case StateType.Leader:
      r.becomeFollower(1, NONE);
      makeLeader(r);
      break;
    default: {
      const never: never = role;
      throw new Error(`unknown role ${String(never)}`);
    }
  }
  drain(r);
}

describe('§5.1 terms', () => {
  for (const role of Object.values(StateType)) {
    test(`§5.1: if one server's current term is smaller than the other's, it updates its current term to the larger value (${role})`, () => {
      const r = newTestRaft('a', ABC);
      becomeRole(r, role);
      r.step(appendFrom('c', 'a', 5));
      assert.equal(r.term, 5);
      assert.equal(r.state, StateType.Follower);
      assert.equal(r.lead, 'c', 'an append comes from the leader of that term');
    });

    if (role === StateType.Follower) continue;
    test(`§5.1: if a candidate or leader discovers that its term is out of date, it immediately reverts to follower state (${role}, vote request)`, () => {
      const r = newTestRaft('a', ABC);
      becomeRole(r, role);
      if (role === StateType.Leader) {
        // A leader never follows a vote request (stickiness, thesis §9.6); it learns the term
        // from any other message, here a rejection carrying the newer term.
        r.step({ type: 'appendEntriesResponse', from: 'b', to: 'a', term: 5, index: 0, reject: true, rejectHint: 0, hintTerm: 0 });
      } else {
        r.step(voteRequest('c', 'a', 5, { lastIndex: 10, lastTerm: 5 }));
      }
      assert.equal(r.term, 5);
      assert.equal(r.state, StateType.Follower);
      assert.equal(r.lead, NONE);
    });
  }

  test('§5.1: if a server receives a request with a stale term number, it rejects the request', () => {
    const r = newTestRaft('a', ABC, { storage: storageWithLog(ABC, [1, 2], { term: 2 }) });
    r.step(voteRequest('b', 'a', 1, { lastIndex: 5, lastTerm: 1 }));
    assert.deepEqual(drain(r), [], 'a stale vote request gets no vote');
    assert.equal(r.vote, NONE);
    r.step({ type: 'appendEntries', from: 'b', to: 'a', term: 1, prevIndex: 2, prevTerm: 1, entries: [], commit: 2 });
    assert.equal(r.raftLog.committed, 0, 'a stale append is not applied');
    assert.equal(r.lead, NONE, 'nor is its sender taken as leader');
    // The stale leader must learn our term, or it would never step down: stickiness (always on)
    // makes us ignore its vote requests, so this answer is its only way to learn it.
    const [stale] = drain(r);
    assert.equal(stale?.type, 'appendEntriesResponse');
    assert.equal(stale?.term, 2);
    const withPreVote = newTestRaft('a', ABC, { preVote: true, storage: storageWithLog(ABC, [1, 2], { term: 2 }) });
    withPreVote.step({ type: 'appendEntries', from: 'b', to: 'a', term: 1, prevIndex: 2, prevTerm: 1, entries: [], commit: 2 });
    const [reply] = drain(withPreVote);
    assert.equal(reply?.type, 'appendEntriesResponse');
    assert.equal(reply?.term, 2, 'the answer tells the stale leader the current term');
    assert.equal(withPreVote.raftLog.committed, 0);
  });
});

describe('§5.2 leader election', () => {
  test('§5.2: when servers start up, they begin as followers', () => {
    const r = newTestRaft('a', ABC);
    assert.equal(r.state, StateType.Follower);
    assert.equal(r.term, 0);
  });

  test('§5.2: leaders send periodic heartbeats to all followers in order to maintain their authority', () => {
    const r = newTestRaft('a', ABC);
    makeLeader(r);
    drain(r);
    for (let i = 0; i < r.heartbeatTick; i++) r.tick();
    const beats = drain(r).filter((m) => m.type === 'heartbeat');
    assert.deepEqual(
      beats.map((m) => [m.to, m.term]),
      [
        ['b', 1],
        ['c', 1],
      ],
    );
  });

  test('§5.2: a server remains in follower state as long as it receives valid RPCs from a leader', () => {
    const r = newTestRaft('a', ABC);
    r.becomeFollower(1, 'b');
    for (let i = 0; i < 10 * r.electionTick; i++) {
      r.tick();
      if (i % (r.electionTick - 1) === 0) r.step({ type: 'heartbeat', from: 'b', to: 'a', term: 1, commit: 0, round: i + 1 });
      assert.equal(r.state, StateType.Follower, `tick ${i}`);
    }
    assert.equal(r.term, 1);
  });

  test('§5.2: a follower that receives no communication over the election timeout begins an election (PreVote off)', () => {
    const r = newTestRaft('a', ABC, { storage: storageWithLog(ABC, [1, 1], { term: 1 }) });
    r.becomeFollower(1, 'b');
    const ticks = tickUntilCampaign(r);
    assert.ok(ticks >= r.electionTick && ticks < 2 * r.electionTick, `campaigned after ${ticks} ticks`);
    // "it increments its current term and transitions to candidate state. It then votes for
    // itself and issues RequestVote RPCs in parallel to each of the other servers"
    assert.equal(r.state, StateType.Candidate);
    assert.equal(r.term, 2);
    assert.equal(r.vote, 'a');
    const reqs = drain(r);
    assert.deepEqual(
      reqs.map((m) => m.type === 'requestVote' && [m.to, m.term, m.preVote, m.lastIndex, m.lastTerm]),
      [
        ['b', 2, false, 2, 1],
        ['c', 2, false, 2, 1],
      ],
    );
  });

  test('§5.2 (thesis §9.6 PreVote): a follower that times out first asks whether it could win, without changing its term', () => {
    const r = newTestRaft('a', ABC, { preVote: true, storage: storageWithLog(ABC, [1, 1], { term: 1 }) });
    r.becomeFollower(1, 'b');
    tickUntilCampaign(r);
    assert.equal(r.state, StateType.PreCandidate);
    assert.equal(r.term, 1, 'term unchanged');
    assert.equal(r.vote, NONE, 'vote unchanged');
    const reqs = drain(r);
    assert.deepEqual(
      reqs.map((m) => m.type === 'requestVote' && [m.to, m.term, m.preVote]),
      [
        ['b', 2, true],
        ['c', 2, true],
      ],
    );
    // A majority of pre-votes starts the real election.
    r.step({ type: 'requestVoteResponse', from: 'b', to: 'a', term: 2, preVote: true, reject: false });
    assert.equal(r.state, StateType.Candidate);
    assert.equal(r.term, 2);
    assert.deepEqual(
      drain(r).map((m) => m.type === 'requestVote' && [m.to, m.term, m.preVote]),
      [
        ['b', 2, false],
        ['c', 2, false],
      ],
    );
  });

  test('§5.2: if a candidate neither wins nor loses, it times out and starts a new election by incrementing its term', () => {
    const r = newTestRaft('a', ABC);
    r.hup('election');
    assert.equal(r.term, 1);
    drain(r);
    tickUntilCampaign2(r);
    assert.equal(r.state, StateType.Candidate);
    assert.equal(r.term, 2);
    assert.equal(drain(r).filter((m) => m.type === 'requestVote' && m.term === 2).length, 2);
  });

  describe('§5.2: a candidate wins an election if it receives votes from a majority of the servers in the full cluster for the same term', () => {
    const cases: { size: number; votes: Record<string, boolean>; want: StateType; name: string }[] = [
      { name: 'single voter wins alone', size: 1, votes: {}, want: StateType.Leader },
      { name: '3 nodes, one grant: win', size: 3, votes: { n2: true }, want: StateType.Leader },
      { name: '3 nodes, both grant: win', size: 3, votes: { n2: true, n3: true }, want: StateType.Leader },
      { name: '3 nodes, two rejects: lose', size: 3, votes: { n2: false, n3: false }, want: StateType.Follower },
      { name: '3 nodes, no answer: still waiting', size: 3, votes: {}, want: StateType.Candidate },
      { name: '5 nodes, two grants: win', size: 5, votes: { n2: true, n3: true }, want: StateType.Leader },
      { name: '5 nodes, three rejects: lose', size: 5, votes: { n2: false, n3: false, n4: false }, want: StateType.Follower },
      { name: '5 nodes, split 2:2: neither', size: 5, votes: { n2: true, n3: false, n4: false }, want: StateType.Candidate },
      { name: '5 nodes, one grant, rest silent: waiting', size: 5, votes: { n2: true }, want: StateType.Candidate },
    ];
    for (const c of cases) {
      test(c.name, () => {
        const ids = Array.from({ length: c.size }, (_, i) => `n${i + 1}`);
        const r = newTestRaft('n1', ids);
        r.hup('election');
        for (const [from, granted] of Object.entries(c.votes)) {
          r.step({ type: 'requestVoteResponse', from, to: 'n1', term: 1, preVote: false, reject: !granted });
        }
        assert.equal(r.state, c.want);
        assert.equal(r.term, 1, 'the outcome never changes the term');
        if (c.want === StateType.Leader) assert.equal(r.lead, 'n1');
      });
    }
  });

  test('§5.2: once a candidate wins an election, it becomes leader and sends heartbeat messages to all of the other servers', () => {
    const h = new Harness(['a', 'b', 'c', 'd', 'e']);
    h.elect('a');
    assert.equal(h.leader(), 'a');
    for (const id of ['b', 'c', 'd', 'e']) {
      assert.equal(h.raft(id).lead, 'a');
      assert.equal(h.raft(id).term, 1);
      assert.equal(h.raft(id).state, StateType.Follower);
    }
  });

  test('§5.2: a candidate loses when another server establishes itself as leader (split vote resolved by a retry)', () => {
    // Two candidates in the same term split the votes of a 4-node cluster 2:2; neither wins.
    const h = new Harness(['a', 'b', 'c', 'd'], { preVote: false });
    h.expireLeaderContact();
    h.cutLink('a', 'd');
    h.cutLink('b', 'c');
    h.get('a').node.campaign();
    h.get('b').node.campaign();
    h.settle();
    assert.equal(h.leader(), undefined, 'no majority for anyone in term 1');
    assert.deepEqual([h.raft('c').vote, h.raft('d').vote], ['a', 'b']);
    // Randomized timeouts make one of them time out first in a later term and win.
    h.heal();
    h.tickAll(4 * h.raft('a').electionTick);
    const lead = h.leader();
    assert.ok(lead !== undefined);
    assert.ok(h.raft(lead).term > 1);
    for (const id of ['a', 'b', 'c', 'd']) assert.equal(h.raft(id).lead, lead);
  });

  describe('§5.2: each server will vote for at most one candidate in a given term, on a first-come-first-served basis', () => {
    const cases: { vote: NodeId; from: NodeId; reject: boolean }[] = [
      { vote: NONE, from: 'b', reject: false },
      { vote: NONE, from: 'c', reject: false },
      { vote: 'b', from: 'b', reject: false }, // a retransmitted request from the one we chose
      { vote: 'c', from: 'c', reject: false },
      { vote: 'b', from: 'c', reject: true },
      { vote: 'c', from: 'b', reject: true },
    ];
    for (const c of cases) {
      test(`voted for ${c.vote || 'nobody'}, request from ${c.from}: ${c.reject ? 'reject' : 'grant'}`, () => {
        const r = newTestRaft('a', ABC, { storage: storageWithLog(ABC, [], { term: 1, vote: c.vote }) });
        r.step(voteRequest(c.from, 'a', 1));
        const [resp] = drain(r);
        assert.ok(resp?.type === 'requestVoteResponse');
        assert.equal(resp.reject, c.reject);
        assert.equal(resp.term, 1);
        assert.equal(r.vote, c.reject ? c.vote : c.from);
      });
    }

    test('the first of two candidates of the same term gets the vote', () => {
      const r = newTestRaft('a', ABC);
      r.step(voteRequest('b', 'a', 3));
      r.step(voteRequest('c', 'a', 3));
      const resps = drain(r);
      assert.deepEqual(
        resps.map((m) => m.type === 'requestVoteResponse' && [m.to, m.reject]),
        [
          ['b', false],
          ['c', true],
        ],
      );
      assert.equal(r.vote, 'b');
    });
  });

  test('§5.2: election timeouts are chosen randomly from a fixed interval', () => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 50; seed++) {
      const r = newTestRaft('a', ABC, { seed });
      r.becomeFollower(1, 'b');
      const ticks = tickUntilCampaign(r);
      assert.ok(ticks >= r.electionTick && ticks < 2 * r.electionTick, `seed ${seed}: ${ticks}`);
      seen.add(ticks);
    }
    assert.ok(seen.size > 5, `timeouts should spread over [electionTick, 2*electionTick): saw ${[...seen].join(',')}`);
  });

  test('§5.2: randomized election timeouts make it unlikely that followers time out together', () => {
    // Five followers (different seeds, as on different machines) rarely share a timeout.
    let conflicts = 0;
    const rounds = 200;
    for (let k = 0; k < rounds; k++) {
      const timeouts = ['a', 'b', 'c', 'd', 'e'].map((id, i) => {
        const r = newTestRaft(id, ['a', 'b', 'c', 'd', 'e'], { seed: k * 5 + i + 1 });
        r.becomeFollower(1, 'z');
        return tickUntilCampaign(r);
      });
      const first = Math.min(...timeouts);
      if (timeouts.filter((t) => t === first).length > 1) conflicts++;
    }
    assert.ok(conflicts / rounds < 0.3, `${conflicts} of ${rounds} rounds had two nodes time out at once`);
  });

  test('§5.2: while waiting for votes, if a candidate receives an AppendEntries RPC from another server claiming to be leader whose term is at least as large, it returns to follower state', () => {
    for (const term of [1, 2]) {
      const r = newTestRaft('a', ABC);
      r.hup('election');
      assert.equal(r.state, StateType.Candidate);
      r.step(appendFrom('b', 'a', term));
      assert.equal(r.state, StateType.Follower, `term ${term}`);
      assert.equal(r.term, term);
      assert.equal(r.lead, 'b');
      const [resp] = drain(r).filter((m) => m.type === 'appendEntriesResponse');
      assert.equal(resp?.type === 'appendEntriesResponse' && resp.reject, false, 'and accepts the append');
    }
  });

  test("§5.2: if the term in the RPC is smaller than the candidate's current term, the candidate rejects the RPC and continues in candidate state", () => {
    const r = newTestRaft('a', ABC, { storage: storageWithLog(ABC, [], { term: 4 }) });
    r.hup('election');
    assert.equal(r.term, 5);
    r.step(appendFrom('b', 'a', 4));
    assert.equal(r.state, StateType.Candidate);
    assert.equal(r.term, 5);
  });
});

/** A candidate's timer: after it campaigned, the next campaign comes within 2*electionTick. */
function tickUntilCampaign2(r: Raft): void {
  const term = r.term;
  for (let i = 0; i < 2 * r.electionTick; i++) {
    r.tick();
    if (r.term > term) return;
  }
  throw new Error('candidate never restarted its election');
}
