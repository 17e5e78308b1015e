// Heartbeat rounds whose answer is optional (issue 20, idle CPU). The leader still sends a
// heartbeat every heartbeatTick, but asks for answers only where it needs them: a quorum when
// a ReadIndex waits or the newest acknowledged round is quorumAckTicks old (the lease), and any
// follower CheckQuorum has not heard from in this election timeout or whose progress it does
// not know. A follower stays silent on an optional round only once it has answered this leader
// in this term. Silence is never counted: the lease and reads rest on answers alone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Heartbeat, Message } from '../../src/raft/messages.js';
import { MemoryStorage } from '../../src/raft/memory-storage.js';
import { Raft } from '../../src/raft/raft.js';
import { pickRenewalAskees } from '../../src/raft/renewal-askees.js';
import { seededRng } from '../../src/raft/rng.js';
import type { LeaseAck, NodeId } from '../../src/raft/types.js';
import { drain, makeLeader, newTestRaft } from './harness.js';

const ABC = ['a', 'b', 'c'];

function leaderRaft(quorumAckTicks: number | undefined, checkQuorum = false, voters = ABC, learners: NodeId[] = []): Raft {
  const r = new Raft({
    id: 'a',
    electionTick: 10,
    heartbeatTick: 1,
    ...(quorumAckTicks !== undefined ? { quorumAckTicks } : {}),
    storage: MemoryStorage.withConfState({ voters, learners }),
    rng: seededRng(1),
    preVote: false,
    checkQuorum,
  });
  r.leaderContactElapsed = r.electionTick;
  makeLeader(r);
  // Every follower holds the leader's whole log: its progress is known.
  for (const id of [...voters, ...learners].filter((x) => x !== 'a'))
    r.step({
      type: 'appendEntriesResponse',
      from: id,
      to: 'a',
      term: r.term,
      index: r.raftLog.lastIndex(),
      reject: false,
      rejectHint: 0,
      hintTerm: 0,
    });
  drain(r);
  return r;
}

function takeLeaseAck(r: Raft): LeaseAck | undefined {
  const ack = r.leaseAck;
  r.leaseAck = undefined;
  return ack;
}

function heartbeats(msgs: readonly Message[]): Heartbeat[] {
  return msgs.filter((m): m is Heartbeat => m.type === 'heartbeat');
}

/** The followers a round asked to answer. */
function askedOf(hbs: readonly Heartbeat[]): NodeId[] {
  return hbs.filter((h) => h.replyOptional !== true).map((h) => h.to);
}

/** One heartbeat tick of the leader; the followers in `answering` answer what they are asked (or everything, `all`). */
function round(r: Raft, answering: readonly NodeId[], all = false): Heartbeat[] {
  r.tick();
  const hbs = heartbeats(drain(r));
  for (const hb of hbs) {
    if (!answering.includes(hb.to) || (hb.replyOptional === true && !all)) continue;
    r.step({ type: 'heartbeatResponse', from: hb.to, to: 'a', term: r.term, round: hb.round });
  }
  drain(r);
  return hbs;
}

describe('follower: answers an optional round only to a leader it has not answered in this term', () => {
  const hb = (from: NodeId, term: number, round: number, replyOptional?: boolean): Heartbeat =>
    replyOptional === undefined
      ? { type: 'heartbeat', from, to: 'a', term, commit: 0, round }
      : { type: 'heartbeat', from, to: 'a', term, commit: 0, round, replyOptional };
  const answers = (r: Raft): number[] => drain(r).flatMap((m) => (m.type === 'heartbeatResponse' ? [m.round] : []));

  test('first contact is answered; later optional rounds are not; asked rounds are', () => {
    const r = newTestRaft('a', ABC);
    r.step(hb('b', 1, 1, true));
    assert.deepEqual(answers(r), [1], 'a leader we never answered learns that we follow it');
    r.step(hb('b', 1, 2, true));
    r.step(hb('b', 1, 3, true));
    assert.deepEqual(answers(r), []);
    r.step(hb('b', 1, 4, false));
    assert.deepEqual(answers(r), [4]);
  });

  test('a silent round still resets the election timer and carries the commit index', () => {
    const s = MemoryStorage.withConfState({ voters: ABC, learners: [] });
    s.append([{ term: 1, index: 1, type: 'normal', data: new Uint8Array(0) }]);
    s.setHardState({ term: 1, vote: '', commit: 0 });
    const r = newTestRaft('a', ABC, { storage: s });
    r.step(hb('b', 1, 1, true));
    drain(r);
    for (let i = 0; i < 5; i++) r.tick();
    r.step({ type: 'heartbeat', from: 'b', to: 'a', term: 1, commit: 1, round: 2, replyOptional: true });
    assert.deepEqual(answers(r), []);
    assert.equal(r.electionElapsed, 0);
    assert.equal(r.raftLog.committed, 1);
  });

  test('a new term or a new leader is answered even when optional', () => {
    const r = newTestRaft('a', ABC);
    r.step(hb('b', 1, 1, true));
    r.step(hb('b', 1, 2, true));
    assert.deepEqual(answers(r), [1]);
    r.step(hb('c', 2, 1, true));
    assert.deepEqual(answers(r), [1], 'the leader of term 2');
    r.step(hb('c', 2, 2, true));
    assert.deepEqual(answers(r), []);
  });

  test('a restarted follower answers its leader again', () => {
    const r1 = newTestRaft('a', ABC);
    r1.step(hb('b', 1, 1, true));
    assert.deepEqual(answers(r1), [1]);
    const r2 = newTestRaft('a', ABC, { storage: MemoryStorage.withConfState({ voters: ABC, learners: [] }) });
    r2.step(hb('b', 1, 2, true));
    assert.deepEqual(answers(r2), [2]);
  });

  test('rolling upgrade: a leader that never sets the flag (older version) gets every round answered', () => {
    const r = newTestRaft('a', ABC);
    for (let i = 1; i <= 5; i++) r.step(hb('b', 1, i));
    assert.deepEqual(answers(r), [1, 2, 3, 4, 5]);
  });
});

