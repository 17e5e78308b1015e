// A KV write (put, delete, cas) with its coordination parts: the fencing guard decides whether it
// applies at all, and a session binding makes the key ephemeral (deleted when the session ends).
// A refused write touches nothing: no revision, no event, no change of binding.
import type { Command } from './commands.js';
import { WriteRefusal } from './coord-record.js';
import type { CoordState } from './coord-state.js';
import type { KvStore } from './kv-store.js';
import type { WriteOutcome, WriteRefusedOutcome } from './results.js';

export type KvWriteCommand = Extract<Command, { type: 'put' | 'delete' | 'cas' }>;

export function applyKvWrite(kv: KvStore, coord: CoordState, cmd: KvWriteCommand): WriteOutcome {
  const refusal = refusalOf(kv, coord, cmd);
  if (refusal !== undefined) return refusal;
  switch (cmd.type) {
    case 'put': {
      const r = kv.put(cmd.key, cmd.value);
      bind(coord, cmd.key, cmd.session);
      return { type: 'put', ...r };
    }
    case 'delete': {
      const r = kv.delete(cmd.key);
      if (r.deleted) coord.unbindKey(cmd.key);
      return { type: 'delete', ...r };
    }
    case 'cas': {
      const r = kv.cas(cmd.key, cmd.expectedRevision, cmd.value);
      if (r.succeeded) bind(coord, cmd.key, cmd.session);
      return { type: 'cas', ...r };
    }
    default: {
      const never: never = cmd;
      throw new Error(`not a KV write: ${JSON.stringify(never)}`);
    }
  }
}

function refusalOf(kv: KvStore, coord: CoordState, cmd: KvWriteCommand): WriteRefusedOutcome | undefined {
  const guard = cmd.ifToken;
  if (guard !== undefined && !coord.guardHolds(guard)) {
    return {
      type: 'writeRefused',
      reason: WriteRefusal.StaleFencingToken,
      detail: `no holder of ${guard.name} has token ${guard.token}`,
      revision: kv.revision,
    };
  }
  const session = cmd.type === 'delete' ? undefined : cmd.session;
  if (session !== undefined && !coord.hasSession(session)) {
    return {
      type: 'writeRefused',
      reason: WriteRefusal.SessionNotFound,
      detail: `session ${session} has ended or never existed`,
      revision: kv.revision,
    };
  }
  return undefined;
}

/** A write with a session binds the key to it; one without unbinds it (the key outlives any session). */
function bind(coord: CoordState, key: string, session: string | undefined): void {
  if (session === undefined) coord.unbindKey(key);
  else coord.bindKey(key, session);
}
