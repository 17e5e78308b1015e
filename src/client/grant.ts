// A grant as this client holds it: a lock, a semaphore slot or an election's leadership. It is
// over (`lost` settles) when it is released or its session ends for this client — the only two
// ways the cluster can take it away (an expiry cannot come before the session's local end).
import { NotHolderError } from '../errors.js';
import type { Grant, Leadership } from './coordination-types.js';

/** What a grant needs of its session. */
export interface GrantOwner {
  readonly sessionId: string;
  /** True while the session is valid by this client's clock (ends it as lost when not). */
  checkValid(): boolean;
  /** Leave `name` (Release); resolves once applied. */
  release(name: string): Promise<void>;
  proclaim(name: string, token: number, value: string): Promise<void>;
  /** The grant is over: the session forgets it. */
  forget(grant: HeldGrant): void;
}

export class HeldGrant implements Grant {
  readonly lost: Promise<void>;
  private over = false;
  private settle!: () => void;

  constructor(
    protected readonly owner: GrantOwner,
    readonly name: string,
    readonly token: number,
  ) {
    this.lost = new Promise<void>((resolve) => (this.settle = resolve));
  }

  get held(): boolean {
    // Checking the session first ends it (and so this grant) when its validity has run out.
    this.owner.checkValid();
    return !this.over;
  }

  /** Over for this client: called on release and when the session ends. */
  markLost(): void {
    if (this.over) return;
    this.over = true;
    this.owner.forget(this);
    this.settle();
  }

  async release(): Promise<void> {
    if (!this.held) return;
    // Over at once: the holder stops acting on it before the cluster hears of the release.
    this.markLost();
    await this.owner.release(this.name);
  }
}

export class HeldLeadership extends HeldGrant implements Leadership {
  async proclaim(value: string): Promise<void> {
    if (!this.held) throw new NotHolderError(`session ${this.owner.sessionId} no longer leads ${this.name} (token ${this.token})`);
    try {
      await this.owner.proclaim(this.name, this.token, value);
    } catch (err) {
      if (err instanceof NotHolderError) this.markLost();
      throw err;
    }
  }

  resign(): Promise<void> {
    return this.release();
  }
}
