// The checker is judged three ways: hand-written histories whose verdict is known, properties
// built from a sequential KV model (widened intervals must pass, an injected stale read must
// fail), and agreement with a brute-force oracle that tries every real-time-respecting order.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { seededRng, type Rng } from '../../src/raft/rng.js';
import { checkLinearizable, formatHistory, type KvInput, type KvOutput, type Operation } from './linearizability.js';

// ---------------------------------------------------------------------------------------------
// Builders: [call, ret] intervals; ids are assigned in order by `history`.

type Draft = Omit<Operation, 'id'>;
type Span = readonly [number, number];

function history(...drafts: Draft[]): Operation[] {
  return drafts.map((d, id) => ({ id, ...d }));
}
const put = (key: string, value: string, [call, ret]: Span, client = 'c1'): Draft => ({
  client,
  input: { kind: 'put', key, value },
  call,
  ret,
  output: { kind: 'put' },
});
const get = (key: string, value: string | null, [call, ret]: Span, client = 'c2'): Draft => ({
  client,
  input: { kind: 'get', key },
  call,
  ret,
  output: { kind: 'get', value },
});
const del = (key: string, [call, ret]: Span, client = 'c1'): Draft => ({
  client,
  input: { kind: 'delete', key },
  call,
  ret,
  output: { kind: 'delete' },
});
const cas = (key: string, expected: string | null, value: string, ok: boolean, [call, ret]: Span, client = 'c3'): Draft => ({
  client,
  input: { kind: 'cas', key, expected, value },
  call,
  ret,
  output: { kind: 'cas', ok },
});
const unknown = (input: KvInput, call: number, client = 'c4'): Draft => ({
  client,
  input,
  call,
  ret: undefined,
  output: undefined,
});

function assertOk(h: readonly Operation[]): void {
  const res = checkLinearizable(h);
  assert.equal(res.ok, true, `expected linearizable:\n${formatHistory(h)}\n${JSON.stringify(res, null, 2)}`);
}

function assertViolation(h: readonly Operation[]): Extract<ReturnType<typeof checkLinearizable>, { ok: false }> {
  const res = checkLinearizable(h);
  if (res.ok !== false) assert.fail(`expected a violation:\n${formatHistory(h)}\ngot ${JSON.stringify(res)}`);
  return res;
}

// ---------------------------------------------------------------------------------------------

