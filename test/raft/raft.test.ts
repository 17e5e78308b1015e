// Core behaviour beyond the paper's basic algorithm: PreVote (thesis §9.6), CheckQuorum
// (thesis §6.2), leader stickiness, leadership transfer (thesis §3.10), ReadIndex (thesis
// §6.4), the lease facts of heartbeat rounds, and when proposals are dropped.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProposalDroppedError } from '../../src/raft/errors.js';
import type { Message, RequestVote } from '../../src/raft/messages.js';
import { Raft } from '../../src/raft/raft.js';
import type { Ready } from '../../src/raft/ready.js';
import { seededRng } from '../../src/raft/rng.js';
import { MemoryStorage } from '../../src/raft/memory-storage.js';
import { ConfChangeType, NONE, StateType, type LeaseAck, type NodeId } from '../../src/raft/types.js';
import { drain, Harness, makeLeader, newTestRaft } from './harness.js';

const ABC = ['a', 'b', 'c'];

function voteRequest(from: NodeId, to: NodeId, term: number, extra: Partial<RequestVote> = {}): RequestVote {
  return { type: 'requestVote', from, to, term, preVote: false, lastIndex: 10, lastTerm: 10, transfer: false, ...extra };
}

describe('PreVote (thesis §9.6)', () => {
  test('a partitioned node does not bump its term while it cannot win', () => {
    const h = new Harness(ABC);
    h.elect('a');
    h.isolate('c');
    h.tickAll(10 * h.raft('c').electionTick);
    assert.equal(h.raft('c').term, 1);
    assert.notEqual(h.raft('c').state, StateType.Leader);
    assert.equal(h.leader(), 'a');
  });

  test('a partitioned node that rejoins does not disturb the leader', () => {
    const h = new Harness(ABC);
    h.elect('a');
    h.isolate('c');
    h.tickAll(10 * h.raft('c').electionTick);
    h.heal();
    h.tickAll(3 * h.raft('c').electionTick);
    assert.equal(h.leader(), 'a');
    assert.equal(h.raft('a').term, 1);
    assert.deepEqual([h.raft('c').state, h.raft('c').lead, h.raft('c').term], [StateType.Follower, 'a', 1]);
  });

  test('without PreVote, the same partition makes the rejoining node depose the leader', () => {
    // The contrast that motivates PreVote: c's inflated term reaches the leader (through the
    // answer to a heartbeat, CheckQuorum on) and forces a new election.
    const h = new Harness(ABC, { preVote: false });
    h.elect('a');
    h.isolate('c');
    h.tickAll(10 * h.raft('c').electionTick);
    assert.ok(h.raft('c').term > 1);
    h.heal();
    h.tickAll(3 * h.raft('c').electionTick);
    const lead = h.leader()!;
    assert.ok(h.raft(lead).term > 1, 'a new term was forced on the cluster');
    for (const id of ABC) assert.equal(h.raft(id).lead, lead);
  });

  test('with PreVote and CheckQuorum both off, a node back from a partition rejoins the cluster', () => {
    const h = new Harness(ABC, { preVote: false, checkQuorum: false });
    h.elect('a');
    h.isolate('c');
    h.tickAll(10 * h.raft('c').electionTick);
    h.heal();
    h.tickAll(10 * h.raft('c').electionTick);
    const lead = h.leader()!;
    for (const id of ABC) assert.equal(h.raft(id).lead, lead, id);
  });

  test("a pre-vote is granted without changing the voter's term or vote", () => {
    const r = newTestRaft('a', ABC, { preVote: true });
    r.step(voteRequest('b', 'a', 5, { preVote: true }));
    const [resp] = drain(r);
    assert.ok(resp?.type === 'requestVoteResponse' && resp.preVote && !resp.reject);
    assert.equal(resp.term, 5, 'answered in the asked term so the pre-candidate counts it');
    assert.deepEqual([r.term, r.vote], [0, NONE]);
  });
});

describe('CheckQuorum (thesis §6.2)', () => {
  test('an isolated leader steps down at the first check after a full election timeout without a quorum', () => {
    const h = new Harness(ABC);
    h.elect('a');
    h.isolate('a');
    const et = h.raft('a').electionTick;
    // The check runs every electionTick ticks and asks whether a quorum was heard since the
    // previous check: the followers answered during the election, so the first check passes.
    h.tick('a', et);
    assert.equal(h.raft('a').state, StateType.Leader, 'heard from a quorum in the first period');
    h.tick('a', et - 1);
    assert.equal(h.raft('a').state, StateType.Leader, 'not before the second check');
    h.tick('a', 1);
    assert.equal(h.raft('a').state, StateType.Follower);
    assert.equal(h.raft('a').lead, NONE);
  });

  test('a leader that hears from a quorum keeps leading', () => {
    const h = new Harness(ABC);
    h.elect('a');
    h.isolate('c');
    h.tick('a', 5 * h.raft('a').electionTick);
    assert.equal(h.raft('a').state, StateType.Leader);
  });
});

