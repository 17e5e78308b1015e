// Properties of the replicated coordination state over random command sequences (fast-check):
// no queue ever has more holders than its limit; grant tokens strictly increase, per name and
// overall; once a session ends, none of its keys is left; restoring a snapshot taken anywhere and
// applying the rest gives what applying everything gives (results and bytes).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeCommand, encodeCommand, type Command } from '../../src/statemachine/commands.js';
import { decodeCoordCommand, encodeCoordCommand, isCoordCommand } from '../../src/statemachine/coord-codec.js';
import { CoordOracle } from './coord-oracle.js';
import type { CoordCommand, QueueKind } from '../../src/statemachine/coord-record.js';
import { StateMachine } from '../../src/statemachine/state-machine.js';
import type { SessionView } from '../../src/statemachine/coord-state.js';
import { EntryType, type Entry } from '../../src/raft/types.js';
import type { ApplyResult } from '../../src/statemachine/results.js';

/** A step names sessions by position among those created so far (ended ones included), so sequences stay meaningful. */
type Step =
  | { readonly op: 'create'; readonly lockDelay: boolean; readonly retry: boolean }
  /** `busiest`: the live session holding the most names (ending it frees several queues at once). */
  | { readonly op: 'end'; readonly who: number; readonly busiest: boolean; readonly expired: boolean }
  | { readonly op: 'acquire'; readonly who: number; readonly name: string; readonly shape: number }
  | { readonly op: 'release'; readonly who: number; readonly name: string }
  | { readonly op: 'proclaim'; readonly who: number; readonly name: string; readonly ownToken: boolean }
  | { readonly op: 'delayEnd'; readonly name: string; readonly current: boolean }
  | { readonly op: 'put'; readonly key: string; readonly who: number | null; readonly guard: string | null }
  | { readonly op: 'delete'; readonly key: string };

const names = ['a', 'b', 'c'];
const SHAPES: readonly [QueueKind, number][] = [
  ['lock', 1],
  ['election', 1],
  ['semaphore', 2],
  ['semaphore', 3],
];
const name = fc.constantFrom(...names);
const who = fc.nat(3);

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('create' as const),
      lockDelay: fc.boolean(),
      retry: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, fc.constant(true)),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('end' as const), who, busiest: fc.boolean(), expired: fc.boolean() }) },
  // The same names mostly keep one shape, so queues grow; sometimes another, for mismatches.
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant('acquire' as const),
      who,
      name,
      shape: fc.oneof({ weight: 9, arbitrary: fc.constant(-1) }, fc.nat(3)),
    }),
  },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('release' as const), who, name }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('proclaim' as const), who, name, ownToken: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delayEnd' as const), name, current: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('put' as const),
      key: fc.constantFrom('k1', 'k2', 'k3'),
      who: fc.option(who, { nil: null }),
      guard: fc.option(name, { nil: null }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom('k1', 'k2', 'k3') }) },
);

/** Turns steps into entry data against the state so far (which sessions exist, which tokens are held). */
class Driver {
  readonly sm = StateMachine.create();
  readonly created: string[] = [];
  readonly entries: Entry[] = [];
  readonly results: ApplyResult[] = [];
  private requests = 0;

  run(s: Step): ApplyResult {
    const data = this.dataOf(s);
    const e: Entry = { index: this.sm.appliedIndex + 1, term: 1, type: EntryType.Normal, data };
    const r = this.sm.apply(e);
    this.entries.push(e);
    this.results.push(r);
    if (r.kind === 'command' && r.outcome.type === 'coord' && r.outcome.outcome.type === 'sessionCreated' && !r.duplicate) {
      this.created.push(r.outcome.outcome.session);
    }
    return r;
  }

  /** The i-th newest session created (live or not): recent ones are likely alive, older ones not. */
  private session(i: number): string {
    return this.created.length === 0 ? '999' : this.created[this.created.length - 1 - (i % this.created.length)];
  }

