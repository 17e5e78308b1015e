// Observe(name) subscribers (design item 8): the holders of a name now, then one call per
// applied entry that changed them (grant, release, proclaim, session end), with that entry's
// index. Fed by the Ready-loop host after each coordination entry and after a snapshot restore;
// it compares only the names someone observes.
import type { HolderView, HoldersChange } from '../api/coordination-port.js';
import type { StateMachine } from '../statemachine/state-machine.js';

/** The holders of `name` in `sm`, with their sessions' owners. */
export function holderViews(sm: StateMachine, name: string): HolderView[] {
  const q = sm.queue(name);
  return q === undefined ? [] : q.holders.map((h) => ({ ...h, owner: sm.session(h.session)?.owner ?? '' }));
}

interface Observer {
  readonly onChange: (change: HoldersChange) => void;
}

interface Observed {
  readonly observers: Set<Observer>;
  last: readonly HolderView[];
}

function sameHolders(a: readonly HolderView[], b: readonly HolderView[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].session !== b[i].session || a[i].token !== b[i].token || a[i].value !== b[i].value) return false;
  }
  return true;
}

export class HolderObservers {
  private readonly byName = new Map<string, Observed>();

  constructor(private readonly holdersOf: (name: string) => readonly HolderView[]) {}

  get size(): number {
    return this.byName.size;
  }

  /** Calls `onChange` with the holders now (at `index`), then on each change; returns the cancel. */
  observe(name: string, index: number, onChange: (change: HoldersChange) => void): () => void {
    let entry = this.byName.get(name);
    if (entry === undefined) this.byName.set(name, (entry = { observers: new Set(), last: this.holdersOf(name) }));
    const observer: Observer = { onChange };
    entry.observers.add(observer);
    onChange({ holders: entry.last, index });
    const observed = entry;
    return () => {
      observed.observers.delete(observer);
      if (observed.observers.size === 0 && this.byName.get(name) === observed) this.byName.delete(name);
    };
  }

  /** An entry (or a restored snapshot) at `index` was applied: tell each observed name that changed. */
  applied(index: number): void {
    for (const entry of this.byName.size === 0 ? [] : this.byName.entries()) {
      const [name, observed] = entry;
      const now = this.holdersOf(name);
      if (sameHolders(observed.last, now)) continue;
      observed.last = now;
      for (const o of [...observed.observers]) o.onChange({ holders: now, index });
    }
  }
}