describe('leader stickiness', () => {
  test('a follower that heard from the leader within electionTick ignores RequestVote and PreVote from a higher term', () => {
    const r = newTestRaft('a', ABC, { preVote: true });
    r.step({ type: 'heartbeat', from: 'b', to: 'a', term: 1, commit: 0, round: 1 });
    drain(r);
    for (let i = 0; i < r.electionTick - 1; i++) r.tick();
    r.step(voteRequest('c', 'a', 2));
    r.step(voteRequest('c', 'a', 2, { preVote: true }));
    assert.deepEqual(drain(r), [], 'no answer at all');
    assert.deepEqual([r.term, r.vote, r.lead], [1, NONE, 'b']);
    // One more tick: a full electionTick without the leader, votes are considered again.
    r.tick();
    r.step(voteRequest('c', 'a', 2));
    const resp = drain(r).find((m) => m.type === 'requestVoteResponse');
    assert.ok(resp?.type === 'requestVoteResponse' && !resp.reject);
    assert.deepEqual([r.term, r.vote], [2, 'c']);
  });

  test('a leader ignores RequestVote from a higher term', () => {
    const r = newTestRaft('a', ABC);
    makeLeader(r);
    drain(r);
    r.step(voteRequest('c', 'a', 5));
    assert.deepEqual([r.state, r.term], [StateType.Leader, 1]);
  });

  test('a restarted node ignores votes for its first electionTick ticks (its pre-crash ack may back a lease)', () => {
    const storage = MemoryStorage.withConfState({ voters: ABC, learners: [] });
    storage.setHardState({ term: 1, vote: 'b', commit: 0 });
    const r = new Raft({ id: 'a', electionTick: 10, heartbeatTick: 1, storage, rng: seededRng(3), preVote: false });
    for (let i = 0; i < r.electionTick - 1; i++) {
      r.step(voteRequest('c', 'a', 2));
      assert.deepEqual(drain(r), [], `tick ${i}`);
      r.tick();
    }
    assert.equal(r.term, 1);
    r.tick();
    drain(r); // it may have started its own campaign by now
    r.step(voteRequest('c', 'a', 3));
    const resp = drain(r).find((m) => m.type === 'requestVoteResponse');
    assert.ok(resp?.type === 'requestVoteResponse' && !resp.reject, 'answered once the grace period is over');
  });

  test('a vote for a leadership transfer (TimeoutNow) is honoured despite stickiness', () => {
    const r = newTestRaft('a', ABC);
    r.step({ type: 'heartbeat', from: 'b', to: 'a', term: 1, commit: 0, round: 1 });
    drain(r);
    r.step(voteRequest('c', 'a', 2, { transfer: true }));
    const [resp] = drain(r);
    assert.ok(resp?.type === 'requestVoteResponse' && !resp.reject);
    assert.deepEqual([r.term, r.vote], [2, 'c']);
  });
});

describe('leadership transfer (thesis §3.10)', () => {
  test('a caught-up target gets TimeoutNow at once and wins the next term', () => {
    const h = new Harness(ABC);
    h.elect('a');
    h.propose('a', 'x');
    h.transferLeadership('a', 'b');
    assert.ok(h.delivered.some((m) => m.type === 'timeoutNow' && m.from === 'a' && m.to === 'b'));
    assert.equal(h.leader(), 'b');
    assert.equal(h.raft('b').term, 2);
    assert.equal(h.raft('a').lead, 'b');
  });

  test('a follower forwards the request to the leader', () => {
    const h = new Harness(ABC);
    h.elect('a');
    h.transferLeadership('c', 'b');
    assert.equal(h.leader(), 'b');
  });

  test('a lagging target is caught up first, then gets TimeoutNow', () => {
    const h = new Harness(ABC);
    h.elect('a');
    h.isolate('c');
    h.propose('a', 'x');
    h.propose('a', 'y');
    h.heal();
    const from = h.delivered.length;
    h.transferLeadership('a', 'c');
    const sent = h.delivered
      .slice(from)
      .filter((m) => m.from === 'a' && m.to === 'c')
      .map((m) => m.type);
    assert.ok(sent.indexOf('appendEntries') < sent.indexOf('timeoutNow'), sent.join(','));
    assert.equal(h.leader(), 'c');
    assert.deepEqual(h.appliedTexts('c'), ['x', 'y']);
  });

  test('proposals are dropped while a transfer is in progress, and the transfer aborts after electionTick ticks', () => {
    const h = new Harness(ABC);
    h.elect('a');
    h.isolate('c');
    h.transferLeadership('a', 'c');
    assert.equal(h.raft('a').leadTransferee, 'c');
    assert.throws(() => h.propose('a', 'x'), ProposalDroppedError);
    h.tick('a', h.raft('a').electionTick - 1);
    assert.equal(h.raft('a').leadTransferee, 'c');
    h.tick('a', 1);
    assert.equal(h.raft('a').leadTransferee, NONE, 'aborted');
    assert.equal(h.leader(), 'a');
    h.propose('a', 'x');
    assert.deepEqual(h.appliedTexts('b'), ['x']);
  });

  test('transferring to itself or to a non-voter does nothing', () => {
    const h = new Harness(['a', 'b', 'c', 'l'], { learners: ['l'] });
    h.elect('a');
    h.transferLeadership('a', 'a');
    h.transferLeadership('a', 'l');
    h.transferLeadership('a', 'zz');
    assert.deepEqual([h.leader(), h.raft('a').leadTransferee], ['a', NONE]);
  });
});

