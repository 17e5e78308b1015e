import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Dedup } from '../../src/statemachine/dedup.js';
import { StateMachine } from '../../src/statemachine/state-machine.js';
import type { Command } from '../../src/statemachine/commands.js';
import { entriesOf, kvCommand } from './arbitraries.js';

const r = (clientId: string, requestId: string) => ({ clientId, requestId });

describe('Dedup', () => {
  test('remembers a result per (clientId, requestId)', () => {
    const d = new Dedup<number>();
    d.remember(r('c1', 'x'), 1);
    d.remember(r('c2', 'x'), 2);
    assert.equal(d.lookup(r('c1', 'x')), 1);
    assert.equal(d.lookup(r('c2', 'x')), 2);
    assert.equal(d.lookup(r('c1', 'y')), undefined);
  });

  test('keeps the last perClient requests of each client, oldest evicted first', () => {
    const d = new Dedup<number>({ perClient: 2, maxClients: 10 });
    d.remember(r('c', 'a'), 1);
    d.remember(r('c', 'b'), 2);
    d.remember(r('c', 'c'), 3);
    assert.equal(d.lookup(r('c', 'a')), undefined);
    assert.deepEqual(d.entries(), [
      {
        clientId: 'c',
        requests: [
          ['b', 2],
          ['c', 3],
        ],
      },
    ]);
  });

  test('keeps the maxClients most recently active clients', () => {
    const d = new Dedup<number>({ perClient: 5, maxClients: 2 });
    d.remember(r('c1', 'a'), 1);
    d.remember(r('c2', 'a'), 2);
    d.remember(r('c1', 'b'), 3); // c1 is now the most recent
    d.remember(r('c3', 'a'), 4); // evicts c2
    assert.deepEqual(
      d.entries().map((c) => c.clientId),
      ['c1', 'c3'],
    );
  });

  test('fromParts(entries()) rebuilds the same eviction order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('c1', 'c2', 'c3', 'c4'), fc.constantFrom('a', 'b', 'c', 'd')), { maxLength: 40 }),
        (reqs) => {
          const limits = { perClient: 2, maxClients: 3 };
          const d = new Dedup<number>(limits);
          reqs.forEach(([c, q], i) => d.remember(r(c, q), i));
          const copy = Dedup.fromParts(limits, d.entries());
          assert.deepEqual(copy.entries(), d.entries());
          d.remember(r('c9', 'z'), -1);
          copy.remember(r('c9', 'z'), -1);
          assert.deepEqual(copy.entries(), d.entries());
        },
      ),
    );
  });
});

describe('idempotent requests through the state machine', () => {
  test('a retried put is applied once and answered with the original result', () => {
    const sm = StateMachine.create();
    const put: Command = { type: 'put', key: 'k', value: 'v1', request: r('c1', 'req-1') };
    const [first, other, retry] = entriesOf([put, { type: 'put', key: 'k', value: 'v2' }, put]).map((e) => sm.apply(e));
    // Both carry the request id: the node answers whoever waits on it without decoding again.
    assert.deepEqual(first, {
      kind: 'command',
      index: 1,
      outcome: { type: 'put', revision: 1 },
      duplicate: false,
      request: r('c1', 'req-1'),
    });
    assert.deepEqual(
      other,
      { kind: 'command', index: 2, outcome: { type: 'put', revision: 2 }, duplicate: false },
      'no request id, none reported',
    );
    assert.deepEqual(retry, {
      kind: 'command',
      index: 3,
      outcome: { type: 'put', revision: 1 },
      duplicate: true,
      request: r('c1', 'req-1'),
    });
    assert.equal(sm.get('k')?.value, 'v2', 'the retry did not overwrite the later put');
    assert.equal(sm.revision, 2);
  });

  test('property: every request id takes effect once (retries are no-ops returning the first outcome)', () => {
    fc.assert(
      fc.property(fc.array(kvCommand, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 30 }), (cmds, retryPicks) => {
        // Interleave retries: re-propose earlier commands at random later positions.
        const log: Command[] = [];
        cmds.forEach((c, i) => {
          log.push(c);
          const pick = retryPicks[i];
          if (pick !== undefined) log.push(log[pick % log.length]);
        });
        const withRetries = StateMachine.create();
        const firstOutcome = new Map<string, unknown>();
        const applied: Command[] = [];
        entriesOf(log).forEach((e, i) => {
          const res = withRetries.apply(e);
          assert.equal(res.kind, 'command');
          if (res.kind !== 'command') return;
          const c = log[i];
          const id = 'request' in c && c.request ? `${c.request.clientId}/${c.request.requestId}` : undefined;
          if (id === undefined || !firstOutcome.has(id)) {
            assert.equal(res.duplicate, false);
            applied.push(c);
            if (id !== undefined) firstOutcome.set(id, res.outcome);
          } else {
            assert.equal(res.duplicate, true);
            assert.deepEqual(res.outcome, firstOutcome.get(id));
          }
        });
        // Same state as applying only the first copy of each request.
        const once = StateMachine.create();
        entriesOf(applied).forEach((e) => once.apply(e));
        assert.deepEqual(withRetries.list(), once.list());
        assert.equal(withRetries.revision, once.revision);
      }),
    );
  });
});