  private dataOf(s: Step): Uint8Array {
    const coord = (c: CoordCommand): Uint8Array => encodeCoordCommand(c);
    const kv = (c: Command): Uint8Array => encodeCommand(c);
    switch (s.op) {
      case 'create': {
        // A retry repeats the previous create's request id: dedup must answer it.
        if (!s.retry) this.requests++;
        const request = { clientId: 'c', requestId: String(this.requests) };
        return coord({ type: 'sessionCreate', owner: '', ttlMs: 2000, lockDelayMs: s.lockDelay ? 1000 : 0, request });
      }
      case 'end': {
        const busiest = this.sm
          .sessions()
          .reduce<SessionView | undefined>((b, x) => (b === undefined || x.holds.length > b.holds.length ? x : b), undefined);
        const session = s.busiest && busiest !== undefined ? busiest.id : this.session(s.who);
        return coord({ type: 'sessionEnd', session, reason: s.expired ? 'expired' : 'closed' });
      }
      case 'acquire': {
        const q = this.sm.queue(s.name);
        const [kind, limit] = s.shape < 0 ? (q !== undefined ? [q.kind, q.limit] : SHAPES[names.indexOf(s.name) + 1]) : SHAPES[s.shape];
        return coord({ type: 'acquire', name: s.name, session: this.session(s.who), kind, limit, value: `v${this.sm.appliedIndex}` });
      }
      case 'release':
        return coord({ type: 'release', name: s.name, session: this.session(s.who) });
      case 'proclaim': {
        const session = this.session(s.who);
        const held = this.sm.queue(s.name)?.holders.find((h) => h.session === session)?.token;
        return coord({ type: 'proclaim', name: s.name, session, token: s.ownToken && held !== undefined ? held : 5, value: 'v' });
      }
      case 'delayEnd': {
        const since = this.sm.queue(s.name)?.delayedSince ?? 0;
        return coord({ type: 'lockDelayEnd', name: s.name, since: s.current && since > 0 ? since : 1 });
      }
      case 'put': {
        const token = s.guard === null ? undefined : (this.sm.queue(s.guard)?.holders[0]?.token ?? 1);
        return kv({
          type: 'put',
          key: s.key,
          value: String(this.sm.appliedIndex),
          ...(s.who === null ? {} : { session: this.session(s.who) }),
          ...(s.guard === null || token === undefined ? {} : { ifToken: { name: s.guard, token } }),
        });
      }
      case 'delete':
        return kv({ type: 'delete', key: s.key });
      default: {
        const never: never = s;
        throw new Error(`unknown step ${JSON.stringify(never)}`);
      }
    }
  }
}

/** Three sessions first: steps before any session exists would mostly be refusals. */
const create: Step = { op: 'create', lockDelay: false, retry: false };
const steps = fc.array(step, { minLength: 1, maxLength: 80, size: 'max' }).map((ss) => [create, create, create, ...ss]);
const RUNS = { numRuns: 400 };

