// Conditions on the node's state that callers wait for (an index applied, a role acknowledged in
// the HA record): each is checked again after every handled Ready, the only time the state
// they read can change, and ends by its deadline if it never holds.

interface Condition {
  readonly check: () => boolean;
  readonly resolve: () => void;
}

export class ReadyConditions {
  private readonly waiting = new Set<Condition>();

  /** Resolves once `check()` holds after some Ready (or right away); rejects after `timeoutMs`. */
  waitFor(check: () => boolean, timeoutMs: number, onTimeout: () => Error): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const c: Condition = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiting.delete(c);
        reject(onTimeout());
      }, timeoutMs);
      this.waiting.add(c);
    });
  }

  /** After a handled Ready: the conditions that now hold are resolved. */
  afterReady(): void {
    if (this.waiting.size === 0) return;
    for (const c of [...this.waiting]) {
      if (c.check()) {
        this.waiting.delete(c);
        c.resolve();
      }
    }
  }
}
