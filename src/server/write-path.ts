// Writes and linearizable reads through this node: a write is proposed here (a follower's core
// forwards it to the leader) and answered once THIS node has applied it; a read waits for a
// ReadIndex point to be applied. Built below the HA driver, which writes its profile this way.
// Coordination commands go the same way (coord()); the leader's session keeper proposes its
// expiries and lock-delay ends without waiting (proposeUnanswered()).
import { randomBytes } from 'node:crypto';
import type { WriteResult } from '../api/node-port.js';
import { InvalidArgumentError } from '../errors.js';
import { encodeCommand, type Command, type RequestId } from '../statemachine/commands.js';
import { encodeCoordCommand } from '../statemachine/coord-codec.js';
import type { CoordCommand } from '../statemachine/coord-record.js';
import { InvalidCommandError } from '../statemachine/errors.js';
import type { ApplyWaiters, CoordResult } from './apply-waiters.js';
import { refusalError } from './coord-errors.js';
import type { NodeHost } from './node-host.js';
import type { RequestGuard } from './request-guard.js';
import type { StoreQuota } from './store-quota.js';
import type { PendingWait } from './waiters.js';

export type WriteCommand = Extract<Command, { type: 'put' | 'delete' | 'cas' }>;

/** The coordination commands a client asks for (the keeper's lockDelayEnd is the leader's own). */
export type ClientCoordCommand = Exclude<CoordCommand, { type: 'lockDelayEnd' }>;

export class WritePath {
  private readonly bootNonce = randomBytes(6).toString('hex');
  private seq = 0;

  constructor(
    private readonly host: NodeHost,
    private readonly waiters: ApplyWaiters,
    private readonly guard: RequestGuard,
    private readonly quota: StoreQuota,
  ) {}

  /** Resolves once applied here; a write its guard or session binding refused throws that refusal. */
  async write(cmd: WriteCommand): Promise<WriteResult> {
    this.guard.usable();
    const sm = this.host.stateMachine;
    if (cmd.type !== 'delete') this.quota.admit(sm.storeBytes, cmd.key, cmd.value, sm.get(cmd.key)?.value);
    // Every write carries a request id: that is how the applied entry finds its caller.
    const request = cmd.request ?? this.nextRequest();
    // Not `{ ...cmd, request }`: Node 20's V8 builds a spread that adds a property slowly.
    const full: WriteCommand = cmd.request !== undefined ? cmd : Object.assign({}, cmd, { request });
    const data = encoded(() => encodeCommand(full));
    const r = await this.proposeAndWait(
      data,
      this.waiters.waitWrite(request, this.guard.timeoutMs, () => this.timeout(cmd.type, cmd.key)),
    );
    if (r.outcome.type === 'writeRefused') throw refusalError(r.outcome.reason, r.outcome.detail);
    return r;
  }

  /** Proposes a client's coordination command; resolves with what applying it did here. */
  coord(cmd: ClientCoordCommand): Promise<CoordResult> {
    this.guard.usable();
    const request = cmd.request ?? this.nextRequest();
    const full: ClientCoordCommand = cmd.request !== undefined ? cmd : Object.assign({}, cmd, { request });
    const data = encoded(() => encodeCoordCommand(full));
    const what = 'name' in cmd ? `${cmd.type} of "${cmd.name}"` : cmd.type;
    return this.proposeAndWait(
      data,
      this.waiters.waitCoord(request, this.guard.timeoutMs, () => this.guard.timeout(what)),
    );
  }

  /** The leader's own coordination proposal (the keeper's): throws if the core refuses it. */
  proposeUnanswered(cmd: CoordCommand): void {
    const data = encoded(() => encodeCoordCommand(cmd));
    try {
      this.host.propose(data);
    } catch (err) {
      this.host.metrics.proposalsFailed++;
      throw this.guard.dropped(err);
    }
  }

  async readBarrier(): Promise<void> {
    this.guard.usable();
    const context = `${this.host.nodeId}/${this.bootNonce}/${++this.seq}`;
    const metrics = this.host.metrics;
    const wait = this.waiters.waitRead(context, this.guard.timeoutMs, () => this.guard.timeout('linearizable read'));
    try {
      this.host.readIndex(context);
    } catch (err) {
      wait.cancel();
      metrics.readIndexFailed++;
      throw this.guard.dropped(err);
    }
    metrics.readIndexReads++;
    try {
      await wait.promise;
    } catch (err) {
      metrics.readIndexFailed++;
      throw err;
    }
  }

  private nextRequest(): RequestId {
    return { clientId: `node-${this.host.nodeId}-${this.bootNonce}`, requestId: String(++this.seq) };
  }

  private timeout(type: string, key: string): Error {
    return this.guard.timeout(`${type} of "${key}"`);
  }

  /**
   * A write refused by the core (at once, or when its queue is flushed) fails with the refusal.
   * The host counts the write as proposed when the core takes it; a failure (refused, timed out)
   * is counted here, once, when the writer hears it.
   */
  private async proposeAndWait<T>(data: Uint8Array, wait: PendingWait<T>): Promise<T> {
    this.host.proposeQueued(data, (err) => wait.fail(this.guard.dropped(err)));
    try {
      return await wait.promise;
    } catch (err) {
      this.host.metrics.proposalsFailed++;
      throw err;
    }
  }
}

/** A command that breaks a limit is the caller's fault: INVALID_ARGUMENT. */
function encoded(encode: () => Uint8Array): Uint8Array {
  try {
    return encode();
  } catch (err) {
    if (err instanceof InvalidCommandError) throw new InvalidArgumentError(err.message, { cause: err });
    throw err;
  }
}
