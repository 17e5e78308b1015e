// The grant notifier (src/server/grant-waiters.ts, design item 7) and the Observe registry
// (src/server/holder-observers.ts): a grant wakes exactly the granted (name, session) callers —
// not the other waiters of the name, not the session's waits for other names — a session's end
// fails all its waits with SESSION_NOT_FOUND, an abort removes one caller; observers hear the
// holders now and then only real changes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HolderView } from '../../src/api/coordination-port.js';
import { SessionNotFoundError } from '../../src/errors.js';
import { GrantWaiters } from '../../src/server/grant-waiters.js';
import { HolderObservers } from '../../src/server/holder-observers.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Records how each promise settled. */
function track(p: Promise<number>): { state: string } {
  const t = { state: 'waiting' };
  p.then(
    (token) => (t.state = `granted ${token}`),
    (err: Error) => (t.state = `${err.name}`),
  );
  return t;
}

describe('grant waiters', () => {
  test('a grant wakes only the granted (name, session) callers', async () => {
    const w = new GrantWaiters();
    const signal = new AbortController().signal;
    const a1 = track(w.wait('lock/a', '5', signal));
    const a2 = track(w.wait('lock/a', '5', signal)); // a re-issued call of the same session
    const other = track(w.wait('lock/a', '6', signal));
    const elsewhere = track(w.wait('lock/b', '5', signal));
    w.granted([{ name: 'lock/a', session: '5', token: 40 }]);
    await settle();
    assert.deepEqual([a1.state, a2.state, other.state, elsewhere.state], ['granted 40', 'granted 40', 'waiting', 'waiting']);
    w.granted([
      { name: 'lock/b', session: '5', token: 41 },
      { name: 'lock/a', session: '6', token: 42 },
    ]);
    await settle();
    assert.deepEqual([other.state, elsewhere.state], ['granted 42', 'granted 41']);
    assert.equal(w.size, 0);
  });

  test("a session's end fails all its waits, and only its own", async () => {
    const w = new GrantWaiters();
    const signal = new AbortController().signal;
    const a = track(w.wait('lock/a', '5', signal));
    const b = track(w.wait('lock/b', '5', signal));
    const other = track(w.wait('lock/a', '6', signal));
    w.sessionEnded('5', 'session 5 expired');
    await settle();
    assert.deepEqual([a.state, b.state, other.state], [SessionNotFoundError.name, SessionNotFoundError.name, 'waiting']);
    w.granted([{ name: 'lock/a', session: '5', token: 9 }]);
    w.granted([{ name: 'lock/a', session: '6', token: 10 }]);
    await settle();
    assert.equal(other.state, 'granted 10');
  });

  test('an abort removes that caller only; an aborted signal never registers', async () => {
    const w = new GrantWaiters();
    const gone = new AbortController();
    const stays = new AbortController();
    const g = track(w.wait('lock/a', '5', gone.signal));
    const s = track(w.wait('lock/a', '5', stays.signal));
    gone.abort(new Error('caller went away'));
    await settle();
    assert.deepEqual([g.state, s.state], ['Error', 'waiting']);
    w.granted([{ name: 'lock/a', session: '5', token: 3 }]);
    await settle();
    assert.equal(s.state, 'granted 3');
    await assert.rejects(w.wait('lock/a', '5', gone.signal), /caller went away/);
    assert.equal(w.size, 0);
  });
});

describe('holder observers', () => {
  test('the holders now, then one call per real change with its index; cancel stops the calls', () => {
    let holders: HolderView[] = [];
    const obs = new HolderObservers(() => holders);
    const seen: [number, string[]][] = [];
    const cancel = obs.observe('e', 3, (c) => seen.push([c.index, c.holders.map((h) => `${h.session}:${h.value}`)]));
    obs.applied(4); // an entry that changed nothing here
    holders = [{ session: '5', owner: 'o', token: 7, value: 'v1' }];
    obs.applied(7);
    holders = [{ session: '5', owner: 'o', token: 7, value: 'v2' }];
    obs.applied(8);
    cancel();
    holders = [];
    obs.applied(9);
    assert.deepEqual(seen, [
      [3, []],
      [7, ['5:v1']],
      [8, ['5:v2']],
    ]);
    assert.equal(obs.size, 0);
  });
});