describe('leader: asks for answers only where it needs them', () => {
  test('default (quorumAckTicks = heartbeatTick): every round asks every follower', () => {
    const r = leaderRaft(undefined);
    for (let i = 0; i < 20; i++) for (const hb of round(r, ['b', 'c'])) assert.notEqual(hb.replyOptional, true);
  });

  test('quorumAckTicks must be a positive integer', () => {
    assert.throws(
      () =>
        new Raft({
          id: 'a',
          electionTick: 10,
          heartbeatTick: 1,
          quorumAckTicks: 0,
          storage: MemoryStorage.withConfState({ voters: ABC, learners: [] }),
          rng: seededRng(1),
        }),
      /quorumAckTicks/,
    );
    assert.throws(
      () =>
        new Raft({
          id: 'a',
          electionTick: 10,
          heartbeatTick: 1,
          quorumAckTicks: 2.5,
          storage: MemoryStorage.withConfState({ voters: ABC, learners: [] }),
          rng: seededRng(1),
        }),
      /quorumAckTicks/,
    );
  });

  test('the lease renews every quorumAckTicks from a quorum: one of two followers, in turn; the rounds in between are optional, and only answers count', () => {
    const r = leaderRaft(3);
    round(r, ['b', 'c']); // first acknowledged round of the term
    takeLeaseAck(r);
    const asked: NodeId[][] = [];
    const acks: number[] = [];
    for (let i = 0; i < 9; i++) {
      asked.push(askedOf(round(r, ['b', 'c'])));
      const ack = takeLeaseAck(r);
      if (ack !== undefined) acks.push(ack.round);
    }
    // The leader and one follower are a quorum of three: a renewal asks one, and they take turns.
    assert.deepEqual(
      asked.map((a) => a.length),
      [0, 0, 1, 0, 0, 1, 0, 0, 1],
    );
    assert.notDeepEqual(asked[2], asked[5]);
    assert.deepEqual(asked[2], asked[8]);
    // Lease facts come only from the asked rounds, one per renewal.
    assert.equal(acks.length, 3);
  });

  test('five voters: a renewal asks two followers, rotating through all four; a learner is never asked', () => {
    const r = leaderRaft(2, false, ['a', 'b', 'c', 'd', 'e'], ['l']);
    round(r, ['b', 'c', 'd', 'e', 'l']);
    takeLeaseAck(r);
    const renewals: NodeId[][] = [];
    for (let i = 0; i < 8; i++) {
      const asked = askedOf(round(r, ['b', 'c', 'd', 'e', 'l']));
      const ack = takeLeaseAck(r);
      if (asked.length > 0) {
        renewals.push(asked);
        assert.ok(ack !== undefined, 'two answers and the leader are a quorum of five');
      }
    }
    assert.equal(renewals.length, 4);
    for (const [i, asked] of renewals.entries()) {
      assert.equal(asked.length, 2);
      if (i > 0) assert.deepEqual([...asked, ...renewals[i - 1]].sort(), ['b', 'c', 'd', 'e'], 'the next two in turn');
    }
  });

  test('a follower that left its last ask unanswered is asked after those that answered', () => {
    const r = leaderRaft(2, false, ['a', 'b', 'c', 'd', 'e']);
    round(r, ['b', 'c', 'd', 'e']);
    const asked: NodeId[][] = [];
    // d is up (known, recently active: checkQuorum is off) but answers nothing.
    for (let i = 0; i < 12; i++) {
      const a = askedOf(round(r, ['b', 'c', 'e']));
      if (a.length > 0) asked.push(a);
    }
    // Two silent asks in a row would leave the renewal short: after d's, the next asks everyone.
    assert.deepEqual(asked.slice(0, 3), [
      ['b', 'c'],
      ['d', 'e'],
      ['b', 'c', 'd', 'e'],
    ]);
    assert.ok(asked.length >= 5);
    assert.ok(
      asked.slice(3).every((a) => a.length === 2 && !a.includes('d')),
      `d is not asked again while others answer: ${JSON.stringify(asked)}`,
    );
  });

  test('a renewal whose answers do not come is asked of everyone at the next round', () => {
    const r = leaderRaft(3);
    round(r, ['b', 'c']);
    round(r, ['b', 'c']);
    round(r, ['b', 'c']);
    const renewal = round(r, []); // one follower asked, it does not answer
    assert.equal(askedOf(renewal).length, 1);
    const next = round(r, []);
    assert.deepEqual(askedOf(next), ['b', 'c'], 'everyone: the acknowledged round keeps ageing and the last ask failed');
    round(r, ['b']); // one answer: a quorum with the leader
    assert.ok(
      round(r, ['b', 'c']).some((h) => h.replyOptional === true),
      'renewed: optional again',
    );
  });

  test('renewal every heartbeat (quorumAckTicks = heartbeatTick): every round asks everyone, as before', () => {
    const r = leaderRaft(1);
    for (let i = 0; i < 6; i++) assert.deepEqual(askedOf(round(r, ['b', 'c'])), ['b', 'c']);
  });

  test('a pending ReadIndex makes its round, and every round until it is released, ask everyone', () => {
    const r = leaderRaft(5);
    round(r, ['b', 'c']);
    round(r, ['b', 'c']);
    r.readIndex('ctx');
    const readRound = heartbeats(drain(r));
    assert.equal(readRound.length, 2);
    assert.ok(readRound.every((h) => h.replyOptional !== true));
    const next = round(r, []); // the read is still pending
    assert.ok(next.every((h) => h.replyOptional !== true));
    round(r, ['b']);
    assert.deepEqual(
      r.readStates.map((s) => s.context),
      ['ctx'],
    );
  });

  test('a follower whose progress is not known (behind, or probing) is asked on every round', () => {
    const r = leaderRaft(5);
    round(r, ['b', 'c']);
    r.step({ type: 'propose', from: 'a', to: 'a', term: 0, entries: [{ term: 0, index: 0, type: 'normal', data: new Uint8Array([1]) }] });
    drain(r);
    // Only b acknowledges the new entry; c is behind.
    r.step({
      type: 'appendEntriesResponse',
      from: 'b',
      to: 'a',
      term: r.term,
      index: r.raftLog.lastIndex(),
      reject: false,
      rejectHint: 0,
      hintTerm: 0,
    });
    drain(r);
    const hbs = round(r, ['b', 'c']);
    assert.equal(hbs.find((h) => h.to === 'b')?.replyOptional, true);
    assert.notEqual(hbs.find((h) => h.to === 'c')?.replyOptional, true);
  });

  test('CheckQuorum: after each check every follower is asked once more, and a leader whose followers stay silent steps down', () => {
    const r = leaderRaft(100, true);
    round(r, ['b', 'c']);
    let checks = 0;
    for (let i = 0; i < 3 * r.electionTick; i++) {
      const hbs = round(r, ['b', 'c']);
      // The check resets the contact marks, then the same tick's round asks everyone again.
      const checked = r.electionElapsed === 0;
      if (checked) checks++;
      assert.equal(
        hbs.every((h) => h.replyOptional !== true),
        checked,
        `tick ${i}`,
      );
    }
    assert.equal(r.state, 'leader');
    assert.equal(checks, 3);
    for (let i = 0; i < 2 * r.electionTick; i++) round(r, []);
    assert.equal(r.state, 'follower', 'silence is not contact');
  });

  test('an older follower that answers optional rounds too only adds real acknowledgements', () => {
    const r = leaderRaft(3);
    round(r, ['b', 'c'], true);
    let acks = 0;
    for (let i = 0; i < 6; i++) {
      round(r, ['b', 'c'], true);
      if (takeLeaseAck(r) !== undefined) acks++;
    }
    assert.equal(acks, 6, 'every answered round is a lease fact');
  });
});

describe('pickRenewalAskees', () => {
  const c = (id: NodeId, answeredLastAsk: boolean, askedRound: number) => ({ id, answeredLastAsk, askedRound });

  test('those that answered their last ask first, then the least recently asked, then by id', () => {
    const picked = pickRenewalAskees([c('d', false, 1), c('c', true, 7), c('b', true, 9), c('e', true, 7)], 2);
    assert.deepEqual([...(picked ?? [])].sort(), ['c', 'e']);
    assert.deepEqual([...(pickRenewalAskees([c('d', false, 1), c('b', true, 9)], 2) ?? [])].sort(), ['b', 'd']);
  });

  test('too few candidates: undefined (ask everyone); none needed: nobody', () => {
    assert.equal(pickRenewalAskees([c('b', true, 1)], 2), undefined);
    assert.equal(pickRenewalAskees([c('b', true, 1)], 0)?.size, 0);
  });

  test('a need that is not a whole number is refused', () => {
    assert.throws(() => pickRenewalAskees([], -1), /whole number/);
    assert.throws(() => pickRenewalAskees([], 1.5), /whole number/);
  });
});
