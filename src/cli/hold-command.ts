// Runs a command while a grant (a lock, a semaphore slot, leadership) is held, and stops it when
// the grant can no longer be counted on: SIGTERM to its process group before the session's
// validity runs out, SIGKILL while some of it is left (validity-watch.ts). SIGINT/SIGTERM sent to
// the CLI are passed on to the group. The caller releases the grant afterwards.
import { exitCodeOf, spawnGroup, terminateGroup, type GroupExit } from './process-group.js';
import { stopBounds, watchValidity } from './validity-watch.js';

export interface HeldCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/** What the command runs under: the grant's end and its session's guaranteed validity. */
export interface Holding {
  /** Settles when the grant is over for this client (its session ended or was lost). */
  readonly lost: Promise<void>;
  /** The session's validity left by this client's clock; 0 once over. */
  remainingMs(): number;
  readonly ttlMs: number;
}

/** Subscribes to every SIGINT/SIGTERM the CLI receives; returns an unsubscribe. */
export type SignalSource = (listener: (signal: NodeJS.Signals) => void) => () => void;

export type HoldOutcome =
  /** The command ended by itself (or by a signal passed on to it) while the grant held. */
  | { readonly kind: 'exited'; readonly exit: GroupExit; readonly exitCode: number }
  /** The grant was lost (or about to be): the command was stopped. */
  | { readonly kind: 'lost'; readonly exit: GroupExit; readonly pid: number };

/** Starts the command (rejects with CommandStartError) and resolves when its group is gone. */
export async function runWhileHolding(cmd: HeldCommand, holding: Holding, signals: SignalSource): Promise<HoldOutcome> {
  const group = await spawnGroup(cmd.command, cmd.args, cmd.env);
  const bounds = stopBounds(holding.ttlMs);
  let lost = false;
  const terminations: Promise<void>[] = [];
  // SIGKILL while validity is left: the grace is at most what remains above the reserve.
  const graceMs = () => Math.max(0, Math.min(bounds.termAtMs - bounds.killAtMs, holding.remainingMs() - bounds.killAtMs));
  const stop = () => terminations.push(terminateGroup(group, graceMs()));
  // Assigned below; the watch may call onLost before it returns (validity already at the bound).
  let cancelWatch = (): void => {};
  const onLost = () => {
    if (lost) return;
    lost = true;
    cancelWatch();
    stop();
  };
  cancelWatch = watchValidity(() => holding.remainingMs(), bounds.termAtMs, onLost);
  void holding.lost.then(onLost);
  const unsubscribe = signals((sig) => void group.signal(sig));
  try {
    const exit = await group.exited;
    // What CMD left running in its group must not outlive the grant either.
    if (!lost && group.alive()) stop();
    await settleAll(terminations);
    if (lost) return { kind: 'lost', exit, pid: group.pid };
    return { kind: 'exited', exit, exitCode: exitCodeOf(exit) };
  } finally {
    // After a loss the grant is gone: nothing more to watch.
    lost = true;
    cancelWatch();
    unsubscribe();
  }
}

/** Waits for every termination, including ones a loss starts while waiting. */
async function settleAll(terminations: Promise<void>[]): Promise<void> {
  for (let i = 0; i < terminations.length; i++) await terminations[i];
}