describe('hand-written histories', () => {
  test('an empty history is linearizable', () => {
    assert.deepEqual(checkLinearizable([]), { ok: true, keysChecked: 0, statesExplored: 0 });
  });

  test('a register starts absent: a first read returns null', () => {
    assertOk(history(get('x', null, [0, 5]), put('x', '1', [10, 20]), get('x', '1', [30, 40])));
  });

  test('a stale read after a completed overwrite is rejected, with a readable explanation', () => {
    const res = assertViolation(history(put('x', '1', [0, 10]), put('x', '2', [20, 30]), get('x', '1', [40, 50])));
    assert.equal(res.key, 'x');
    assert.match(res.explanation, /get\(x\) returned "1" at t=50 \(called at t=40\) but the only values possible then were \{"2"\}/);
    assert.deepEqual(
      res.minimalOps.map((o) => o.id),
      [0, 1, 2],
    );
  });

  test('a lost write is rejected: a completed put is not visible to a later read', () => {
    const res = assertViolation(history(put('x', '1', [0, 10]), get('x', null, [20, 30])));
    assert.match(res.explanation, /returned null .* were \{"1"\}/);
  });

  test('concurrent writes may take effect in either order', () => {
    const a = put('x', 'a', [0, 100], 'c1');
    const b = put('x', 'b', [0, 100], 'c2');
    assertOk(history(a, b, get('x', 'a', [200, 210])));
    assertOk(history(a, b, get('x', 'b', [200, 210])));
    // Reads inside the writes' interval may see both, in either order.
    assertOk(history(a, b, get('x', 'a', [10, 20], 'c3'), get('x', 'b', [30, 40], 'c3')));
    assertOk(history(a, b, get('x', 'b', [10, 20], 'c3'), get('x', 'a', [30, 40], 'c3')));
  });

  test('once concurrent writes have completed the value no longer changes', () => {
    const res = assertViolation(
      history(
        put('x', 'a', [0, 100], 'c1'),
        put('x', 'b', [0, 100], 'c2'),
        get('x', 'a', [200, 210], 'c3'),
        get('x', 'b', [220, 230], 'c3'),
      ),
    );
    assert.match(res.explanation, /get\(x\) returned "b" at t=230 .* \{"a"\}/);
  });

  test('a read of a value never written is rejected', () => {
    const res = assertViolation(history(put('x', '1', [0, 10]), get('x', '7', [5, 15])));
    assert.match(res.explanation, /returned "7" .* \{null, "1"\}/);
  });

  test('equal timestamps are concurrent, not ordered', () => {
    assertOk(history(put('x', '1', [0, 10]), get('x', null, [10, 20])));
    assertViolation(history(put('x', '1', [0, 10]), get('x', null, [11, 20])));
  });

  test('delete makes the register absent again', () => {
    assertOk(history(put('x', '1', [0, 10]), del('x', [20, 30]), get('x', null, [40, 50])));
    assertViolation(history(put('x', '1', [0, 10]), del('x', [20, 30]), get('x', '1', [40, 50])));
  });

  describe('unknown outcomes', () => {
    const maybe = unknown({ kind: 'put', key: 'x', value: '1' }, 0);

    test('a write with unknown outcome may appear', () => {
      assertOk(history(maybe, get('x', '1', [10, 20])));
    });

    test('a write with unknown outcome may never appear', () => {
      assertOk(history(maybe, get('x', null, [10, 20]), get('x', null, [1000, 1010])));
    });

    test('a write with unknown outcome may take effect long after its call', () => {
      assertOk(history(maybe, get('x', null, [10, 20]), get('x', '1', [1000, 1010])));
    });

    test('once it has appeared it cannot be undone without another write', () => {
      assertViolation(history(maybe, get('x', '1', [10, 20]), get('x', null, [30, 40])));
    });

    test('it cannot take effect before it was called', () => {
      assertViolation(history(get('x', '1', [10, 20]), unknown({ kind: 'put', key: 'x', value: '1' }, 30)));
    });

    test('a cas with unknown outcome applies only if its expectation held', () => {
      const c = unknown({ kind: 'cas', key: 'x', expected: '1', value: '2' }, 20);
      assertOk(history(put('x', '1', [0, 10]), c, get('x', '2', [30, 40])));
      assertViolation(history(put('x', '5', [0, 10]), c, get('x', '2', [30, 40])));
    });

    test('a get with unknown outcome constrains nothing', () => {
      assertOk(history(put('x', '1', [0, 10]), unknown({ kind: 'get', key: 'x' }, 5)));
    });
  });

  describe('compare-and-set', () => {
    test('a successful cas replaces the expected value', () => {
      assertOk(history(put('x', '1', [0, 10]), cas('x', '1', '2', true, [20, 30]), get('x', '2', [40, 50])));
    });

    test('cas on an absent register can expect null', () => {
      assertOk(history(cas('x', null, '1', true, [0, 10]), cas('x', null, '2', false, [20, 30]), get('x', '1', [40, 50])));
    });

    test('two concurrent cas with the same expectation cannot both succeed', () => {
      const res = assertViolation(
        history(put('x', '0', [0, 10]), cas('x', '0', 'a', true, [20, 30], 'c1'), cas('x', '0', 'b', true, [20, 30], 'c2')),
      );
      // Each cas alone could have seen "0"; the explanation says it is their combination that fails.
      assert.match(res.explanation, /cas\(x, "0" -> "(a|b)"\) -> ok at t=30 .* cannot be ordered consistently .* \{"0", "(a|b)"\}/);
    });

    test('a cas cannot succeed when its expectation never held', () => {
      const res = assertViolation(history(put('x', '0', [0, 10]), cas('x', '5', 'a', true, [20, 30])));
      assert.match(res.explanation, /cas\(x, "5" -> "a"\) succeeded at t=30 .* never "5" then; the only values possible were \{"0"\}/);
    });

    test('a cas cannot fail when its expectation certainly held', () => {
      const res = assertViolation(history(put('x', '1', [0, 10]), cas('x', '1', '2', false, [20, 30])));
      assert.match(res.explanation, /cas\(x, "1" -> "2"\) failed at t=30 .* was "1" in every possible state then/);
    });
  });

  test('keys are independent; the violation names its key and lists only its ops', () => {
    const res = assertViolation(
      history(put('x', '1', [0, 10]), put('y', '1', [0, 10]), get('x', '1', [20, 30]), put('y', '2', [20, 30]), get('y', '1', [40, 50])),
    );
    assert.equal(res.key, 'y');
    assert.ok(res.minimalOps.every((o) => o.input.key === 'y'));
  });

  test('the explanation shrinks a noisy history to the ops that matter', () => {
    const noise: Draft[] = [];
    for (let i = 0; i < 20; i++) noise.push(get('x', i < 10 ? null : 'z', [100 + i * 10, 105 + i * 10]));
    const res = assertViolation(
      history(
        ...noise.slice(0, 10),
        put('x', 'z', [190, 200]),
        ...noise.slice(10),
        put('x', 'w', [400, 410]),
        get('x', 'z', [420, 430]),
        get('x', 'w', [440, 450]),
      ),
    );
    assert.equal(res.minimalOps.length, 3, res.explanation);
    assert.deepEqual(
      res.minimalOps.map((o) => describe1(o)),
      ['put z', 'put w', 'get z'],
    );
  });

  test('the search gives up with "unknown" instead of running past its budget', () => {
    const writes = Array.from({ length: 12 }, (_, i) => put('x', `v${i}`, [0, 100], `c${i}`));
    const res = checkLinearizable(history(...writes, get('x', 'v0', [200, 210])), { maxStates: 5 });
    assert.equal(res.ok, 'unknown');
    if (res.ok === 'unknown') {
      assert.equal(res.key, 'x');
      assert.match(res.reason, /exceeded 5 states/);
    }
  });

  test('malformed operations are refused', () => {
    const bad: Operation = { id: 0, client: 'c', input: { kind: 'get', key: 'x' }, call: 0, ret: 5, output: { kind: 'put' } };
    assert.throws(() => checkLinearizable([bad]), /output kind put does not match input kind get/);
    assert.throws(() => checkLinearizable([{ ...bad, output: undefined }]), /both be set or both be undefined/);
    assert.throws(() => checkLinearizable([{ ...bad, ret: -1, output: { kind: 'get', value: null } }]), /before call/);
  });

  test('formatHistory prints one aligned line per op, by call time', () => {
    const h = history(
      cas('x', null, '2', false, [120, 135]),
      put('x', '1', [5, 30]),
      unknown({ kind: 'delete', key: 'x' }, 40),
      get('x', null, [100, 110]),
    );
    assert.equal(
      formatHistory(h),
      [
        '#1 c1 [  5,  30] put(x, "1") -> ok',
        '#2 c4 [ 40,   ?] delete(x) -> ? (unknown outcome)',
        '#3 c2 [100, 110] get(x) -> null',
        '#0 c3 [120, 135] cas(x, null -> "2") -> failed',
      ].join('\n'),
    );
  });
});

