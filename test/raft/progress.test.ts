import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Inflights } from '../../src/raft/inflights.js';
import { Progress, ProgressState } from '../../src/raft/progress.js';

function progress(state: ProgressState, match: number, next: number, maxInflight = 4): Progress {
  const pr = new Progress({ next, match, maxInflight, isLearner: false });
  if (state === ProgressState.Replicate) {
    pr.becomeReplicate();
    pr.next = next;
  } else if (state === ProgressState.Snapshot) {
    pr.becomeSnapshot(next);
  }
  return pr;
}

describe('Inflights', () => {
  test('add until full, then add throws', () => {
    const inf = new Inflights(3);
    inf.add(1);
    inf.add(2);
    assert.equal(inf.full(), false);
    inf.add(3);
    assert.equal(inf.full(), true);
    assert.equal(inf.count(), 3);
    assert.throws(() => inf.add(4));
  });

  test('freeLE frees every message whose last index ≤ index, and nothing above', () => {
    const inf = new Inflights(10);
    for (const i of [2, 4, 6, 8, 10]) inf.add(i);
    inf.freeLE(1); // left of the window
    assert.equal(inf.count(), 5);
    inf.freeLE(5);
    assert.equal(inf.count(), 3);
    inf.freeLE(6);
    assert.equal(inf.count(), 2);
    inf.freeLE(100);
    assert.equal(inf.count(), 0);
  });

  test('wraps around the ring buffer', () => {
    const inf = new Inflights(4);
    for (const i of [1, 2, 3, 4]) inf.add(i);
    inf.freeLE(2); // start moves to slot 2
    inf.add(5);
    inf.add(6); // these two wrap into slots 0 and 1
    assert.equal(inf.full(), true);
    inf.freeLE(4);
    assert.equal(inf.count(), 2);
    inf.freeLE(5);
    assert.equal(inf.count(), 1);
    inf.add(7);
    inf.add(8);
    inf.add(9);
    assert.equal(inf.full(), true);
    inf.freeLE(8);
    assert.equal(inf.count(), 1);
    inf.freeLE(9);
    assert.equal(inf.count(), 0);
  });

  test('reset empties', () => {
    const inf = new Inflights(2);
    inf.add(1);
    inf.add(2);
    inf.reset();
    assert.equal(inf.count(), 0);
    inf.add(3);
    assert.equal(inf.count(), 1);
  });

  test('rejects a non-positive capacity', () => {
    assert.throws(() => new Inflights(0), RangeError);
  });

  test('property: behaves like a plain array FIFO', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), step: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('free' as const), back: fc.integer({ min: -2, max: 6 }) }),
      fc.record({ kind: fc.constant('reset' as const) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 60 }), (cap, ops) => {
        const inf = new Inflights(cap);
        let model: number[] = [];
        let last = 0;
        for (const o of ops) {
          if (o.kind === 'add') {
            last += o.step;
            if (model.length === cap) {
              assert.throws(() => inf.add(last));
            } else {
              inf.add(last);
              model.push(last);
            }
          } else if (o.kind === 'free') {
            const to = last - o.back;
            inf.freeLE(to);
            model = model.filter((i) => i > to);
          } else {
            inf.reset();
            model = [];
          }
          assert.equal(inf.count(), model.length);
          assert.equal(inf.full(), model.length === cap);
        }
      }),
    );
  });
});

