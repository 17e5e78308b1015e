// The coordination rules of the replicated state (docs/coordination.md; the shared design, items 1,
// 5 and 6), one test per rule, through StateMachine.apply as the node applies them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoordLog } from './coord-log.js';
import { KvEventType } from '../../src/statemachine/kv-history.js';
import { encodeCommand } from '../../src/statemachine/commands.js';

describe('sessions (item 1)', () => {
  test("a session's id is its create entry's index; the lists show it", () => {
    const log = new CoordLog();
    log.kv({ type: 'put', key: 'x', value: '1' });
    const r = log.coord({ type: 'sessionCreate', owner: 'host:1', ttlMs: 4000, lockDelayMs: 250 });
    assert.deepEqual(r.outcome, { type: 'sessionCreated', session: '2', ttlMs: 4000 });
    assert.deepEqual(log.sm.sessions(), [
      { id: '2', owner: 'host:1', ttlMs: 4000, lockDelayMs: 250, holds: [], waits: [], ephemeralKeys: 0 },
    ]);
    assert.equal(log.sm.session('2')?.owner, 'host:1');
    assert.equal(log.sm.session('1'), undefined);
  });

  test('a retried create (same request id) is answered with the first session, not a second one', () => {
    const log = new CoordLog();
    const create = { type: 'sessionCreate', owner: '', ttlMs: 5000, lockDelayMs: 0, request: { clientId: 'c', requestId: 'r' } } as const;
    const first = log.coord(create);
    const retry = log.coord(create);
    assert.deepEqual(retry.outcome, first.outcome);
    assert.equal(retry.duplicate, true);
    assert.equal(first.duplicate, false);
    assert.deepEqual(
      log.sm.sessions().map((s) => s.id),
      ['1'],
    );
    const r = log.applyData(new Uint8Array(0));
    assert.equal(r.kind, 'command');
  });

  test('ending a session takes it out of every queue it holds or waits in and grants the next waiters in the same entry', () => {
    const log = new CoordLog();
    const a = log.session();
    const b = log.session();
    const c = log.session();
    log.acquire('l1', a);
    log.acquire('l2', a);
    log.acquire('l1', b);
    log.acquire('l2', c);
    log.acquire('l3', b);
    log.acquire('l3', a); // a waits behind b
    const end = log.end(a);
    assert.deepEqual(end.outcome, { type: 'sessionEnded', session: a, ended: true });
    assert.deepEqual(end.grants, [
      { name: 'l1', session: b, token: end.index },
      { name: 'l2', session: c, token: end.index + 1 },
    ]);
    assert.deepEqual(log.holders('l1'), [b]);
    assert.deepEqual(log.holders('l2'), [c]);
    assert.deepEqual(log.waiters('l3'), []);
    assert.equal(log.sm.session(a), undefined);
    assert.deepEqual(log.end(a).outcome, { type: 'sessionEnded', session: a, ended: false }, 'ending it again changes nothing');
  });

  test('ending a session deletes its ephemeral keys as KV deletes with revisions (watchers see them), in key order', () => {
    const log = new CoordLog();
    const s = log.session();
    log.kv({ type: 'put', key: 'svc/b', value: '1', session: s });
    log.kv({ type: 'put', key: 'svc/a', value: '2', session: s });
    log.kv({ type: 'put', key: 'other', value: '3' });
    assert.equal(log.sm.session(s)?.ephemeralKeys, 2);
    assert.equal(log.sm.keySession('svc/a'), s);
    const before = log.sm.revision;
    log.end(s, 'expired');
    assert.equal(log.sm.revision, before + 2);
    assert.deepEqual(log.sm.eventsFrom(before + 1), [
      { type: KvEventType.Delete, revision: before + 1, key: 'svc/a' },
      { type: KvEventType.Delete, revision: before + 2, key: 'svc/b' },
    ]);
    assert.deepEqual(
      log.sm.list().map((kv) => kv.key),
      ['other'],
    );
    assert.equal(log.sm.keySession('svc/a'), undefined);
  });
});