function describe1(o: Operation): string {
  const out = o.output;
  return o.input.kind === 'put' ? `put ${o.input.value}` : `${o.input.kind} ${out?.kind === 'get' ? out.value : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Histories from a sequential model: each op gets a linearization point 10 ms apart, and its
// [call, ret] interval is widened randomly around that point, so the history is linearizable by
// construction. Values are unique per write, which makes stale reads unambiguous.

const KEYS = ['x', 'y', 'z'] as const;

interface OpSpec {
  key: number;
  kind: 'put' | 'get' | 'delete' | 'cas';
  casHits: boolean;
  casPick: number;
  before: number;
  after: number;
  /** done: returned; lost: took effect, client never heard; phantom: never took effect. */
  fate: 'done' | 'lost' | 'phantom';
}

/** Intervals stretch up to `widen` ms either side of the op's point; points are 10 ms apart. */
const opSpec = (widen: number): fc.Arbitrary<OpSpec> =>
  fc.record({
    key: fc.integer({ min: 0, max: KEYS.length - 1 }),
    kind: fc.constantFrom('put', 'get', 'delete', 'cas'),
    casHits: fc.boolean(),
    casPick: fc.nat(),
    before: fc.integer({ min: 0, max: widen }),
    after: fc.integer({ min: 0, max: widen }),
    fate: fc.constantFrom('done', 'done', 'done', 'done', 'done', 'done', 'lost', 'phantom'),
  });

function modelHistory(specs: readonly OpSpec[]): Operation[] {
  const state = new Map<string, string | null>();
  const written = new Map<string, string[]>();
  return specs.map((s, id) => {
    const key = KEYS[s.key] as string;
    const point = id * 10;
    const current = state.get(key) ?? null;
    const value = `v${id}`;
    let input: KvInput;
    switch (s.kind) {
      case 'put':
        input = { kind: 'put', key, value };
        break;
      case 'get':
        input = { kind: 'get', key };
        break;
      case 'delete':
        input = { kind: 'delete', key };
        break;
      case 'cas': {
        const options = [null, ...(written.get(key) ?? [])];
        const expected = s.casHits ? current : (options[s.casPick % options.length] ?? null);
        input = { kind: 'cas', key, expected, value };
        break;
      }
    }
    let output: KvOutput;
    let next = current;
    switch (input.kind) {
      case 'put':
        next = input.value;
        output = { kind: 'put' };
        break;
      case 'get':
        output = { kind: 'get', value: current };
        break;
      case 'delete':
        next = null;
        output = { kind: 'delete' };
        break;
      case 'cas': {
        const ok = current === input.expected;
        if (ok) next = input.value;
        output = { kind: 'cas', ok };
        break;
      }
    }
    if (s.fate !== 'phantom') {
      state.set(key, next);
      if (input.kind === 'put' || input.kind === 'cas') written.set(key, [...(written.get(key) ?? []), value]);
    }
    const call = point - s.before;
    return s.fate === 'done'
      ? { id, client: `c${id % 5}`, input, call, ret: point + s.after, output }
      : { id, client: `c${id % 5}`, input, call, ret: undefined, output: undefined };
  });
}

/** Completed ops that certainly changed the register: puts, deletes and successful cas. */
function isEffectiveWrite(o: Operation): boolean {
  if (o.ret === undefined) return false;
  return o.input.kind === 'put' || o.input.kind === 'delete' || (o.output?.kind === 'cas' && o.output.ok);
}

function writtenValue(o: Operation): string | null {
  if (o.input.kind === 'put') return o.input.value;
  if (o.input.kind === 'cas' && o.output?.kind === 'cas' && o.output.ok) return o.input.value;
  return null;
}

/** Every (completed get, value it cannot see) where a completed write of that value was
 *  followed, strictly in real time, by a completed overwrite that returned before the get's call. */
function staleReadCandidates(h: readonly Operation[]): { get: Operation; value: string }[] {
  const out: { get: Operation; value: string }[] = [];
  for (const g of h) {
    if (g.input.kind !== 'get' || g.ret === undefined) continue;
    for (const p of h) {
      const v = writtenValue(p);
      if (v === null || p.ret === undefined || p.input.key !== g.input.key) continue;
      const overwritten = h.some(
        (w) => w !== p && w.input.key === g.input.key && isEffectiveWrite(w) && (p.ret as number) < w.call && (w.ret as number) < g.call,
      );
      if (overwritten) out.push({ get: g, value: v });
    }
  }
  return out;
}

describe('properties against a sequential model', () => {
  test('histories widened around a sequential run are accepted', () => {
    fc.assert(
      fc.property(fc.array(opSpec(40), { minLength: 1, maxLength: 60 }), (specs) => {
        const h = modelHistory(specs);
        const res = checkLinearizable(h);
        assert.equal(res.ok, true, `${formatHistory(h)}\n${JSON.stringify(res)}`);
      }),
      { numRuns: 300 },
    );
  });

  test('a completed get that returns a value overwritten before its call is rejected', () => {
    fc.assert(
      fc.property(fc.array(opSpec(20), { minLength: 10, maxLength: 60 }), fc.nat(), (specs, pick) => {
        const h = modelHistory(specs);
        const candidates = staleReadCandidates(h);
        fc.pre(candidates.length > 0);
        const { get: g, value } = candidates[pick % candidates.length];
        const mutated = h.map((o) => (o === g ? { ...o, output: { kind: 'get' as const, value } } : o));
        const res = checkLinearizable(mutated);
        if (res.ok !== false) assert.fail(`stale read of ${value} by #${g.id} accepted:\n${formatHistory(mutated)}`);
        assert.equal(res.key, g.input.key);
        // The earliest provable violation is the mutated get itself, and its value is not among those possible.
        const headline = res.explanation.split('\n')[0] ?? '';
        assert.ok(headline.startsWith(`get(${g.input.key}) returned "${value}" at t=${g.ret} `), res.explanation);
        assert.ok(!headline.slice(headline.indexOf('{')).includes(`"${value}"`), res.explanation);
        // The shrunk history is a non-linearizable subset of that key's ops.
        assert.ok(res.minimalOps.every((o) => mutated.includes(o) && o.input.key === g.input.key));
        assert.equal(checkLinearizable(res.minimalOps).ok, false);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// A naive oracle: try every subset of unknown-outcome ops and every order that respects real
// time (a before b iff a returned strictly before b was called).

function oracleStep(state: string | null, o: Operation): string | null | undefined {
  const input = o.input;
  const out = o.output;
  switch (input.kind) {
    case 'put':
      return input.value;
    case 'delete':
      return null;
    case 'get':
      return out === undefined || (out.kind === 'get' && out.value === state) ? state : undefined;
    case 'cas': {
      const hit = state === input.expected;
      if (out === undefined) return hit ? input.value : state;
      return out.kind === 'cas' && out.ok === hit ? (hit ? input.value : state) : undefined;
    }
  }
}

function bruteForceLinearizable(h: readonly Operation[]): boolean {
  const done = h.filter((o) => o.ret !== undefined);
  const maybe = h.filter((o) => o.ret === undefined);
  const precedes = (a: Operation, b: Operation): boolean => a.ret !== undefined && a.ret < b.call;
  const order = (chosen: readonly Operation[], used: ReadonlySet<Operation>, state: string | null): boolean => {
    if (used.size === chosen.length) return true;
    for (const o of chosen) {
      if (used.has(o) || chosen.some((q) => !used.has(q) && q !== o && precedes(q, o))) continue;
      const next = oracleStep(state, o);
      if (next !== undefined && order(chosen, new Set([...used, o]), next)) return true;
    }
    return false;
  };
  for (let mask = 0; mask < 1 << maybe.length; mask++) {
    const chosen = [...done, ...maybe.filter((_, i) => (mask >> i) & 1)];
    if (order(chosen, new Set(), null)) return true;
  }
  return false;
}

const randomOp: fc.Arbitrary<Draft> = fc
  .record({
    kind: fc.constantFrom('put', 'get', 'delete', 'cas'),
    value: fc.constantFrom('a', 'b'),
    expected: fc.constantFrom(null, 'a', 'b'),
    read: fc.constantFrom(null, 'a', 'b'),
    ok: fc.boolean(),
    call: fc.integer({ min: 0, max: 20 }),
    duration: fc.integer({ min: 0, max: 10 }),
    unknown: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  })
  .map((r): Draft => {
    const [input, output]: [KvInput, KvOutput] =
      r.kind === 'put'
        ? [{ kind: 'put', key: 'x', value: r.value }, { kind: 'put' }]
        : r.kind === 'get'
          ? [
              { kind: 'get', key: 'x' },
              { kind: 'get', value: r.read },
            ]
          : r.kind === 'delete'
            ? [{ kind: 'delete', key: 'x' }, { kind: 'delete' }]
            : [
                { kind: 'cas', key: 'x', expected: r.expected, value: r.value },
                { kind: 'cas', ok: r.ok },
              ];
    return r.unknown
      ? { client: 'c', input, call: r.call, ret: undefined, output: undefined }
      : { client: 'c', input, call: r.call, ret: r.call + r.duration, output };
  });

describe('agreement with a brute-force oracle', () => {
  test('the checker accepts exactly the tiny histories that have a linearization', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(randomOp, { minLength: 1, maxLength: 6 }), (drafts) => {
        const h = history(...drafts);
        const expected = bruteForceLinearizable(h);
        const res = checkLinearizable(h);
        assert.equal(res.ok, expected, formatHistory(h));
        if (expected) accepted++;
      }),
      { numRuns: 1000 },
    );
    // Both verdicts must be exercised for the agreement to mean anything.
    assert.ok(accepted > 100 && accepted < 900, `accepted ${accepted} of 1000`);
  });
});

