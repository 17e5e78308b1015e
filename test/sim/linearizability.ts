// A linearizability checker for small key-value histories, used by the simulator and the
// process tests to judge what clients observed.
//
// The search is Wing & Gong's, with Lowe's "just-in-time linearization" and memoization of
// (set of linearized ops, register state), as in Knossos and Porcupine. Each key is an
// independent register, and linearizability is compositional (Herlihy & Wing, "P-compositionality"
// in Porcupine), so each key is checked on its own: a history is linearizable iff every key's
// sub-history is.
//
// Conventions:
// - Every register starts absent (null).
// - Two ops are ordered in real time only if one returned strictly before the other was called;
//   equal timestamps count as concurrent (the simulator's millisecond clock produces many ties,
//   and treating them as ordered would report violations that did not happen).
// - An op whose outcome is unknown (`ret` undefined) may take effect at any point after its call,
//   or never. Its return is placed at +infinity; "never" is the same as "after everything else".

export type KvInput =
  | { kind: 'put'; key: string; value: string }
  | { kind: 'get'; key: string }
  | { kind: 'delete'; key: string }
  | { kind: 'cas'; key: string; expected: string | null; value: string };

export type KvOutput = { kind: 'put' } | { kind: 'delete' } | { kind: 'get'; value: string | null } | { kind: 'cas'; ok: boolean };

export interface Operation {
  id: number;
  client: string;
  input: KvInput;
  /** Time of invocation (any monotonic number; the simulator uses simulated ms). */
  call: number;
  /** Time of response; undefined = never returned, outcome unknown. */
  ret: number | undefined;
  /** Undefined iff `ret` is undefined. */
  output: KvOutput | undefined;
}

export type CheckResult =
  | { ok: true; keysChecked: number; statesExplored: number }
  | { ok: false; key: string; explanation: string; minimalOps: Operation[] }
  | { ok: 'unknown'; key: string; reason: string };

export interface CheckOptions {
  /** Memoized search states allowed per key before giving up with 'unknown'. */
  maxStates?: number;
}

const DEFAULT_MAX_STATES = 1_000_000;

type RegisterState = string | null;

/**
 * Checks that `history` is linearizable with respect to a map of independent registers.
 * Keys are checked in sorted order; a definite violation on any key wins over a budget
 * overrun on another.
 */
export function checkLinearizable(history: readonly Operation[], opts: CheckOptions = {}): CheckResult {
  const maxStates = opts.maxStates ?? DEFAULT_MAX_STATES;
  for (const op of history) validate(op);

  const byKey = new Map<string, Operation[]>();
  for (const op of history) {
    const list = byKey.get(op.input.key);
    if (list === undefined) byKey.set(op.input.key, [op]);
    else list.push(op);
  }

  let statesExplored = 0;
  let firstUnknown: { key: string; reason: string } | undefined;
  for (const key of [...byKey.keys()].sort()) {
    const ops = relevantOps(byKey.get(key) ?? []);
    const res = search(ops, maxStates);
    statesExplored += res.states;
    switch (res.verdict) {
      case 'ok':
        break;
      case 'unknown':
        firstUnknown ??= {
          key,
          reason: `search for key ${show(key)} exceeded ${maxStates} states over ${ops.length} ops; raise maxStates or shorten the history`,
        };
        break;
      case 'fail':
        return { ok: false, key, ...explain(key, ops, maxStates) };
      default:
        return assertNever(res.verdict);
    }
  }
  if (firstUnknown !== undefined) return { ok: 'unknown', ...firstUnknown };
  return { ok: true, keysChecked: byKey.size, statesExplored };
}

