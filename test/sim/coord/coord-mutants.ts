// Known coordination bugs, injected from test code only (nothing here is a flag in src/): a
// client that trusts a late grant, a state machine whose tokens wrap or whose ephemeral bindings
// are lost, a keeper that counts a session's TTL from the wrong moment. coord-teeth.test.ts shows
// the random campaign catches each one.
import { decodeCommand, encodeCommand, COMMAND_FORMAT_VERSION } from '../../../src/statemachine/commands.js';
import type { Command } from '../../../src/statemachine/commands.js';
import type { StateMachine } from '../../../src/statemachine/state-machine.js';
import type { ApplyResult } from '../../../src/statemachine/results.js';
import type { Entry } from '../../../src/raft/types.js';
import { EntryType } from '../../../src/raft/types.js';
import type { AppTweak } from './coord-app.js';
import type { CoordTweaks } from './coord-cluster.js';

export const CoordMutantName = {
  PhantomLeader: 'phantom-leader',
  TokensWrap: 'tokens-not-increasing',
  EphemeralKept: 'ephemeral-keys-not-deleted',
  KeepFromApply: 'keeper-counts-from-apply',
  DriftBeyondBound: 'drift-beyond-bound',
} as const;
export type CoordMutantName = (typeof CoordMutantName)[keyof typeof CoordMutantName];

export interface CoordMutant {
  readonly name: CoordMutantName;
  /** The bug, in one sentence. */
  readonly bug: string;
  readonly tweaks: CoordTweaks;
}

/** A token kept in three bits: 1..8, then 1 again. */
const wrap = (token: number): number => ((token - 1) % 8) + 1;

/** The KV write in an entry, if it is one. */
function kvWrite(entry: Entry): Extract<Command, { type: 'put' | 'delete' | 'cas' }> | undefined {
  if (entry.type !== EntryType.Normal || entry.data[0] !== COMMAND_FORMAT_VERSION) return undefined;
  const cmd = decodeCommand(entry.data);
  return cmd.type === 'put' || cmd.type === 'delete' || cmd.type === 'cas' ? cmd : undefined;
}

function withCommand(entry: Entry, cmd: Command): Entry {
  return { ...entry, data: encodeCommand(cmd) };
}

/**
 * Tokens counted in too few bits: every token the service hands out, and every guard it checks,
 * is the real token modulo 8 — so a stale holder's token can equal the current holder's.
 */
const tokensWrap: AppTweak = {
  result(r: ApplyResult): ApplyResult {
    if (r.kind !== 'command' || r.outcome.type !== 'coord') return r;
    const o = r.outcome;
    const outcome = o.outcome.type === 'acquired' && o.outcome.granted ? { ...o.outcome, token: wrap(o.outcome.token) } : o.outcome;
    return { ...r, outcome: { ...o, outcome, grants: o.grants.map((g) => ({ ...g, token: wrap(g.token) })) } };
  },
  entry(entry: Entry, sm: StateMachine): Entry {
    const cmd = kvWrite(entry);
    const guard = cmd?.ifToken;
    if (cmd === undefined || guard === undefined) return entry;
    const real = sm.queue(guard.name)?.holders.find((h) => wrap(h.token) === guard.token)?.token;
    return real === undefined ? entry : withCommand(entry, { ...cmd, ifToken: { ...guard, token: real } });
  },
};

/** The session binding of a put is dropped on the way to the store: the key outlives its session. */
const bindingLost: AppTweak = {
  entry(entry: Entry): Entry {
    const cmd = kvWrite(entry);
    if (cmd === undefined || cmd.type === 'delete' || cmd.session === undefined) return entry;
    const { session: _dropped, ...unbound } = cmd;
    return withCommand(entry, unbound);
  },
};

export const COORD_MUTANTS: readonly CoordMutant[] = [
  {
    name: CoordMutantName.PhantomLeader,
    bug: 'campaign/lock resolves on a grant without checking that its own session is still valid (etcd #11007)',
    tweaks: { client: { skipValidityCheck: true } },
  },
  { name: CoordMutantName.TokensWrap, bug: 'fencing tokens kept in three bits, so they wrap and repeat', tweaks: { app: tokensWrap } },
  {
    name: CoordMutantName.EphemeralKept,
    bug: 'a key written with a session is not bound to it, so it survives the session',
    tweaks: { app: bindingLost },
  },
  {
    name: CoordMutantName.KeepFromApply,
    bug: "a new leader counts each session's TTL from when it applied the session's creation, not from when it started keeping",
    tweaks: { server: { keepFromApply: true } },
  },
  {
    name: CoordMutantName.DriftBeyondBound,
    bug: "clocks drift up to 20% while the clients' validity assumes 1% (the bound is what makes the clock argument hold)",
    tweaks: { simMaxDrift: 0.2 },
  },
];
