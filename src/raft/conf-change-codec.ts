// A ConfChange inside an Entry's data: compact JSON in UTF-8 with a fixed key order, so
// the same change always encodes to the same bytes. Entries are persisted and replicated,
// so decoding validates everything and throws ConfChangeError on anything else.
import { ConfChangeError } from './errors.js';
import { ConfChangeType } from './types.js';
import type { ConfChange } from './types.js';

const encoder = new TextEncoder();
// fatal: invalid UTF-8 is garbage, not something to paper over with U+FFFD.
const decoder = new TextDecoder('utf-8', { fatal: true });

const TYPES: ReadonlySet<string> = new Set(Object.values(ConfChangeType));

interface Wire {
  t: ConfChangeType;
  n: string;
  c?: string;
}

export function encodeConfChange(cc: ConfChange): Uint8Array {
  const wire: Wire = { t: cc.type, n: cc.nodeId };
  if (cc.context !== undefined) wire.c = cc.context;
  return encoder.encode(JSON.stringify(wire));
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch (err) {
    throw new ConfChangeError(`undecodable conf change: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfChangeError('conf change is not an object');
  }
  const o = parsed as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== 't' && k !== 'n' && k !== 'c') throw new ConfChangeError(`conf change has unknown field ${k}`);
  }
  const { t, n, c } = o;
  if (typeof t !== 'string' || !TYPES.has(t)) throw new ConfChangeError(`conf change has bad type ${String(t)}`);
  if (typeof n !== 'string') throw new ConfChangeError('conf change node id is not a string');
  if (c !== undefined && typeof c !== 'string') throw new ConfChangeError('conf change context is not a string');
  const type = t as ConfChangeType;
  return c === undefined ? { type, nodeId: n } : { type, nodeId: n, context: c };
}
