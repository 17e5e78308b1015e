// Waiting Acquire calls (design item 7), keyed by (name, session): the grants of each applied
// entry wake exactly the granted session's callers — no thundering herd — and a session's end
// fails its callers with SESSION_NOT_FOUND. A waiter registers after its acquire was applied
// and found queued; the caller checks the applied state right before registering (nothing is
// applied in between: both happen in one turn of the event loop), so no grant is missed.
import { SessionNotFoundError } from '../errors.js';
import type { Grant } from '../statemachine/coord-record.js';

interface GrantWaiter {
  resolve(token: number): void;
  reject(err: Error): void;
}

function keyOf(name: string, session: string): string {
  return `${session}\u0000${name}`;
}

export class GrantWaiters {
  private readonly byKey = new Map<string, Set<GrantWaiter>>();
  /** session → its waiting names, to fail them all when it ends. */
  private readonly bySession = new Map<string, Set<string>>();

  get size(): number {
    return this.byKey.size;
  }

  /** Resolves with the token when `session` is granted `name`; rejects when it ends or `signal` aborts. */
  wait(name: string, session: string, signal: AbortSignal): Promise<number> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    const key = keyOf(name, session);
    return new Promise<number>((resolve, reject) => {
      const onAbort = (): void => {
        this.remove(name, session, waiter);
        reject(abortReason(signal));
      };
      const waiter: GrantWaiter = {
        resolve: (token) => {
          signal.removeEventListener('abort', onAbort);
          resolve(token);
        },
        reject: (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      let set = this.byKey.get(key);
      if (set === undefined) this.byKey.set(key, (set = new Set()));
      set.add(waiter);
      let names = this.bySession.get(session);
      if (names === undefined) this.bySession.set(session, (names = new Set()));
      names.add(name);
    });
  }

  /** The grants of one applied entry: wakes those (name, session) callers only. */
  granted(grants: readonly Grant[]): void {
    if (this.byKey.size === 0) return;
    for (const g of grants) {
      for (const w of this.take(g.name, g.session)) w.resolve(g.token);
    }
  }

  /** `session` ended: its waiting callers fail with SESSION_NOT_FOUND. */
  sessionEnded(session: string, detail: string): void {
    const names = this.bySession.get(session);
    if (names === undefined) return;
    for (const name of [...names]) {
      for (const w of this.take(name, session)) w.reject(new SessionNotFoundError(detail));
    }
  }

  /** Everyone fails with `err` (the node stops). */
  rejectAll(err: Error): void {
    for (const set of this.byKey.values()) for (const w of set) w.reject(err);
    this.byKey.clear();
    this.bySession.clear();
  }

  private take(name: string, session: string): GrantWaiter[] {
    const key = keyOf(name, session);
    const set = this.byKey.get(key);
    if (set === undefined) return [];
    this.byKey.delete(key);
    this.forget(name, session);
    return [...set];
  }

  private remove(name: string, session: string, waiter: GrantWaiter): void {
    const key = keyOf(name, session);
    const set = this.byKey.get(key);
    if (set === undefined) return;
    set.delete(waiter);
    if (set.size > 0) return;
    this.byKey.delete(key);
    this.forget(name, session);
  }

  private forget(name: string, session: string): void {
    const names = this.bySession.get(session);
    names?.delete(name);
    if (names?.size === 0) this.bySession.delete(session);
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