describe('Progress state transitions', () => {
  test('a new progress probes', () => {
    const pr = new Progress({ next: 6, maxInflight: 4, isLearner: false });
    assert.equal(pr.state, ProgressState.Probe);
    assert.equal(pr.match, 0);
    assert.equal(pr.isPaused(), false);
  });

  test('constructor enforces match < next', () => {
    assert.throws(() => new Progress({ next: 3, match: 3, maxInflight: 1, isLearner: false }), RangeError);
  });

  test('probe → replicate → snapshot → probe', () => {
    const pr = new Progress({ next: 11, maxInflight: 2, isLearner: false });
    pr.sentEntries(12, 2);
    assert.equal(pr.probeSent, true);
    assert.equal(pr.isPaused(), true);
    assert.equal(pr.maybeUpdate(5), true);
    assert.equal(pr.probeSent, false);
    pr.becomeReplicate();
    assert.deepEqual([pr.state, pr.match, pr.next], [ProgressState.Replicate, 5, 6]);

    pr.sentEntries(8, 3);
    pr.sentEntries(10, 2);
    assert.equal(pr.next, 11);
    assert.equal(pr.inflights.count(), 2);
    assert.equal(pr.isPaused(), true); // inflights full

    pr.becomeSnapshot(20);
    assert.deepEqual([pr.state, pr.pendingSnapshot, pr.inflights.count()], [ProgressState.Snapshot, 20, 0]);
    assert.equal(pr.isPaused(), true);
    assert.throws(() => pr.sentEntries(21, 1));

    // §7: once the snapshot is in, probing resumes after it, not after the stale match.
    pr.becomeProbe();
    assert.deepEqual([pr.state, pr.next, pr.pendingSnapshot], [ProgressState.Probe, 21, 0]);
    assert.equal(pr.isPaused(), false);
  });

  test('becomeProbe from replicate restarts at match+1 and clears inflights', () => {
    const pr = progress(ProgressState.Replicate, 5, 6);
    pr.sentEntries(9, 4);
    pr.becomeProbe();
    assert.deepEqual([pr.state, pr.next, pr.inflights.count()], [ProgressState.Probe, 6, 0]);
  });

  test('becomeProbe from snapshot keeps match+1 when match already passed the snapshot', () => {
    const pr = progress(ProgressState.Snapshot, 0, 1);
    pr.becomeSnapshot(10);
    pr.maybeUpdate(15);
    pr.becomeProbe();
    assert.equal(pr.next, 16);
  });

  test('empty append in replicate state takes no inflight slot', () => {
    const pr = progress(ProgressState.Replicate, 5, 6, 1);
    pr.sentEntries(5, 0);
    assert.equal(pr.inflights.count(), 0);
    assert.equal(pr.next, 6);
  });

  test('maybeUpdate ignores stale acks and keeps next ahead', () => {
    const pr = progress(ProgressState.Replicate, 5, 10);
    assert.equal(pr.maybeUpdate(4), false);
    assert.equal(pr.maybeUpdate(5), false);
    assert.deepEqual([pr.match, pr.next], [5, 10]);
    assert.equal(pr.maybeUpdate(7), true);
    assert.deepEqual([pr.match, pr.next], [7, 10]);
    assert.equal(pr.maybeUpdate(12), true);
    assert.deepEqual([pr.match, pr.next], [12, 13]);
  });

  test('toString', () => {
    const pr = progress(ProgressState.Replicate, 5, 6, 1);
    pr.sentEntries(7, 2);
    assert.equal(pr.toString(), 'replicate match=5 next=8 paused inactive inflight=1[full]');
  });
});

describe('maybeDecrTo (§5.3: after a rejection the leader decrements nextIndex and retries)', () => {
  test('replicate: a reject at or below match is stale', () => {
    const pr = progress(ProgressState.Replicate, 5, 10);
    assert.equal(pr.maybeDecrTo(5, 5), false);
    assert.equal(pr.maybeDecrTo(4, 0), false);
    assert.equal(pr.next, 10);
  });

  test('replicate: a genuine reject restarts at match+1, ignoring the hint', () => {
    const pr = progress(ProgressState.Replicate, 5, 10);
    assert.equal(pr.maybeDecrTo(9, 9), true);
    assert.equal(pr.next, 6);
  });

  test('probe: a reject of anything but next-1 is stale', () => {
    const pr = progress(ProgressState.Probe, 0, 10);
    pr.sentEntries(10, 1);
    assert.equal(pr.maybeDecrTo(5, 5), false);
    assert.equal(pr.next, 10);
    assert.equal(pr.probeSent, true);
  });

  test('probe: next jumps to hint+1, bounded by rejected and match+1; the pause ends', () => {
    const pr = progress(ProgressState.Probe, 0, 10);
    pr.sentEntries(10, 1);
    assert.equal(pr.maybeDecrTo(9, 3), true);
    assert.equal(pr.next, 4);
    assert.equal(pr.probeSent, false);

    const big = progress(ProgressState.Probe, 0, 10);
    assert.equal(big.maybeDecrTo(9, 100), true); // hint beyond rejected: just step back one
    assert.equal(big.next, 9);

    const matched = progress(ProgressState.Probe, 3, 10);
    assert.equal(matched.maybeDecrTo(9, 0), true); // never below what is known to match
    assert.equal(matched.next, 4);
  });

  test('property: match < next holds through any sequence of events', () => {
    const ev = fc.oneof(
      fc.record({ k: fc.constant('ack' as const), n: fc.nat(30) }),
      fc.record({ k: fc.constant('reject' as const), r: fc.nat(30), h: fc.nat(30) }),
      fc.record({ k: fc.constant('send' as const), count: fc.nat(3) }),
      fc.record({ k: fc.constant('probe' as const) }),
      fc.record({ k: fc.constant('replicate' as const) }),
      fc.record({ k: fc.constant('snapshot' as const), i: fc.nat(30) }),
    );
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 50 }), (evs) => {
        const pr = new Progress({ next: 1, maxInflight: 3, isLearner: false });
        for (const e of evs) {
          switch (e.k) {
            case 'ack':
              pr.maybeUpdate(e.n);
              pr.inflights.freeLE(e.n);
              break;
            case 'reject':
              pr.maybeDecrTo(e.r, e.h);
              break;
            case 'send':
              if (!pr.isPaused()) pr.sentEntries(pr.next + e.count - 1, e.count);
              break;
            case 'probe':
              pr.becomeProbe();
              break;
            case 'replicate':
              pr.becomeReplicate();
              break;
            case 'snapshot':
              pr.becomeSnapshot(e.i);
              break;
          }
          assert.ok(pr.match >= 0 && pr.match < pr.next, pr.toString());
        }
      }),
    );
  });
});