describe('ReadIndex (thesis §6.4)', () => {
  test('the leader answers a read with its commit index once a quorum acknowledged a heartbeat round', () => {
    const h = new Harness(ABC);
    h.elect('a');
    h.propose('a', 'x');
    h.readIndex('a', 'r1');
    assert.deepEqual(h.get('a').readStates, [{ index: 2, context: 'r1' }]);
  });

  test('a follower forwards the read to the leader and gets the index back', () => {
    const h = new Harness(ABC);
    h.elect('a');
    h.propose('a', 'x');
    h.readIndex('b', 'r2');
    assert.deepEqual(h.get('b').readStates, [{ index: 2, context: 'r2' }]);
    assert.deepEqual(h.get('a').readStates, []);
  });

  test('no read is answered without a quorum round', () => {
    const h = new Harness(ABC);
    h.elect('a');
    h.isolate('b');
    h.isolate('c');
    h.readIndex('a', 'r');
    assert.deepEqual(h.get('a').readStates, []);
    h.heal();
    h.tick('a');
    assert.deepEqual(h.get('a').readStates, [{ index: 1, context: 'r' }]);
  });

  test('a new leader waits until its no-op is committed before serving reads (§8)', () => {
    const r = newTestRaft('a', ABC);
    makeLeader(r);
    drain(r);
    r.readIndex('r');
    assert.deepEqual(drain(r), [], 'no round yet: the commit index may be stale');
    r.step({ type: 'appendEntriesResponse', from: 'b', to: 'a', term: 1, index: 1, reject: false, rejectHint: 0, hintTerm: 0 });
    assert.equal(r.raftLog.committed, 1);
    const beats = drain(r).filter((m) => m.type === 'heartbeat');
    assert.equal(beats.length, 2);
    const first = beats[0];
    const round = first?.type === 'heartbeat' ? first.round : 0;
    assert.deepEqual(r.readStates, []);
    r.step({ type: 'heartbeatResponse', from: 'c', to: 'a', term: 1, round });
    assert.deepEqual(r.readStates, [{ index: 1, context: 'r' }]);
  });

  test('a single-voter leader answers reads at once', () => {
    const r = newTestRaft('a', ['a']);
    makeLeader(r);
    assert.equal(r.raftLog.committed, 1);
    r.readIndex('solo');
    assert.deepEqual(r.readStates, [{ index: 1, context: 'solo' }]);
  });

  test('a node without a leader refuses reads', () => {
    const r = newTestRaft('a', ABC);
    assert.throws(() => r.readIndex('r'), ProposalDroppedError);
  });
});

