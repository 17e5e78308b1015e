// The coordination properties, checked against the server's order: every committed entry is
// looked at once, when the first node applies it (all nodes apply the same entries — the Raft
// invariants check that), with a model of holders kept here, independent of the reducer:
// - mutual exclusion: never more holders of a name than its limit;
// - tokens strictly increase, across every grant the service makes;
// - a write guarded by a token is applied only while that token's session holds the name
//   (a stale holder's write is always refused);
// - a key bound to a session is gone once the session has ended;
// - a name left delayed by a holder's expiry is granted no earlier than its lock-delay allows
//   (on any leader's clock: at least delay/(1+ρ) of real time after the expiry);
// - what a client believes it holds (holding, session valid by its own clock) is held by the
//   server's order at every applied entry: a client is told of its loss before anyone else is
//   granted (the phantom leader breaks exactly this).
import { decodeCommand } from '../../../src/statemachine/commands.js';
import type { Command } from '../../../src/statemachine/commands.js';
import { decodeCoordCommand, isCoordCommand } from '../../../src/statemachine/coord-codec.js';
import type { CoordCommand, CoordOutcome, Grant } from '../../../src/statemachine/coord-record.js';
import { EntryType } from '../../../src/raft/types.js';
import type { ClientProcess, Hold, NameSpec } from './client-process.js';
import type { AppliedEntry } from './coord-app.js';

export const CoordInvariant = {
  MutualExclusion: 'coord-mutual-exclusion',
  TokensIncrease: 'coord-tokens-increase',
  StaleWriteApplied: 'coord-stale-write-applied',
  EphemeralKeyKept: 'coord-ephemeral-key-kept',
  /** A client acts on a grant the server's order no longer (or never) gave it. */
  ToldBeforeGranted: 'coord-told-before-granted',
  /** A name delayed by an expiry with a lock-delay was granted before the delay could have run out. */
  LockDelay: 'coord-lock-delay',
  /** After every fault is healed, some client must be granted something within the bound. */
  Progress: 'coord-progress',
} as const;
export type CoordInvariant = (typeof CoordInvariant)[keyof typeof CoordInvariant];

export interface CoordStats {
  grants: number;
  expiries: number;
  closes: number;
  guardedApplied: number;
  guardedRefused: number;
  ephemeralDeleted: number;
  beliefs: number;
  lockDelays: number;
}

export class CoordOracle {
  readonly stats: CoordStats = {
    grants: 0,
    expiries: 0,
    closes: 0,
    guardedApplied: 0,
    guardedRefused: 0,
    ephemeralDeleted: 0,
    beliefs: 0,
    lockDelays: 0,
  };
  /** Real time at which an expiry delayed each name, and for how long. */
  private readonly delayed = new Map<string, { at: number; delayMs: number; index: number }>();
  /** The highest index looked at: entries are looked at once, in order. */
  private seen = 0;
  /** name → session → token, by the server's order. */
  private readonly holders = new Map<string, Map<string, number>>();
  private lastToken = 0;
  /** Key → the session it is bound to, by the server's order. */
  private readonly bound = new Map<string, string>();
  /** Index of the newest grant (the progress check). */
  lastGrantIndex = 0;

  constructor(
    private readonly specs: ReadonlyMap<string, NameSpec>,
    private readonly clients: () => readonly ClientProcess[],
    private readonly fail: (invariant: CoordInvariant, message: string) => void,
    /** Real time, and the bound on every clock's rate error. */
    private readonly now: () => number,
    private readonly maxDrift: number,
  ) {}

  onApplied(e: AppliedEntry): void {
    const index = e.entry.index;
    if (index <= this.seen) return;
    this.seen = index;
    const r = e.result;
    // A retried request answered from dedup applied nothing (its first copy did).
    if (r.kind === 'command' && !r.duplicate && e.entry.type === EntryType.Normal) {
      const o = r.outcome;
      if (o.type === 'coord') {
        const cmd = decodeCoordCommand(e.entry.data);
        this.coordApplied(index, cmd, o.outcome, o.grants, e);
      } else if (o.type === 'put' && !isCoordCommand(e.entry.data)) {
        this.putApplied(index, decodeCommand(e.entry.data));
      } else if (o.type === 'writeRefused') {
        this.stats.guardedRefused++;
      }
    }
    this.checkBeliefs(`after index ${index}`);
  }

  /** A client starts acting on a grant. */
  onBelief(client: ClientProcess, hold: Hold): void {
    this.stats.beliefs++;
    this.checkBelief(client, hold, 'when it resolved');
  }

