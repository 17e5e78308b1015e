import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StateMachine } from '../../src/statemachine/state-machine.js';
import { WatchHub } from '../../src/statemachine/watch-hub.js';
import { WatchCompactedError, WatchOverflowError } from '../../src/statemachine/errors.js';
import { eventKey, type KvEvent } from '../../src/statemachine/kv-history.js';
import type { Command } from '../../src/statemachine/commands.js';
import { entriesOf, kvCommand, prefix } from './arbitraries.js';

/** A replica plus its hub, applying commands the way the server's Ready loop will. */
function replica(options = {}) {
  const sm = StateMachine.create(options);
  const hub = new WatchHub(sm);
  const apply = (...cmds: Command[]) => {
    for (const e of entriesOf(cmds, sm.appliedIndex + 1)) sm.apply(e);
    hub.notify();
  };
  return { sm, hub, apply };
}

const put = (key: string, value = 'v'): Command => ({ type: 'put', key, value });
const revs = (es: KvEvent[]) => es.map((e) => e.revision);

describe('WatchHub', () => {
  test('replays history from a revision, then streams new changes, filtered by prefix', async () => {
    const { hub, apply } = replica();
    apply(put('app/a'), put('other'), put('app/b')); // revisions 1..3
    const w = hub.watch({ prefix: 'app/', fromRevision: 2 });
    assert.deepEqual(revs(w.drain()), [3]);
    apply({ type: 'delete', key: 'app/a' }, put('zzz')); // 4, 5
    const next = await w.next();
    assert.deepEqual(next, { value: { type: 'delete', revision: 4, key: 'app/a' }, done: false });
    assert.deepEqual(w.drain(), []);
  });

  test('fromRevision 0 means "from now on"', () => {
    const { hub, apply } = replica();
    apply(put('a'));
    const w = hub.watch();
    assert.deepEqual(w.drain(), []);
    apply(put('b'));
    assert.deepEqual(revs(w.drain()), [2]);
  });

  test('a pending next() is woken by the next apply; for-await works and break cancels', async () => {
    const { hub, apply } = replica();
    const w = hub.watch({ prefix: 'k' });
    const pending = w.next();
    apply(put('k1'));
    const woken = await pending;
    assert.ok(woken.done !== true, 'the watch yields an event, not its end');
    assert.equal(woken.value.revision, 1);
    apply(put('k2'), put('k3'));
    const seen: number[] = [];
    for await (const e of w) {
      seen.push(e.revision);
      if (seen.length === 2) break;
    }
    assert.deepEqual(seen, [2, 3]);
    assert.equal(w.state, 'cancelled');
    assert.equal(hub.size, 0);
  });

  test('watching a compacted revision throws WatchCompactedError with the oldest available revision', () => {
    const { hub, apply } = replica({ history: { maxEvents: 2, maxBytes: 1 << 20 } });
    apply(put('a'), put('b'), put('c'), put('d'));
    assert.throws(
      () => hub.watch({ fromRevision: 2 }),
      (e: unknown) => e instanceof WatchCompactedError && e.oldestRevision === 3 && e.code === 'SM_WATCH_COMPACTED',
    );
    assert.deepEqual(revs(hub.watch({ fromRevision: 3 }).drain()), [3, 4]);
  });

  test('a slow watcher overflows and is cancelled with a reason; apply and other watchers carry on', async () => {
    const { sm, hub, apply } = replica();
    const slow = hub.watch({ bufferLimit: 2 });
    const fast = hub.watch({ bufferLimit: 2 });
    apply(put('a'), put('b'));
    assert.equal(fast.drain().length, 2);
    apply(put('c'));
    assert.equal(slow.state, 'failed');
    assert.ok(slow.error instanceof WatchOverflowError);
    assert.equal(slow.error.nextRevision, 1, 'says where to resume');
    await assert.rejects(slow.next(), WatchOverflowError);
    assert.throws(() => slow.drain(), WatchOverflowError);
    assert.equal(sm.revision, 3);
    assert.deepEqual(revs(fast.drain()), [3]);
    assert.equal(hub.size, 1);
  });

  test('a watcher that falls behind the history between notifies gets WatchCompactedError', async () => {
    const sm = StateMachine.create({ history: { maxEvents: 2, maxBytes: 1 << 20 } });
    const hub = new WatchHub(sm);
    const w = hub.watch();
    const pending = w.next();
    entriesOf([put('a'), put('b'), put('c')]).forEach((e) => sm.apply(e)); // no notify in between
    hub.notify();
    await assert.rejects(pending, WatchCompactedError);
  });

  test('after a snapshot restore, watches continue from their cursor', () => {
    const { sm, hub, apply } = replica();
    apply(put('a'));
    const w = hub.watch();
    // Another replica got further; this one installs its snapshot.
    const leader = StateMachine.restore(sm.snapshot());
    entriesOf([put('b'), put('c')], 2).forEach((e) => leader.apply(e));
    hub.setSource(StateMachine.restore(leader.snapshot()));
    assert.deepEqual(revs(w.drain()), [2, 3]);
  });

  test('close() ends every watch; pending next() resolves done', async () => {
    const { hub } = replica();
    const w = hub.watch();
    const pending = w.next();
    hub.close();
    assert.deepEqual(await pending, { value: undefined, done: true });
    assert.equal(hub.size, 0);
  });

  test('property: a watch sees exactly the matching changes, in revision order, whatever the notify pattern', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(kvCommand, fc.boolean()), { maxLength: 40 }), prefix, fc.nat(10), (steps, p, start) => {
        const sm = StateMachine.create();
        const hub = new WatchHub(sm);
        const from = start + 1;
        const w = hub.watch({ prefix: p, fromRevision: from });
        const got: KvEvent[] = [];
        steps.forEach(([c, notify], i) => {
          sm.apply(entriesOf([c], i + 1)[0]);
          if (notify) {
            hub.notify();
            got.push(...w.drain());
          }
        });
        hub.notify();
        got.push(...w.drain());
        const expected = sm.eventsFrom(from).filter((e) => eventKey(e).startsWith(p));
        assert.deepEqual(got, expected);
      }),
    );
  });
});
