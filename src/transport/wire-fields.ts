// The checks every decoded wire field goes through: type, range and presence, each failure a
// MalformedMessageError naming the field. 64-bit values travel as numbers and must be safe
// integers: JavaScript would round a larger one silently.
import type { NodeId } from '../raft/types.js';
import { MalformedMessageError } from './errors.js';

/** Node ids are short operator-chosen names; anything longer is garbage, not a name. */
export const MAX_NODE_ID_LENGTH = 255;

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * uint64 (a decimal string under `longs: String`) → number. Values above 2^53 − 1 would be
 * rounded silently by JavaScript, so they are rejected instead.
 */
export function u64ToNumber(value: unknown, path: string): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    throw new MalformedMessageError(path, `${value} is not a non-negative safe integer`);
  }
  if (typeof value !== 'string' || !DECIMAL.test(value)) {
    throw new MalformedMessageError(path, `expected an unsigned decimal integer, got ${describe(value)}`);
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw new MalformedMessageError(path, `${value} exceeds 2^53-1, the largest integer this node can represent exactly`);
  }
  return n;
}

/**
 * number → uint64 field. protobufjs takes a number for a uint64 as readily as a decimal string,
 * and a string would cost it a Long.fromString per field, which showed in a leader's profile
 * under load (docs/benchmarks.md, "Fewer microseconds per message").
 * A core value that cannot be a uint64 is a bug, not a wire problem.
 */
export function numberToU64(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} = ${n} is not a non-negative safe integer`);
  return n;
}

export function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new MalformedMessageError(path, `expected a boolean, got ${describe(value)}`);
  return value;
}

export function str(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new MalformedMessageError(path, `expected a string, got ${describe(value)}`);
  return value;
}

export function nodeId(value: unknown, path: string): NodeId {
  const s = str(value, path);
  if (s.length === 0) throw new MalformedMessageError(path, 'node id is empty');
  if (s.length > MAX_NODE_ID_LENGTH) throw new MalformedMessageError(path, `node id longer than ${MAX_NODE_ID_LENGTH} characters`);
  return s;
}

/** Copies, so the core never holds a view into (and keeps alive) a whole received buffer. */
export function bytes(value: unknown, path: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new MalformedMessageError(path, `expected bytes, got ${describe(value)}`);
  return new Uint8Array(value);
}

export function array(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new MalformedMessageError(path, `expected a list, got ${describe(value)}`);
  return value;
}

/** A present sub-message (absent ones decode to null under `defaults: true`). */
export function object<T>(value: T | null | undefined, path: string): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedMessageError(path, value === null || value === undefined ? 'missing' : `expected a message, got ${describe(value)}`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return Array.isArray(value) ? 'a list' : typeof value;
}