/** One line per op, ordered by call time, for failure traces. */
export function formatHistory(ops: readonly Operation[]): string {
  const sorted = [...ops].sort((a, b) => a.call - b.call || retOrder(a) - retOrder(b) || a.id - b.id);
  const idWidth = Math.max(1, ...sorted.map((o) => String(o.id).length));
  const clientWidth = Math.max(1, ...sorted.map((o) => o.client.length));
  const callWidth = Math.max(1, ...sorted.map((o) => String(o.call).length));
  const retWidth = Math.max(1, ...sorted.map((o) => String(o.ret ?? '?').length));
  return sorted
    .map((o) => {
      const interval = `[${String(o.call).padStart(callWidth)}, ${String(o.ret ?? '?').padStart(retWidth)}]`;
      return `#${String(o.id).padEnd(idWidth)} ${o.client.padEnd(clientWidth)} ${interval} ${describeInput(o.input)} -> ${describeOutput(o.output)}`;
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Register model

/** The state after applying `op` to `state`, or undefined if `op`'s recorded output rules it out. */
function step(state: RegisterState, op: Operation): RegisterState | undefined {
  const input = op.input;
  const output = op.output;
  switch (input.kind) {
    case 'put':
      return input.value;
    case 'delete':
      return null;
    case 'get':
      if (output === undefined) return state;
      return output.kind === 'get' && output.value === state ? state : undefined;
    case 'cas': {
      const matches = state === input.expected;
      // Unknown outcome: the register decides, the client never learned which.
      if (output === undefined) return matches ? input.value : state;
      if (output.kind !== 'cas') return undefined;
      if (output.ok) return matches ? input.value : undefined;
      return matches ? undefined : state;
    }
    default:
      return assertNever(input);
  }
}

function validate(op: Operation): void {
  const where = `op #${op.id} (${describeInput(op.input)})`;
  if (!Number.isFinite(op.call)) throw new TypeError(`${where}: call time ${op.call} is not a finite number`);
  if ((op.ret === undefined) !== (op.output === undefined)) {
    throw new TypeError(`${where}: ret and output must both be set or both be undefined`);
  }
  if (op.ret !== undefined && !(op.ret >= op.call)) {
    throw new TypeError(`${where}: ret ${op.ret} is before call ${op.call}`);
  }
  if (op.output !== undefined && op.output.kind !== op.input.kind) {
    throw new TypeError(`${where}: output kind ${op.output.kind} does not match input kind ${op.input.kind}`);
  }
}

/** A get with unknown outcome constrains nothing and changes nothing, so it is dropped. */
function relevantOps(ops: readonly Operation[]): Operation[] {
  return ops.filter((o) => !(o.input.kind === 'get' && o.output === undefined));
}

// ---------------------------------------------------------------------------------------------
// The Wing–Gong–Lowe search

interface Event {
  readonly isCall: boolean;
  readonly op: number;
  readonly time: number;
  /** For a call event, its op's return event. */
  match: Event | undefined;
  prev: Event | undefined;
  next: Event | undefined;
}

type Verdict = 'ok' | 'fail' | 'unknown';

function retOrder(op: Operation): number {
  return op.ret ?? Number.POSITIVE_INFINITY;
}

/** Call and return events in time order, calls first on ties (ties are concurrent). */
function timeline(ops: readonly Operation[]): Event[] {
  const events: Event[] = [];
  ops.forEach((o, i) => {
    const ret: Event = { isCall: false, op: i, time: retOrder(o), match: undefined, prev: undefined, next: undefined };
    events.push({ isCall: true, op: i, time: o.call, match: ret, prev: undefined, next: undefined }, ret);
  });
  return events.sort((a, b) => a.time - b.time || Number(b.isCall) - Number(a.isCall) || a.op - b.op);
}

function encodeState(s: RegisterState): string {
  return s === null ? '\u0000' : `\u0001${s}`;
}

function search(ops: readonly Operation[], maxStates: number): { verdict: Verdict; states: number } {
  const events = timeline(ops);
  const head: Event = { isCall: false, op: -1, time: Number.NEGATIVE_INFINITY, match: undefined, prev: undefined, next: undefined };
  let last = head;
  for (const e of events) {
    last.next = e;
    e.prev = last;
    last = e;
  }

  const bits = new Uint16Array(Math.ceil(ops.length / 16));
  // The bitset has a fixed length, so prefixing it to the state keeps keys unambiguous.
  const seen = new Set<string>();
  const stack: { call: Event; before: RegisterState }[] = [];
  let state: RegisterState = null;
  let completedLeft = ops.filter((o) => o.ret !== undefined).length;
  let entry = head.next;

  while (completedLeft > 0) {
    // A finite return is still listed, so the walk reaches it (and backtracks) before the end.
    if (entry === undefined) throw new Error('linearizability: event list ended before a pending return');
    if (entry.isCall) {
      const op = ops[entry.op];
      const after = step(state, op);
      if (after !== undefined) {
        toggle(bits, entry.op);
        const key = String.fromCharCode(...bits) + encodeState(after);
        if (!seen.has(key)) {
          seen.add(key);
          if (seen.size > maxStates) return { verdict: 'unknown', states: seen.size };
          stack.push({ call: entry, before: state });
          state = after;
          lift(entry);
          if (op.ret !== undefined) completedLeft--;
          entry = head.next;
          continue;
        }
        toggle(bits, entry.op);
      }
      entry = entry.next;
    } else {
      // An op returned before we could linearize it: undo the most recent choice.
      const top = stack.pop();
      if (top === undefined) return { verdict: 'fail', states: seen.size };
      state = top.before;
      toggle(bits, top.call.op);
      unlift(top.call);
      if (ops[top.call.op].ret !== undefined) completedLeft++;
      entry = top.call.next;
    }
  }
  return { verdict: 'ok', states: seen.size };
}

function toggle(bits: Uint16Array, i: number): void {
  const w = i >>> 4;
  bits[w] = bits[w] ^ (1 << (i & 15));
}

function lift(call: Event): void {
  unlink(call);
  unlink(call.match as Event);
}

function unlink(e: Event): void {
  (e.prev as Event).next = e.next;
  if (e.next !== undefined) e.next.prev = e.prev;
}

/** Reverses `lift`; valid because choices are undone in LIFO order. */
function unlift(call: Event): void {
  relink(call.match as Event);
  relink(call);
}

function relink(e: Event): void {
  (e.prev as Event).next = e;
  if (e.next !== undefined) e.next.prev = e;
}

// ---------------------------------------------------------------------------------------------
// Explaining a failure

interface Blame {
  op: Operation;
  possible: RegisterState[];
}

function explain(key: string, ops: readonly Operation[], maxStates: number): { explanation: string; minimalOps: Operation[] } {
  const blame = firstBlame(ops, maxStates);
  // Events after the blamed op's return cannot rescue it, so the shrink starts from the prefix.
  const start = blame === undefined ? [...ops] : ops.filter((o) => o.call <= (blame.op.ret as number));
  const minimalOps = shrink(start, maxStates);
  const headline = blame ?? firstBlame(minimalOps, maxStates);
  const sentence =
    headline === undefined ? `no linearization exists for the ${ops.length} ops on key ${show(key)}` : blameSentence(headline);
  return {
    explanation: `${sentence}\nminimal non-linearizable history of key ${show(key)} (${minimalOps.length} ops):\n${formatHistory(minimalOps)}`,
    minimalOps,
  };
}

function blameSentence({ op, possible }: Blame): string {
  const input = op.input;
  const output = op.output;
  const when = `at t=${op.ret} (called at t=${op.call})`;
  const values = `{${possible.map(show).join(', ')}}`;
  if (input.kind === 'get' && output?.kind === 'get' && !possible.includes(output.value)) {
    return `${describeInput(input)} returned ${show(output.value)} ${when} but the only values possible then were ${values}`;
  }
  if (input.kind === 'cas' && output?.kind === 'cas') {
    if (output.ok && !possible.includes(input.expected)) {
      return `${describeInput(input)} succeeded ${when} but the value was never ${show(input.expected)} then; the only values possible were ${values}`;
    }
    if (!output.ok && possible.every((v) => v === input.expected)) {
      return `${describeInput(input)} failed ${when} but the value was ${show(input.expected)} in every possible state then`;
    }
  }
  // Each observation was possible on its own; only their combination is not.
  return `${describeInput(input)} -> ${describeOutput(output)} ${when} cannot be ordered consistently with the other ops on this key (values possible while it ran: ${values})`;
}

/**
 * Knossos-style forward sweep: carry every reachable configuration (state, ops linearized but
 * not yet returned) through the timeline, linearizing pending ops just in time. The first
 * return with no configuration that includes its op is the earliest provable violation; the
 * values reported are every state that op could have observed at some point while pending.
 * Exponential in concurrency, so it only runs on a failing key and within a budget;
 * undefined if the budget runs out.
 */
function firstBlame(ops: readonly Operation[], maxConfigs: number): Blame | undefined {
  interface Config {
    state: RegisterState;
    linearized: ReadonlySet<number>;
  }
  const configKey = (c: Config): string => `${[...c.linearized].sort((a, b) => a - b).join(',')}|${encodeState(c.state)}`;

  let configs: Config[] = [{ state: null, linearized: new Set() }];
  const pending = new Set<number>();
  // For each pending op, every state it could have observed while it was pending.
  const observable = new Map<number, Set<RegisterState>>();
  let budget = maxConfigs;

  for (const e of timeline(ops)) {
    if (e.isCall) {
      pending.add(e.op);
      observable.set(e.op, new Set());
      continue;
    }
    if (!Number.isFinite(e.time)) break; // only unknown-outcome ops remain
    const closure = new Map<string, Config>();
    const work: Config[] = [];
    for (const c of configs) {
      const k = configKey(c);
      if (!closure.has(k)) {
        closure.set(k, c);
        work.push(c);
      }
    }
    for (let c = work.pop(); c !== undefined; c = work.pop()) {
      for (const p of pending) {
        if (c.linearized.has(p)) continue;
        const after = step(c.state, ops[p]);
        if (after === undefined) continue;
        const next: Config = { state: after, linearized: new Set([...c.linearized, p]) };
        const k = configKey(next);
        if (closure.has(k)) continue;
        if (--budget < 0) return undefined;
        closure.set(k, next);
        work.push(next);
      }
    }
    const survivors = new Map<string, Config>();
    for (const c of closure.values()) {
      for (const p of pending) if (!c.linearized.has(p)) observable.get(p)?.add(c.state);
      if (!c.linearized.has(e.op)) continue;
      const linearized = new Set(c.linearized);
      linearized.delete(e.op);
      const s: Config = { state: c.state, linearized };
      survivors.set(configKey(s), s);
    }
    if (survivors.size === 0) {
      const sorted = [...(observable.get(e.op) ?? [])].sort((a, b) => (a === null ? -1 : b === null ? 1 : a < b ? -1 : a > b ? 1 : 0));
      return { op: ops[e.op], possible: sorted };
    }
    pending.delete(e.op);
    observable.delete(e.op);
    configs = [...survivors.values()];
  }
  return undefined;
}

/**
 * Greedy delta-debugging: drop chunks of ops while the rest stays non-linearizable. A write is
 * kept while a remaining read observes its value, so a stale read shrinks to "write, overwrite,
 * read" rather than to a bare read of a value that was never written.
 */
function shrink(start: readonly Operation[], maxStates: number): Operation[] {
  const allowedOrphans = orphanReads(start);
  const perCheck = Math.min(maxStates, 200_000);
  let budget = maxStates;
  const stillFails = (candidate: readonly Operation[]): boolean => {
    if (budget <= 0) return false;
    for (const v of orphanReads(candidate)) if (!allowedOrphans.has(v)) return false;
    const res = search(candidate, perCheck);
    budget -= res.states;
    return res.verdict === 'fail';
  };

  let ops = [...start];
  let chunk = Math.max(1, Math.ceil(ops.length / 2));
  for (;;) {
    let changed = false;
    for (let i = 0; i < ops.length;) {
      const candidate = [...ops.slice(0, i), ...ops.slice(i + chunk)];
      if (candidate.length > 0 && stillFails(candidate)) {
        ops = candidate;
        changed = true;
      } else {
        i += chunk;
      }
    }
    if (chunk > 1) chunk = Math.ceil(chunk / 2);
    else if (!changed) return ops;
  }
}

/** Non-null values that some op observed but no op in `ops` could have written. */
function orphanReads(ops: readonly Operation[]): Set<string> {
  const written = new Set<string>();
  const observed = new Set<string>();
  for (const o of ops) {
    const input = o.input;
    switch (input.kind) {
      case 'put':
        written.add(input.value);
        break;
      case 'delete':
        break;
      case 'get':
        if (o.output?.kind === 'get' && o.output.value !== null) observed.add(o.output.value);
        break;
      case 'cas':
        if (o.output === undefined || (o.output.kind === 'cas' && o.output.ok)) written.add(input.value);
        if (o.output?.kind === 'cas' && o.output.ok && input.expected !== null) observed.add(input.expected);
        break;
      default:
        assertNever(input);
    }
  }
  for (const v of written) observed.delete(v);
  return observed;
}

// ---------------------------------------------------------------------------------------------
// Rendering

function show(v: string | null): string {
  return v === null ? 'null' : JSON.stringify(v);
}

function describeInput(input: KvInput): string {
  switch (input.kind) {
    case 'put':
      return `put(${input.key}, ${show(input.value)})`;
    case 'get':
      return `get(${input.key})`;
    case 'delete':
      return `delete(${input.key})`;
    case 'cas':
      return `cas(${input.key}, ${show(input.expected)} -> ${show(input.value)})`;
    default:
      return assertNever(input);
  }
}

function describeOutput(output: KvOutput | undefined): string {
  if (output === undefined) return '? (unknown outcome)';
  switch (output.kind) {
    case 'put':
    case 'delete':
      return 'ok';
    case 'get':
      return show(output.value);
    case 'cas':
      return output.ok ? 'ok' : 'failed';
    default:
      return assertNever(output);
  }
}

function assertNever(x: never): never {
  throw new Error(`linearizability: unexpected ${JSON.stringify(x)}`);
}