describe('coordination state: properties over random command sequences', () => {
  test('no queue ever has more holders than its limit, every holder and waiter is a live session, and the delayed list is exact', () => {
    fc.assert(
      fc.property(steps, (ss) => {
        const d = new Driver();
        for (const s of ss) {
          d.run(s);
          const live = new Set(d.sm.sessions().map((x) => x.id));
          for (const q of d.sm.queues()) {
            assert.ok(q.holders.length <= q.limit, `${q.name}: ${q.holders.length} holders, limit ${q.limit}`);
            for (const m of [...q.holders, ...q.waiters]) assert.ok(live.has(m.session), `${q.name}: ${m.session} ended`);
          }
          assert.deepEqual(
            d.sm.delayedQueues(),
            d.sm.queues().filter((q) => q.delayedSince !== 0),
            'the delayed index',
          );
        }
      }),
      RUNS,
    );
  });

  test('grant tokens strictly increase, per name and across names, and each holder keeps its grant token', () => {
    fc.assert(
      fc.property(steps, (ss) => {
        const d = new Driver();
        let last = 0;
        const granted = new Map<string, number>();
        for (const s of ss) {
          const r = d.run(s);
          if (r.kind !== 'command' || r.outcome.type !== 'coord') continue;
          for (const g of r.outcome.grants) {
            assert.ok(g.token > last, `token ${g.token} after ${last}`);
            assert.ok(g.token >= r.index, 'a token is at least its entry index');
            last = g.token;
            granted.set(`${g.name}\u0000${g.session}`, g.token);
          }
          for (const q of d.sm.queues()) {
            for (const h of q.holders) assert.equal(h.token, granted.get(`${q.name}\u0000${h.session}`));
          }
        }
      }),
      RUNS,
    );
  });

  test('once a session ends, none of its keys is left in the store, and nothing refers to it', () => {
    fc.assert(
      fc.property(steps, (ss) => {
        const d = new Driver();
        for (const s of ss) {
          const bound = new Map<string, string>();
          for (const key of ['k1', 'k2', 'k3']) {
            const owner = d.sm.keySession(key);
            if (owner !== undefined) bound.set(key, owner);
          }
          const r = d.run(s);
          if (r.kind !== 'command' || r.outcome.type !== 'coord' || r.outcome.outcome.type !== 'sessionEnded') continue;
          const ended = r.outcome.outcome.session;
          for (const [key, owner] of bound) if (owner === ended) assert.equal(d.sm.get(key), undefined, `${key} of ${ended} is left`);
          assert.equal(d.sm.session(ended), undefined);
          for (const key of ['k1', 'k2', 'k3']) assert.notEqual(d.sm.keySession(key), ended);
        }
      }),
      RUNS,
    );
  });

  test('restoring a snapshot taken at any index, then applying the rest, equals applying everything', () => {
    fc.assert(
      fc.property(steps, fc.nat(), (ss, cutSeed) => {
        const d = new Driver();
        for (const s of ss) d.run(s);
        const cut = cutSeed % (d.entries.length + 1);
        const replay = StateMachine.create();
        for (const e of d.entries.slice(0, cut)) replay.apply(e);
        const restored = StateMachine.restore(replay.snapshot());
        const rest = d.entries.slice(cut).map((e) => restored.apply(e));
        assert.deepEqual(rest, d.results.slice(cut));
        assert.deepEqual(restored.sessions(), d.sm.sessions());
        assert.deepEqual(restored.queues(), d.sm.queues());
        assert.deepEqual(restored.snapshot(), d.sm.snapshot());
      }),
      RUNS,
    );
  });

  test('every outcome, grant, session and queue equals a naive model of the rules', () => {
    fc.assert(
      fc.property(steps, (ss) => {
        const d = new Driver();
        const oracle = new CoordOracle();
        for (const s of ss) {
          const r = d.run(s);
          const e = d.entries[d.entries.length - 1];
          assert.equal(r.kind, 'command');
          if (r.kind !== 'command') return;
          if (isCoordCommand(e.data)) {
            if (r.duplicate) continue; // a retried create: dedup answers, the rules do not run
            const want = oracle.apply(decodeCoordCommand(e.data), e.index);
            assert.deepEqual(r.outcome, { type: 'coord', outcome: want.outcome, grants: want.grants });
            for (const key of want.endedKeys) assert.equal(d.sm.get(key), undefined, `${key} outlived its session`);
          } else {
            const cmd = decodeCommand(e.data);
            if (cmd.type !== 'put' && cmd.type !== 'delete' && cmd.type !== 'cas') continue;
            const refusal = oracle.refusal(cmd);
            assert.equal(r.outcome.type === 'writeRefused' ? r.outcome.reason : undefined, refusal);
            const tookEffect =
              r.outcome.type === 'put' ||
              (r.outcome.type === 'cas' && r.outcome.succeeded) ||
              (r.outcome.type === 'delete' && r.outcome.deleted);
            if (tookEffect) oracle.written(cmd.key, cmd.type === 'delete' ? undefined : cmd.session);
          }
          assert.deepEqual(d.sm.sessions(), oracle.sessions());
          assert.deepEqual(d.sm.queues(), oracle.queues());
          for (const key of ['k1', 'k2', 'k3']) assert.equal(d.sm.keySession(key), oracle.keySession(key));
        }
      }),
      RUNS,
    );
  });
});
