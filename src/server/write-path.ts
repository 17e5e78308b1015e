// Writes and linearizable reads through this node: a write is proposed here (a follower's core
// forwards it to the leader) and answered once THIS node has applied it; a read waits for a
// ReadIndex point to be applied. Built below the HA driver, which writes its profile this way.
import { randomBytes } from 'node:crypto';
import type { WriteResult } from '../api/node-port.js';
import { InvalidArgumentError } from '../errors.js';
import { encodeCommand, type Command } from '../statemachine/commands.js';
import { InvalidCommandError } from '../statemachine/errors.js';
import type { ApplyWaiters } from './apply-waiters.js';
import type { NodeHost } from './node-host.js';
import type { RequestGuard } from './request-guard.js';
import type { StoreQuota } from './store-quota.js';

export type WriteCommand = Extract<Command, { type: 'put' | 'delete' | 'cas' }>;

export class WritePath {
  private readonly bootNonce = randomBytes(6).toString('hex');
  private seq = 0;

  constructor(
    private readonly host: NodeHost,
    private readonly waiters: ApplyWaiters,
    private readonly guard: RequestGuard,
    private readonly quota: StoreQuota,
  ) {}

  async write(cmd: WriteCommand): Promise<WriteResult> {
    this.guard.usable();
    const sm = this.host.stateMachine;
    if (cmd.type !== 'delete') this.quota.admit(sm.storeBytes, cmd.key, cmd.value, sm.get(cmd.key)?.value);
    // Every write carries a request id: that is how the applied entry finds its caller.
    const request = cmd.request ?? { clientId: `node-${this.host.nodeId}-${this.bootNonce}`, requestId: String(++this.seq) };
    // Not `{ ...cmd, request }`: Node 20's V8 builds a spread that adds a property slowly.
    const full: WriteCommand = cmd.request !== undefined ? cmd : Object.assign({}, cmd, { request });
    let data: Uint8Array;
    try {
      data = encodeCommand(full);
    } catch (err) {
      if (err instanceof InvalidCommandError) throw new InvalidArgumentError(err.message, { cause: err });
      throw err;
    }
    const metrics = this.host.metrics;
    const wait = this.waiters.waitWrite(request, this.guard.timeoutMs, () => this.guard.timeout(`${cmd.type} of "${cmd.key}"`));
    try {
      this.host.propose(data);
    } catch (err) {
      wait.cancel();
      metrics.proposalsFailed++;
      throw this.guard.dropped(err);
    }
    metrics.proposals++;
    try {
      return await wait.promise;
    } catch (err) {
      metrics.proposalsFailed++;
      throw err;
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
}