describe('queues (item 5)', () => {
  test('a free lock is granted at once; its token is the granting entry index', () => {
    const log = new CoordLog();
    const a = log.session();
    const r = log.acquire('l', a);
    assert.deepEqual(r.outcome, { type: 'acquired', granted: true, token: r.index });
    assert.deepEqual(r.grants, [{ name: 'l', session: a, token: r.index }]);
    assert.deepEqual(log.sm.session(a)?.holds, ['l']);
  });

  test('acquire is idempotent: holding answers its token, waiting answers its position, without new grants', () => {
    const log = new CoordLog();
    const [a, b, c] = [log.session(), log.session(), log.session()];
    const first = log.acquire('l', a);
    log.acquire('l', b);
    log.acquire('l', c);
    const again = log.acquire('l', a);
    assert.deepEqual(again.outcome, first.outcome);
    assert.deepEqual(again.grants, []);
    assert.deepEqual(log.acquire('l', b).outcome, { type: 'acquired', granted: false, position: 0 });
    assert.deepEqual(log.acquire('l', c).outcome, { type: 'acquired', granted: false, position: 1 });
    assert.deepEqual(log.waiters('l'), [b, c]);
    assert.deepEqual(log.sm.session(c)?.waits, ['l']);
  });

  test('waiters are served in arrival order on release, each release granting the next in the same entry', () => {
    const log = new CoordLog();
    const [a, b, c] = [log.session(), log.session(), log.session()];
    log.acquire('l', a);
    log.acquire('l', b);
    log.acquire('l', c);
    const r1 = log.release('l', a);
    assert.deepEqual(r1.outcome, { type: 'released', released: true });
    assert.deepEqual(r1.grants, [{ name: 'l', session: b, token: r1.index }]);
    const r2 = log.release('l', b);
    assert.deepEqual(r2.grants, [{ name: 'l', session: c, token: r2.index }]);
    assert.deepEqual(log.release('l', b).outcome, { type: 'released', released: false }, 'releasing again');
  });

  test('a waiter that leaves the queue is not granted; the one behind it is', () => {
    const log = new CoordLog();
    const [a, b, c] = [log.session(), log.session(), log.session()];
    log.acquire('l', a);
    log.acquire('l', b);
    log.acquire('l', c);
    assert.deepEqual(log.release('l', b).grants, []);
    assert.deepEqual(
      log.release('l', a).grants.map((g) => g.session),
      [c],
    );
  });

  test('a semaphore grants up to its limit; one release of several slots grants several waiters, tokens max(index, last + 1)', () => {
    const log = new CoordLog();
    const s = [log.session(), log.session(), log.session(), log.session(), log.session()];
    for (const x of s) log.acquire('pool', x, 'semaphore', 2);
    assert.deepEqual(log.holders('pool'), [s[0], s[1]]);
    assert.deepEqual(log.waiters('pool'), [s[2], s[3], s[4]]);
    // Ending one holder frees one slot.
    const e = log.end(s[0]);
    assert.deepEqual(e.grants, [{ name: 'pool', session: s[2], token: e.index }]);
    // A closed session holding two names: each frees and grants in the same entry, by name order
    // (s[3] waits for both, and is next in both).
    log.acquire('other', s[1]);
    const t = log.acquire('other', s[3]);
    assert.deepEqual(t.outcome, { type: 'acquired', granted: false, position: 0 });
    const end = log.end(s[1]);
    assert.deepEqual(end.grants, [
      { name: 'other', session: s[3], token: end.index },
      { name: 'pool', session: s[3], token: end.index + 1 },
    ]);
    // The next grant's token is above both even though its entry index is not.
    const n = log.session();
    const g = log.acquire('fresh', n);
    assert.equal(g.index, end.index + 2);
    assert.deepEqual(g.grants, [{ name: 'fresh', session: n, token: end.index + 2 }]);
    const n2 = log.session();
    assert.deepEqual(log.acquire('fresh2', n2).grants[0]?.token, end.index + 4);
  });

  test('a queue nobody holds or waits for disappears', () => {
    const log = new CoordLog();
    const a = log.session();
    log.acquire('l', a);
    assert.ok(log.sm.queue('l'));
    log.release('l', a);
    assert.equal(log.sm.queue('l'), undefined);
    assert.deepEqual(log.sm.queues(), []);
  });

  test('queues list by prefix, in byte order', () => {
    const log = new CoordLog();
    const a = log.session();
    for (const n of ['locks/é', 'locks/b', 'elect/x', 'locks/a']) log.acquire(n, a);
    assert.deepEqual(
      log.sm.queues('locks/').map((q) => q.name),
      ['locks/a', 'locks/b', 'locks/é'],
    );
    assert.deepEqual(log.sm.session(a)?.holds, ['elect/x', 'locks/a', 'locks/b', 'locks/é']);
  });

  test('a name keeps its kind and limit: asking otherwise is refused QUEUE_MISMATCH', () => {
    const log = new CoordLog();
    const [a, b] = [log.session(), log.session()];
    log.acquire('n', a, 'semaphore', 3);
    assert.equal(log.acquire('n', b, 'semaphore', 4).outcome.type, 'coordRefused');
    const r = log.acquire('n', b, 'lock', 1);
    assert.deepEqual(r.outcome.type === 'coordRefused' && r.outcome.reason, 'QUEUE_MISMATCH');
    assert.deepEqual(log.waiters('n'), []);
  });

  test('an unknown or ended session is refused SESSION_NOT_FOUND (acquire, release, proclaim)', () => {
    const log = new CoordLog();
    const a = log.session();
    log.end(a);
    for (const r of [
      log.acquire('l', a),
      log.release('l', a),
      log.coord({ type: 'proclaim', name: 'l', session: a, token: 1, value: '' }),
      log.acquire('l', '999'),
    ]) {
      assert.equal(r.outcome.type === 'coordRefused' && r.outcome.reason, 'SESSION_NOT_FOUND');
    }
    assert.equal(log.sm.queue('l'), undefined);
  });

  test("proclaim changes the holder's value only with its own token; otherwise NOT_HOLDER", () => {
    const log = new CoordLog();
    const [a, b] = [log.session(), log.session()];
    const g = log.acquire('e', a, 'election', 1, 'v1');
    const token = g.grants[0].token;
    log.acquire('e', b, 'election', 1, 'w');
    assert.deepEqual(log.coord({ type: 'proclaim', name: 'e', session: a, token, value: 'v2' }).outcome, { type: 'proclaimed' });
    assert.equal(log.sm.queue('e')?.holders[0].value, 'v2');
    for (const [session, t] of [
      [a, token + 1],
      [b, token],
    ] as const) {
      const r = log.coord({ type: 'proclaim', name: 'e', session, token: t, value: 'x' });
      assert.equal(r.outcome.type === 'coordRefused' && r.outcome.reason, 'NOT_HOLDER');
    }
    assert.equal(log.sm.queue('e')?.holders[0].value, 'v2');
  });

  test('lock-delay: an expired holder delays the queue until the lockDelayEnd of that expiry; a close does not', () => {
    const log = new CoordLog();
    const [a, b, c] = [log.session({ lockDelayMs: 2000 }), log.session(), log.session()];
    log.acquire('l', a);
    log.acquire('l', b);
    const exp = log.end(a, 'expired');
    assert.deepEqual(exp.grants, [], 'nobody is granted while the delay runs');
    assert.deepEqual(
      log.sm.delayedQueues().map((q) => [q.name, q.delayedSince, q.delayMs]),
      [['l', exp.index, 2000]],
    );
    assert.deepEqual(log.acquire('l', c).outcome, { type: 'acquired', granted: false, position: 1 });
    assert.deepEqual(log.coord({ type: 'lockDelayEnd', name: 'l', since: exp.index - 1 }).grants, [], 'another delay start: no effect');
    const end = log.coord({ type: 'lockDelayEnd', name: 'l', since: exp.index });
    assert.deepEqual(end.outcome, { type: 'lockDelayEnded' });
    assert.deepEqual(end.grants, [{ name: 'l', session: b, token: end.index }]);
    assert.deepEqual(log.sm.delayedQueues(), []);
    // The same holder closing instead: no delay.
    const d = log.session({ lockDelayMs: 2000 });
    log.acquire('m', d);
    const e2 = log.session();
    log.acquire('m', e2);
    assert.deepEqual(
      log.end(d, 'closed').grants.map((g) => g.session),
      [e2],
    );
  });

  test('a second expiry during a delay restarts it with the longer delay, so neither is cut short', () => {
    const log = new CoordLog();
    const [a, b, c] = [log.session({ lockDelayMs: 2000 }), log.session({ lockDelayMs: 500 }), log.session()];
    log.acquire('s', a, 'semaphore', 2);
    log.acquire('s', b, 'semaphore', 2);
    log.acquire('s', c, 'semaphore', 2);
    const first = log.end(a, 'expired');
    const second = log.end(b, 'expired');
    assert.deepEqual(
      log.sm.delayedQueues().map((q) => [q.delayedSince, q.delayMs]),
      [[second.index, 2000]],
    );
    assert.deepEqual(log.coord({ type: 'lockDelayEnd', name: 's', since: first.index }).grants, [], 'the first delay is superseded');
    assert.deepEqual(
      log.coord({ type: 'lockDelayEnd', name: 's', since: second.index }).grants.map((g) => g.session),
      [c],
    );
  });

  test('a delayed queue with nobody in it stays until the delay ends, so the delay holds for newcomers', () => {
    const log = new CoordLog();
    const a = log.session({ lockDelayMs: 500 });
    log.acquire('l', a);
    const exp = log.end(a, 'expired');
    assert.ok(log.sm.queue('l'));
    const b = log.session();
    assert.deepEqual(log.acquire('l', b).outcome, { type: 'acquired', granted: false, position: 0 });
    log.release('l', b);
    assert.ok(log.sm.queue('l'), 'still delayed');
    log.coord({ type: 'lockDelayEnd', name: 'l', since: exp.index });
    assert.equal(log.sm.queue('l'), undefined);
  });

  test('tokens strictly increase per name and across names', () => {
    const log = new CoordLog();
    const s = [log.session(), log.session(), log.session()];
    const tokens: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (const x of s) {
        for (const g of log.acquire(`n${round % 2}`, x).grants) tokens.push(g.token);
      }
      for (const x of s) for (const g of log.release(`n${round % 2}`, x).grants) tokens.push(g.token);
    }
    assert.ok(tokens.length > 8);
    for (let i = 1; i < tokens.length; i++) assert.ok(tokens[i] > tokens[i - 1], `${tokens[i - 1]} then ${tokens[i]}`);
  });
});

