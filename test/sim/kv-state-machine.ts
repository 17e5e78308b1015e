// The simulated application: a tiny KV store applied from the log. Client commands travel
// in entry data as JSON {id, c}; each op id is applied at most once (a forwarded proposal
// can be duplicated by the network and appended twice, and a client may retry), which is
// what makes the history linearizable rather than "at least once".
// The replicated HA record (src/statemachine/ha-state.ts) lives beside the KV data, so snapshots and
// restarts carry it like any application state.
import { applyHaCommand, isHaCommand } from '../../src/statemachine/ha-state.js';
import { EMPTY_HA_STATE } from '../../src/statemachine/ha-record.js';
import type { HaCommand, ReplicatedHaState } from '../../src/statemachine/ha-record.js';

export type KvCommand =
  | { readonly t: 'put'; readonly k: string; readonly v: string }
  | { readonly t: 'del'; readonly k: string }
  | { readonly t: 'cas'; readonly k: string; readonly from: string | null; readonly to: string };

export interface ClientEntry {
  readonly id: string;
  readonly c: KvCommand;
}

/** What applying a command returned: writes answer 'ok', cas answers whether it swapped. */
export type KvResult = 'ok' | boolean;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeClientEntry(e: ClientEntry): Uint8Array {
  return encoder.encode(JSON.stringify(e));
}

const OPEN_BRACE = 0x7b;

/**
 * undefined for entries that are not client commands: the leader's empty no-op, and the
 * entries of other applications sharing the log (HA commands, the real StateMachine's
 * commands in the coordination runs), which never start with '{'.
 */
export function decodeClientEntry(data: Uint8Array): ClientEntry | undefined {
  if (data.length === 0 || data[0] !== OPEN_BRACE || isHaCommand(data)) return undefined;
  return JSON.parse(decoder.decode(data)) as ClientEntry;
}

export class KvStateMachine {
  private readonly data = new Map<string, string>();
  private readonly seen = new Set<string>();
  /** The replicated HA state (a new object whenever a command changes it). */
  ha: ReplicatedHaState = EMPTY_HA_STATE;
  /** The image of the node's second application (SimApp) this snapshot carried, if any. */
  appImage: Uint8Array | undefined;

  get(k: string): string | undefined {
    return this.data.get(k);
  }

  /** Applies the command unless its id was applied before; undefined for a duplicate. */
  apply(e: ClientEntry): KvResult | undefined {
    if (this.seen.has(e.id)) return undefined;
    this.seen.add(e.id);
    const c = e.c;
    switch (c.t) {
      case 'put':
        this.data.set(c.k, c.v);
        return 'ok';
      case 'del':
        this.data.delete(c.k);
        return 'ok';
      case 'cas': {
        const cur = this.data.get(c.k) ?? null;
        if (cur !== c.from) return false;
        this.data.set(c.k, c.to);
        return true;
      }
      default: {
        const never: never = c;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  }

  applyHa(cmd: HaCommand, index: number): void {
    this.ha = applyHaCommand(this.ha, cmd, index);
  }

  /**
   * Canonical encoding (sorted), so equal states give equal bytes across nodes. `app`: the
   * image of the node's second application (SimApp), carried along.
   */
  encode(app?: Uint8Array): Uint8Array {
    const kv = [...this.data.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const ops = [...this.seen].sort();
    if (app !== undefined) return encoder.encode(JSON.stringify({ kv, ops, ha: this.ha, app: Buffer.from(app).toString('base64') }));
    const h = this.ha;
    // Only when used, so runs without the HA layer keep their exact bytes (and trace hashes).
    if (h.active === null && h.holders.length === 0 && !h.paused && h.health.length === 0 && h.lastHealthFailover === null) {
      return encoder.encode(JSON.stringify({ kv, ops }));
    }
    // Health only when used, so HA runs without checks keep their exact bytes too.
    const checks =
      h.health.length > 0 || h.lastHealthFailover !== null ? { health: h.health, lastHealthFailover: h.lastHealthFailover } : {};
    const ha = { active: h.active, holders: h.holders, paused: h.paused, ...checks };
    return encoder.encode(JSON.stringify({ kv, ops, ha }));
  }

  static decode(bytes: Uint8Array): KvStateMachine {
    const sm = new KvStateMachine();
    if (bytes.length === 0) return sm;
    const { kv, ops, ha, app } = JSON.parse(decoder.decode(bytes)) as {
      kv: [string, string][];
      ops: string[];
      app?: string;
      ha?: Partial<ReplicatedHaState> & Pick<ReplicatedHaState, 'active' | 'holders' | 'paused'>;
    };
    for (const [k, v] of kv) sm.data.set(k, v);
    for (const id of ops) sm.seen.add(id);
    if (app !== undefined) sm.appImage = new Uint8Array(Buffer.from(app, 'base64'));
    if (ha !== undefined) sm.ha = { ...ha, health: ha.health ?? [], lastHealthFailover: ha.lastHealthFailover ?? null };
    return sm;
  }
}

export function bytesToText(b: Uint8Array): string {
  return decoder.decode(b);
}
