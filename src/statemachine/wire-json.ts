// The compact JSON both command codecs use (commands.ts for KV and cluster commands,
// coord-codec.ts for coordination): reading its fields strictly, so every replica refuses the
// same malformed entry with the same message.
import { CommandDecodeError } from './errors.js';

export type Json = Record<string, unknown>;

// fatal: invalid UTF-8 is garbage, not something to paper over with U+FFFD.
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A command entry's body: the JSON after its first byte (a version or marker the caller has
 * checked), read by `fromWire` and refused with `problemOf`'s message when it breaks a rule.
 */
export function decodeJsonBody<C>(data: Uint8Array, fromWire: (v: unknown) => C, problemOf: (c: C) => string | undefined): C {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data.subarray(1)));
  } catch (err) {
    throw new CommandDecodeError((err as Error).message, { cause: err });
  }
  const c = fromWire(parsed);
  const problem = problemOf(c);
  if (problem !== undefined) throw new CommandDecodeError(problem);
  return c;
}

/** commands.ts's RequestId, spelled out here so the two files do not import each other. */
interface WireRequestId {
  readonly clientId: string;
  readonly requestId: string;
}

export function jsonObject(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CommandDecodeError(`${what} is not an object`);
  return v as Json;
}

/** Refuses a field outside `required` and `optional`, and a missing required one. */
export function fields(o: Json, required: readonly string[], optional: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!required.includes(k) && !optional.includes(k)) throw new CommandDecodeError(`unknown field ${k}`);
  }
  for (const k of required) if (!(k in o)) throw new CommandDecodeError(`missing field ${k}`);
}

export function str(o: Json, k: string): string {
  const v = o[k];
  if (typeof v !== 'string') throw new CommandDecodeError(`field ${k} is not a string`);
  return v;
}

export function int(o: Json, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new CommandDecodeError(`field ${k} is not an integer`);
  return v;
}

/** Writes a request id as `rq: [clientId, requestId]`. */
export function withRequest(w: Json, r: WireRequestId | undefined): Json {
  if (r !== undefined) w.rq = [r.clientId, r.requestId];
  return w;
}

/** The request id `rq` carries; undefined when absent. */
export function requestFrom(o: Json): WireRequestId | undefined {
  if (o.rq === undefined) return undefined;
  const rq = o.rq;
  if (!Array.isArray(rq) || rq.length !== 2 || typeof rq[0] !== 'string' || typeof rq[1] !== 'string') {
    throw new CommandDecodeError('request id is not [clientId, requestId]');
  }
  return { clientId: rq[0], requestId: rq[1] };
}
