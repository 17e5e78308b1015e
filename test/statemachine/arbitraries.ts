// fast-check generators shared by the state-machine tests. Keys and ids come from tiny
// alphabets so that random sequences collide (overwrite, delete, retry) often.
import fc from 'fast-check';
import type { Command, RequestId } from '../../src/statemachine/commands.js';
import { ClusterEventKind } from '../../src/statemachine/cluster-events.js';
import type { ClusterEvent } from '../../src/statemachine/cluster-events.js';
import { MemberRole } from '../../src/statemachine/membership.js';
import { encodeConfChange } from '../../src/raft/conf-change-codec.js';
import { ConfChangeType, EntryType } from '../../src/raft/types.js';
import type { Entry } from '../../src/raft/types.js';
import { encodeCommand } from '../../src/statemachine/commands.js';
import { COORD_MARKER, encodeCoordCommand } from '../../src/statemachine/coord-codec.js';
import type { CoordCommand, QueueKind } from '../../src/statemachine/coord-record.js';

/** Includes a 2-byte, a 3-byte and a 4-byte (surrogate pair) UTF-8 character. */
export const key = fc.array(fc.constantFrom('a', 'b', '/', 'é', '€', '𝄞'), { minLength: 1, maxLength: 3 }).map((cs) => cs.join(''));
export const prefix = fc.array(fc.constantFrom('a', 'b', '/', 'é', '𝄞'), { maxLength: 2 }).map((cs) => cs.join(''));
export const value = fc.string({ maxLength: 8, unit: 'grapheme' });
export const anyText = fc.string({ maxLength: 12, unit: 'grapheme' });

export const request: fc.Arbitrary<RequestId> = fc
  .record({
    clientId: fc.constantFrom('c1', 'c2', 'c3'),
    requestId: fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5', 'r6'),
  })
  .map((r) => ({ ...r })); // fc.record builds null-prototype objects; deepEqual compares prototypes

const maybeRequest = fc.option(request, { nil: undefined });
const withRequest = <C extends object>(c: C, r: RequestId | undefined): C => (r === undefined ? c : { ...c, request: r });

export const clusterEvent: fc.Arbitrary<ClusterEvent> = fc
  .record({
    kind: fc.constantFrom(...Object.values(ClusterEventKind)),
    at: fc.nat(),
    nodeId: fc.constantFrom('n1', 'n2', 'n3'),
    term: fc.nat(100),
    durationMs: fc.option(fc.nat(10_000), { nil: undefined }),
    detail: anyText,
  })
  .map(({ durationMs, ...e }) => (durationMs === undefined ? e : { ...e, durationMs }));

export const kvCommand: fc.Arbitrary<Command> = fc.oneof(
  fc.tuple(key, value, maybeRequest).map(([k, v, r]) => withRequest({ type: 'put' as const, key: k, value: v }, r)),
  fc.tuple(key, maybeRequest).map(([k, r]) => withRequest({ type: 'delete' as const, key: k }, r)),
  fc
    .tuple(key, fc.nat(12), value, maybeRequest)
    .map(([k, rev, v, r]) => withRequest({ type: 'cas' as const, key: k, expectedRevision: rev, value: v }, r)),
);

/** Session ids are entry indexes: half the logs begin with three session creates (see `log`), so these mostly name a session. */
const sessionId = fc.integer({ min: 1, max: 4 }).map(String);
const guard = fc.record({ name: fc.constantFrom('l', 's'), token: fc.integer({ min: 1, max: 40 }) }).map((g) => ({ ...g }));

/** KV writes with a session binding or a fencing guard (mostly refused in a random log, sometimes not). */
export const coordKvCommand: fc.Arbitrary<Command> = fc.oneof(
  fc.tuple(key, value, sessionId, fc.option(guard, { nil: undefined })).map(([k, v, session, ifToken]) => ({
    type: 'put' as const,
    key: k,
    value: v,
    session,
    ...(ifToken === undefined ? {} : { ifToken }),
  })),
  fc.tuple(key, guard).map(([k, ifToken]) => ({ type: 'delete' as const, key: k, ifToken })),
  fc
    .tuple(key, fc.nat(12), value, sessionId)
    .map(([k, rev, v, session]) => ({ type: 'cas' as const, key: k, expectedRevision: rev, value: v, session })),
);

/** Each name has one shape, so random acquires queue up rather than mismatch. */
const SHAPE: Readonly<Record<string, readonly [QueueKind, number]>> = { l: ['lock', 1], e: ['election', 1], s: ['semaphore', 2] };
const queueName = fc.constantFrom('l', 'e', 's');