  private coordApplied(index: number, cmd: CoordCommand, outcome: CoordOutcome, grants: readonly Grant[], e: AppliedEntry): void {
    if (cmd.type === 'release' && outcome.type === 'released' && outcome.released) this.holders.get(cmd.name)?.delete(cmd.session);
    if (outcome.type === 'sessionEnded' && outcome.ended) {
      if (cmd.type === 'sessionEnd' && cmd.reason === 'expired') this.stats.expiries++;
      else this.stats.closes++;
      for (const h of this.holders.values()) h.delete(outcome.session);
      for (const [key, session] of [...this.bound]) {
        if (session !== outcome.session) continue;
        this.bound.delete(key);
        this.stats.ephemeralDeleted++;
        const kv = e.sm.get(key);
        if (kv !== undefined)
          this.fail(
            CoordInvariant.EphemeralKeyKept,
            `key ${key}, bound to session ${session}, is still there (${JSON.stringify(kv.value)}) after the session ended at index ${index}`,
          );
      }
    }
    for (const q of e.sm.delayedQueues()) {
      if (q.delayedSince !== index) continue;
      this.stats.lockDelays++;
      this.delayed.set(q.name, { at: this.now(), delayMs: q.delayMs, index });
    }
    for (const g of grants) {
      this.stats.grants++;
      const d = this.delayed.get(g.name);
      this.delayed.delete(g.name);
      const earliest = d === undefined ? 0 : d.at + d.delayMs / (1 + this.maxDrift);
      if (d !== undefined && this.now() < earliest - 1e-6) {
        this.fail(
          CoordInvariant.LockDelay,
          `index ${index} grants ${g.name} ${(earliest - this.now()).toFixed(1)}ms before the lock-delay of ${d.delayMs}ms begun at index ${d.index} can have run out`,
        );
      }
      this.lastGrantIndex = index;
      if (g.token <= this.lastToken)
        this.fail(
          CoordInvariant.TokensIncrease,
          `index ${index} grants ${g.name} to session ${g.session} with token ${g.token}, not above the previous token ${this.lastToken}`,
        );
      this.lastToken = Math.max(this.lastToken, g.token);
      const h = this.holders.get(g.name) ?? new Map<string, number>();
      this.holders.set(g.name, h);
      h.set(g.session, g.token);
      const limit = this.specs.get(g.name)?.limit ?? 1;
      if (h.size > limit)
        this.fail(
          CoordInvariant.MutualExclusion,
          `index ${index} grants ${g.name} to session ${g.session}: holders ${describeHolders(h)} exceed the limit ${limit}`,
        );
    }
  }

  private putApplied(index: number, cmd: Command): void {
    if (cmd.type !== 'put') return;
    if (cmd.session !== undefined) this.bound.set(cmd.key, cmd.session);
    else this.bound.delete(cmd.key);
    const guard = cmd.ifToken;
    if (guard === undefined) return;
    this.stats.guardedApplied++;
    // The writer's session rides in the value (client-process.ts: session:token:n).
    const writer = cmd.value.split(':')[0];
    const held = this.holders.get(guard.name)?.get(writer);
    if (held !== guard.token) {
      this.fail(
        CoordInvariant.StaleWriteApplied,
        `index ${index} applied ${cmd.key}=${cmd.value} guarded by ${guard.name}#${guard.token}, but session ${writer} ${held === undefined ? 'does not hold it' : `holds it with #${held}`} (holders ${describeHolders(this.holders.get(guard.name))})`,
      );
    }
  }

  private checkBeliefs(when: string): void {
    for (const c of this.clients()) {
      const hold = c.believesNow();
      if (hold !== undefined) this.checkBelief(c, hold, when);
    }
  }

  private checkBelief(c: ClientProcess, hold: Hold, when: string): void {
    const token = this.holders.get(hold.name)?.get(hold.session);
    if (token === hold.token) return;
    const left = c.session?.clock.remainingMs(c.clock.now()) ?? 0;
    this.fail(
      CoordInvariant.ToldBeforeGranted,
      `${c.id} acts on ${hold.name} #${hold.token} (session ${hold.session}, ${left.toFixed(1)}ms of validity left by its clock) ${when}, ` +
        `but by the server's order at index ${this.seen} the holders are ${describeHolders(this.holders.get(hold.name))}`,
    );
  }
}

function describeHolders(h: ReadonlyMap<string, number> | undefined): string {
  if (h === undefined || h.size === 0) return '[]';
  return `[${[...h].map(([s, t]) => `s${s}#${t}`).join(', ')}]`;
}