// ---------------------------------------------------------------------------------------------
// Performance: clients issue ops back to back with random durations; each op takes effect at a
// random point inside its interval, and outputs come from applying ops in that order.

function clientHistory(rng: Rng, clients: number, opsPerClient: number): Operation[] {
  interface Pending {
    client: string;
    input: KvInput;
    call: number;
    ret: number;
    point: number;
  }
  const pending: Pending[] = [];
  for (let c = 0; c < clients; c++) {
    let t = rng.int(10);
    for (let i = 0; i < opsPerClient; i++) {
      const key = KEYS[rng.int(KEYS.length)] as string;
      const value = `c${c}-${i}`;
      const roll = rng.int(10);
      const input: KvInput =
        roll < 4
          ? { kind: 'put', key, value }
          : roll < 8
            ? { kind: 'get', key }
            : roll < 9
              ? { kind: 'delete', key }
              : { kind: 'cas', key, expected: rng.int(2) === 0 ? null : `c${rng.int(clients)}-${Math.max(0, i - 1)}`, value };
      const call = t;
      const ret = call + 1 + rng.int(30);
      pending.push({ client: `c${c}`, input, call, ret, point: call + rng.int(ret - call + 1) });
      t = ret + rng.int(5);
    }
  }
  pending.sort((a, b) => a.point - b.point);
  const state = new Map<string, string | null>();
  return pending.map((p, id) => {
    const current = state.get(p.input.key) ?? null;
    let output: KvOutput;
    switch (p.input.kind) {
      case 'put':
        state.set(p.input.key, p.input.value);
        output = { kind: 'put' };
        break;
      case 'get':
        output = { kind: 'get', value: current };
        break;
      case 'delete':
        state.set(p.input.key, null);
        output = { kind: 'delete' };
        break;
      case 'cas': {
        const ok = current === p.input.expected;
        if (ok) state.set(p.input.key, p.input.value);
        output = { kind: 'cas', ok };
        break;
      }
    }
    return { id, client: p.client, input: p.input, call: p.call, ret: p.ret, output };
  });
}

describe('performance', () => {
  test('5 clients x 200 ops over 3 keys check in well under a second', () => {
    const h = clientHistory(seededRng(42), 5, 200);
    const started = performance.now();
    const res = checkLinearizable(h);
    const elapsed = performance.now() - started;
    assert.equal(res.ok, true, JSON.stringify(res));
    assert.ok(elapsed < 500, `took ${elapsed.toFixed(0)} ms`);
  });

  test('a violation in the same history is found and explained quickly', () => {
    const h = clientHistory(seededRng(7), 5, 200);
    const candidates = staleReadCandidates(h);
    const { get: g, value } = candidates[Math.floor(candidates.length / 2)];
    const mutated = h.map((o) => (o === g ? { ...o, output: { kind: 'get' as const, value } } : o));
    const started = performance.now();
    const res = checkLinearizable(mutated);
    const elapsed = performance.now() - started;
    assert.equal(res.ok, false);
    assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
  });
});