export const coordCommand: fc.Arbitrary<CoordCommand> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.boolean(), maybeRequest)
      .map(([delay, r]) => withRequest({ type: 'sessionCreate' as const, owner: 'o', ttlMs: 2000, lockDelayMs: delay ? 1000 : 0 }, r)),
  },
  fc
    .tuple(sessionId, fc.boolean())
    .map(([session, expired]) => ({ type: 'sessionEnd' as const, session, reason: expired ? ('expired' as const) : ('closed' as const) })),
  {
    weight: 4,
    arbitrary: fc
      .tuple(queueName, sessionId, value)
      .map(([name, session, v]) => ({ type: 'acquire' as const, name, session, kind: SHAPE[name][0], limit: SHAPE[name][1], value: v })),
  },
  { weight: 2, arbitrary: fc.tuple(queueName, sessionId).map(([name, session]) => ({ type: 'release' as const, name, session })) },
  fc
    .tuple(queueName, sessionId, fc.integer({ min: 1, max: 40 }), value)
    .map(([name, session, token, v]) => ({ type: 'proclaim' as const, name, session, token, value: v })),
  fc.tuple(queueName, fc.integer({ min: 1, max: 40 })).map(([name, since]) => ({ type: 'lockDelayEnd' as const, name, since })),
);

export const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: kvCommand },
  { weight: 1, arbitrary: coordKvCommand },
  { weight: 1, arbitrary: fc.constant({ type: 'noop' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        type: fc.constant('bootstrap' as const),
        clusterId: fc.constantFrom('alpha', 'beta'),
        members: fc.uniqueArray(
          fc
            .record({
              id: fc.constantFrom('n1', 'n2', 'n3'),
              address: fc.constantFrom('', '10.0.0.1:7000'),
              role: fc.constantFrom(...Object.values(MemberRole)),
            })
            .map((m) => ({ ...m })),
          { selector: (m) => m.id, maxLength: 3 },
        ),
      })
      .map((c) => ({ ...c })),
  },
  { weight: 1, arbitrary: clusterEvent.map((event) => ({ type: 'recordEvent' as const, event })) },
);

/** Entry data and type, without index/term (a log assigns those). */
export type EntryBody = Pick<Entry, 'type' | 'data'>;

export const entryBody: fc.Arbitrary<EntryBody> = fc.oneof(
  { weight: 10, arbitrary: command.map((c) => ({ type: EntryType.Normal, data: encodeCommand(c) })) },
  { weight: 5, arbitrary: coordCommand.map((c) => ({ type: EntryType.Normal, data: encodeCoordCommand(c) })) },
  // Garbage behind the coordination marker too.
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ minLength: 1, maxLength: 8 })
      .map((b) => ({ type: EntryType.Normal, data: new Uint8Array([COORD_MARKER, ...b]) })),
  },
  { weight: 1, arbitrary: fc.constant({ type: EntryType.Normal, data: new Uint8Array(0) }) },
  // Garbage must be rejected, identically everywhere.
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((data) => ({ type: EntryType.Normal, data })) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        type: fc.constantFrom(...Object.values(ConfChangeType)),
        nodeId: fc.constantFrom('n1', 'n2', 'n3', 'n4'),
        context: fc.option(fc.constantFrom('10.0.0.1:7000', '10.0.0.2:7000'), { nil: undefined }),
      })
      .map(({ context, ...cc }) => ({
        type: EntryType.ConfChange,
        data: encodeConfChange(context === undefined ? cc : { ...cc, context }),
      })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }).map((data) => ({ type: EntryType.ConfChange, data })) },
);

const SESSIONS_FIRST: readonly [EntryBody, boolean][] = [0, 1, 2].map(() => [
  { type: EntryType.Normal, data: encodeCoordCommand({ type: 'sessionCreate', owner: '', ttlMs: 2000, lockDelayMs: 1000 }) },
  false,
]);

/** A log: indexes 1..n, terms non-decreasing; half of them start with sessions 1, 2 and 3. */
export const log: fc.Arbitrary<Entry[]> = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(entryBody, fc.boolean()), { maxLength: 60 }))
  .map(([sessionsFirst, body]) => {
    const xs = sessionsFirst ? [...SESSIONS_FIRST, ...body] : body;
    let term = 1;
    return xs.map(([b, bump], i) => {
      if (bump && i % 7 === 0) term++;
      return { index: i + 1, term, type: b.type, data: b.data };
    });
  });

export function entriesOf(commands: readonly Command[], firstIndex = 1, term = 1): Entry[] {
  return commands.map((c, i) => ({ index: firstIndex + i, term, type: EntryType.Normal, data: encodeCommand(c) }));
}
