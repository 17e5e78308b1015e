// The replicated part of the active role: a pure reducer over committed HA commands, and the
// encoding of those commands in log entries. Deterministic: every node that applies the same
// commands at the same indexes holds the same state.
import { isHealth, type ActiveRecord, type HaCommand, type NodeHealth, type ReplicatedHaState } from './ha-record.js';

/** A published check detail is cut to this many characters (it lives in the replicated state). */
export const HEALTH_DETAIL_MAX = 200;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A check's detail as replicated text: well-formed (a lone surrogate becomes U+FFFD, as the
 * command codec refuses it) and at most `max` UTF-16 units, cut before a character, never inside
 * a surrogate pair; a cut text ends in '…'. Deterministic: every node that applies it agrees.
 */
export function detailText(s: string, max: number): string {
  const t = s.replace(LONE_SURROGATE, '\uFFFD');
  if (t.length <= max) return t;
  let end = max - 1;
  const last = t.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${t.slice(0, end)}…`;
}

/** Apply one committed command found at log index `index`. */
export function applyHaCommand(state: ReplicatedHaState, cmd: HaCommand, index: number): ReplicatedHaState {
  switch (cmd.type) {
    case 'promote': {
      const record: ActiveRecord = { holder: cmd.holder, epoch: index, term: cmd.term };
      // The new holder's older promotions are covered: it is inactive locally before promoting.
      const holders = [...state.holders.filter((h) => h.holder !== cmd.holder), record].sort((a, b) => a.epoch - b.epoch);
      return { ...state, active: record, holders };
    }
    case 'demoted':
    case 'fenced': {
      const holders = state.holders.filter((h) => !(h.holder === cmd.holder && h.epoch <= cmd.epoch));
      return holders.length === state.holders.length ? state : { ...state, holders };
    }
    case 'pause':
      return state.paused ? state : { ...state, paused: true };
    case 'resume':
      return state.paused ? { ...state, paused: false } : state;
    case 'health': {
      const entry: NodeHealth = { node: cmd.node, health: cmd.health, detail: detailText(cmd.detail, HEALTH_DETAIL_MAX) };
      const health = [...state.health.filter((h) => h.node !== cmd.node), entry].sort((a, b) =>
        a.node < b.node ? -1 : a.node > b.node ? 1 : 0,
      );
      return { ...state, health };
    }
    case 'healthFailover':
      return { ...state, lastHealthFailover: { index, from: cmd.from, to: cmd.to } };
    default: {
      const never: never = cmd;
      throw new Error(`unknown HA command ${JSON.stringify(never)}`);
    }
  }
}

/** A node's published verdict; undefined when it never published one. */
export function healthOf(state: ReplicatedHaState, node: string): NodeHealth | undefined {
  return state.health.find((h) => h.node === node);
}

/** Is `holder`'s promotion `epoch` (or an older one of it) still unconfirmed? */
export function mayStillBeActive(state: ReplicatedHaState, holder: string): ActiveRecord | undefined {
  return state.holders.find((h) => h.holder === holder);
}

// Entry data: a marker byte then JSON. The marker keeps HA commands distinct from other
// application commands sharing the log.
const MARKER = 0xa7;

export function encodeHaCommand(cmd: HaCommand): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(cmd));
  const out = new Uint8Array(json.length + 1);
  out[0] = MARKER;
  out.set(json, 1);
  return out;
}

export function isHaCommand(data: Uint8Array): boolean {
  return data.length > 1 && data[0] === MARKER;
}

export class HaCommandError extends Error {
  readonly code = 'HA_COMMAND_INVALID';
}

/** Decode and validate; throws HaCommandError on anything malformed. */
export function decodeHaCommand(data: Uint8Array): HaCommand {
  if (!isHaCommand(data)) throw new HaCommandError('not an HA command (missing marker byte)');
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(1)));
  } catch (e) {
    throw new HaCommandError(`HA command is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null) throw new HaCommandError('HA command is not an object');
  const o = v as Record<string, unknown>;
  const str = (k: string): string => {
    if (typeof o[k] !== 'string' || o[k].length === 0) throw new HaCommandError(`HA command field ${k} must be a non-empty string`);
    return o[k];
  };
  const int = (k: string): number => {
    const n = o[k];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
      throw new HaCommandError(`HA command field ${k} must be a non-negative integer`);
    return n;
  };
  switch (o['type']) {
    case 'promote':
      return { type: 'promote', holder: str('holder'), term: int('term') };
    case 'demoted':
      return { type: 'demoted', holder: str('holder'), epoch: int('epoch') };
    case 'fenced':
      return { type: 'fenced', holder: str('holder'), epoch: int('epoch'), by: str('by') };
    case 'pause':
      return { type: 'pause' };
    case 'resume':
      return { type: 'resume' };
    case 'health': {
      const health = o['health'];
      if (!isHealth(health)) throw new HaCommandError('HA command field health must be healthy, unhealthy or unknown');
      if (typeof o['detail'] !== 'string') throw new HaCommandError('HA command field detail must be a string');
      return { type: 'health', node: str('node'), health, detail: o['detail'] };
    }
    case 'healthFailover':
      return { type: 'healthFailover', from: str('from'), to: str('to') };
    default:
      throw new HaCommandError(`unknown HA command type ${JSON.stringify(o['type'])}`);
  }
}