describe('KV guard and ephemeral keys (item 6)', () => {
  test('a write guarded by the current token applies; by a stale one it is refused with no revision', () => {
    const log = new CoordLog();
    const [a, b] = [log.session(), log.session()];
    const old = log.acquire('l', a).grants[0].token;
    assert.deepEqual(log.kv({ type: 'put', key: 'k', value: '1', ifToken: { name: 'l', token: old } }).type, 'put');
    log.acquire('l', b);
    const fresh = log.release('l', a).grants[0].token;
    const rev = log.sm.revision;
    for (const cmd of [
      { type: 'put' as const, key: 'k', value: '2', ifToken: { name: 'l', token: old } },
      { type: 'delete' as const, key: 'k', ifToken: { name: 'l', token: old } },
      { type: 'cas' as const, key: 'k', expectedRevision: rev, value: '2', ifToken: { name: 'l', token: old } },
      { type: 'put' as const, key: 'k', value: '2', ifToken: { name: 'other', token: fresh } },
    ]) {
      const o = log.kv(cmd);
      assert.deepEqual(o.type === 'writeRefused' && [o.reason, o.revision], ['STALE_FENCING_TOKEN', rev], JSON.stringify(cmd));
    }
    assert.equal(log.sm.revision, rev);
    assert.equal(log.sm.get('k')?.value, '1');
    assert.equal(log.kv({ type: 'delete', key: 'k', ifToken: { name: 'l', token: fresh } }).type, 'delete');
    assert.equal(log.sm.get('k'), undefined);
  });

  test('a refused guarded write is remembered: its retry gets the same refusal, even once the guard would hold', () => {
    const log = new CoordLog();
    const request = { clientId: 'c', requestId: 'r' };
    const put = { type: 'put' as const, key: 'k', value: '1', ifToken: { name: 'l', token: 3 }, request };
    const first = log.kv(put);
    assert.equal(first.type === 'writeRefused' && first.reason, 'STALE_FENCING_TOKEN');
    const s = log.session();
    assert.deepEqual(log.acquire('l', s).grants[0]?.token, 3);
    const retry = log.applyData(encodeCommand(put));
    assert.deepEqual(retry.kind === 'command' && [retry.outcome, retry.duplicate], [first, true]);
    assert.equal(log.sm.get('k'), undefined);
  });

  test('a write with an ended session is refused SESSION_NOT_FOUND and binds nothing', () => {
    const log = new CoordLog();
    const s = log.session();
    log.end(s);
    const o = log.kv({ type: 'put', key: 'k', value: '1', session: s });
    assert.deepEqual(o.type === 'writeRefused' && o.reason, 'SESSION_NOT_FOUND');
    assert.equal(log.sm.get('k'), undefined);
    const c = log.kv({ type: 'cas', key: 'k', expectedRevision: 0, value: '1', session: '77' });
    assert.deepEqual(c.type === 'writeRefused' && c.reason, 'SESSION_NOT_FOUND');
  });

  test('a later write without a session unbinds the key; a delete unbinds it; a failed cas binds nothing', () => {
    const log = new CoordLog();
    const s = log.session();
    log.kv({ type: 'put', key: 'a', value: '1', session: s });
    log.kv({ type: 'put', key: 'a', value: '2' });
    log.kv({ type: 'put', key: 'b', value: '1', session: s });
    log.kv({ type: 'delete', key: 'b' });
    log.kv({ type: 'put', key: 'b', value: 'again' });
    log.kv({ type: 'cas', key: 'c', expectedRevision: 99, value: '1', session: s });
    log.kv({ type: 'cas', key: 'd', expectedRevision: 0, value: '1', session: s });
    assert.equal(log.sm.session(s)?.ephemeralKeys, 1);
    log.end(s);
    assert.deepEqual(
      log.sm.list().map((kv) => [kv.key, kv.value]),
      [
        ['a', '2'],
        ['b', 'again'],
      ],
    );
  });

  test('a key moves from one session to another with a write naming the other', () => {
    const log = new CoordLog();
    const [s, t] = [log.session(), log.session()];
    log.kv({ type: 'put', key: 'k', value: '1', session: s });
    log.kv({ type: 'put', key: 'k', value: '2', session: t });
    assert.equal(log.sm.session(s)?.ephemeralKeys, 0);
    log.end(s);
    assert.equal(log.sm.get('k')?.value, '2');
    log.end(t);
    assert.equal(log.sm.get('k'), undefined);
  });
});