describe('lease facts (Ready.leaseAck)', () => {
  function leaseAcks(h: Harness, id: NodeId): LeaseAck[] {
    const acks: LeaseAck[] = [];
    h.readyObservers.push((from: NodeId, rd: Ready) => {
      if (from === id && rd.leaseAck) acks.push(rd.leaseAck);
    });
    return acks;
  }

  test('the round and its start tick advance when a quorum acknowledges a heartbeat round', () => {
    const h = new Harness(ABC);
    h.elect('a');
    const acks = leaseAcks(h, 'a');
    h.tick('a');
    const t1 = h.raft('a').tickCount;
    h.tick('a');
    const t2 = h.raft('a').tickCount;
    // Round 1 was started at the election itself (a new leader does not wait a heartbeat interval).
    assert.deepEqual(acks, [
      { term: 1, round: 2, startTick: t1 },
      { term: 1, round: 3, startTick: t2 },
    ]);
  });

  test('a ReadIndex round between heartbeats is a lease fact of its own, at the current tick (the HA layer asks for one before a promotion starts a process)', () => {
    const h = new Harness(ABC);
    h.elect('a');
    h.tick('a');
    const acks = leaseAcks(h, 'a');
    const t = h.raft('a').tickCount;
    h.readIndex('a', 'ha-lease/a/1');
    assert.deepEqual(acks, [{ term: 1, round: 3, startTick: t }], "round 1 was the election's, round 2 the tick's");
  });

  test('a minority of acknowledgements never produces a lease fact', () => {
    const h = new Harness(['a', 'b', 'c', 'd', 'e']);
    h.elect('a');
    const acks = leaseAcks(h, 'a');
    h.isolate('c');
    h.isolate('d');
    h.isolate('e');
    h.tick('a', 5);
    assert.equal(acks.length, 0);
    h.heal();
    h.tick('a');
    assert.deepEqual(
      acks.map((l) => l.round),
      [7],
      "the first quorum-acked round after healing (round 1 was the election's)",
    );
  });

  test('a quorum that includes the leader is enough (one follower down in three)', () => {
    const h = new Harness(ABC);
    h.elect('a');
    const acks = leaseAcks(h, 'a');
    h.isolate('c');
    h.tick('a', 3);
    assert.deepEqual(
      acks.map((l) => l.round),
      [2, 3, 4],
      "round 1 was the election's",
    );
  });

  test('acknowledgements of a round are counted once per peer and never for a round not yet sent', () => {
    const r = newTestRaft('a', ['a', 'b', 'c', 'd', 'e']);
    makeLeader(r);
    drain(r);
    r.tick();
    const ack = (from: NodeId, round: number): Message => ({ type: 'heartbeatResponse', from, to: 'a', term: 1, round });
    // Round 1 went out at the election (tick 0); the tick started round 2.
    r.step(ack('b', 2));
    r.step(ack('b', 2));
    assert.equal(r.leaseAck, undefined, 'a + b is not a majority of five');
    r.step(ack('c', 7));
    assert.equal(r.leaseAck, undefined, 'round 7 was never started');
    r.step(ack('c', 2));
    assert.deepEqual(r.leaseAck, { term: 1, round: 2, startTick: 1 });
  });
});

describe('ProposalDroppedError', () => {
  const text = new TextEncoder().encode('x');

  test('a follower that knows no leader drops proposals', () => {
    const r = newTestRaft('a', ABC);
    assert.throws(() => r.propose(text), ProposalDroppedError);
  });

  test('a follower that knows the leader forwards them instead', () => {
    const r = newTestRaft('a', ABC);
    r.becomeFollower(1, 'b');
    r.propose(text);
    assert.deepEqual(
      drain(r).map((m) => [m.type, m.to]),
      [['propose', 'b']],
    );
  });

  test('a candidate or pre-candidate drops proposals', () => {
    for (const preVote of [false, true]) {
      const r = newTestRaft('a', ABC, { preVote });
      r.hup(preVote ? 'preElection' : 'election');
      assert.throws(() => r.propose(text), ProposalDroppedError);
    }
  });

  test('a leader transferring leadership drops proposals', () => {
    const r = newTestRaft('a', ABC);
    makeLeader(r);
    r.transferLeadership('b');
    assert.throws(() => r.propose(text), /leadership transfer to b/);
  });

  test('a leader removed from the voters drops proposals while it steps down', () => {
    const r = newTestRaft('a', ABC);
    makeLeader(r);
    r.trk.applyConfState({ voters: ['b', 'c'], learners: ['a'] }, r.raftLog.lastIndex());
    assert.throws(() => r.propose(text), /being removed/);
  });

  test('the error has a stable code and the reason', () => {
    const r = newTestRaft('a', ABC);
    try {
      r.propose(text);
      assert.fail('expected a throw');
    } catch (e) {
      assert.ok(e instanceof ProposalDroppedError);
      assert.equal(e.code, 'RAFT_PROPOSAL_DROPPED');
      assert.equal(e.reason, 'no leader known');
    }
  });

  test('transfer without a known leader is refused', () => {
    const r = newTestRaft('a', ABC);
    assert.throws(() => r.transferLeadership('b'), ProposalDroppedError);
  });

  test('a membership change that cannot apply is refused at proposal', () => {
    const r = newTestRaft('a', ['a']);
    makeLeader(r);
    r.raftLog.appliedTo(r.raftLog.committed);
    assert.throws(() => r.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: 'a' }), /no voters/);
  });
});
