import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ReannounceTrigger } from '../../src/ha/reannounce.js';

const trigger = () => new ReannounceTrigger({ quietMs: 300, minIntervalMs: 1000 });

describe('VIP re-announcement after an ambiguous period', () => {
  test('steady contact never announces', () => {
    const t = trigger();
    for (let now = 0; now < 5000; now += 50) {
      t.peerHeard('n2', now);
      t.leaseRenewed(now);
      assert.equal(t.poll(now, true), undefined, `at ${now}`);
    }
  });

  test('a peer heard again after a silence of an election timeout announces once', () => {
    const t = trigger();
    t.peerHeard('n2', 0);
    t.peerHeard('n2', 100);
    t.peerHeard('n2', 100); // polled again, nothing new
    assert.equal(t.poll(150, true), undefined);
    t.peerHeard('n2', 450);
    assert.match(t.poll(460, true) ?? '', /n2 heard again after 350 ms/);
    assert.equal(t.poll(470, true), undefined, 'only once');
  });

  test('a lease renewed after a gap announces', () => {
    const t = trigger();
    t.leaseRenewed(0);
    t.leaseRenewed(50);
    assert.equal(t.poll(60, true), undefined);
    t.leaseRenewed(400);
    assert.match(t.poll(400, true) ?? '', /lease renewed after a gap of 350 ms/);
  });

  test('resume announces', () => {
    const t = trigger();
    t.resumed();
    assert.match(t.poll(0, true) ?? '', /resumed/);
  });

  test('announcements are rate-limited, and a trigger inside the interval is deferred, not lost', () => {
    const t = trigger();
    t.resumed();
    assert.ok(t.poll(0, true));
    t.resumed();
    assert.equal(t.poll(500, true), undefined);
    assert.match(t.poll(1000, true) ?? '', /resumed/);
  });

  test('a node that does not serve drops triggers (its next promotion announces anyway)', () => {
    const t = trigger();
    t.resumed();
    assert.equal(t.poll(0, false), undefined);
    assert.equal(t.poll(10, true), undefined);
  });

  test('the first contact with a peer is not a return', () => {
    const t = trigger();
    t.peerHeard('n3', 10_000);
    assert.equal(t.poll(10_000, true), undefined);
  });
});
