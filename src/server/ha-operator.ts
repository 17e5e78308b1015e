// The operator's controls of the active role, served by the leader (switchover) or any node
// (pause/resume, events): each checks its preconditions with a clear error, asks the role
// controller or proposes the command, and waits, bounded, until the outcome is applied.
import type { SwitchoverResult } from '../api/node-port.js';
import { NoLeaderError, NotFoundError, PreconditionFailedError, TimeoutError } from '../errors.js';
import type { RecordedEvent } from '../statemachine/cluster-events.js';
import { ClusterEventKind } from '../statemachine/cluster-events.js';
import { Health, type HaCommand, type ReplicatedHaState } from '../statemachine/ha-record.js';
import { encodeHaCommand, healthOf } from '../statemachine/ha-state.js';
import { MemberRole } from '../statemachine/membership.js';
import type { Clock } from './clock.js';
import type { NodeConfig } from './config.js';
import type { ControllerLoop } from './ha-controller-loop.js';
import type { HaHost } from './ha-host.js';
import { activeOf, type HaTargets } from './ha-targets.js';
import type { Logger } from './logger.js';

export interface OperatorOptions {
  readonly config: NodeConfig;
  readonly host: HaHost;
  readonly clock: Clock;
  readonly log: Logger;
  readonly loop: ControllerLoop;
  readonly targets: HaTargets;
}

export class HaOperator {
  constructor(private readonly o: OperatorOptions) {}

  async switchover(to: string): Promise<SwitchoverResult> {
    const { host, config } = this.o;
    const started = this.now();
    const r = host.raw.basicStatus();
    if (r.state !== 'leader') {
      const { leader, address } = host.leaderHint();
      throw new NoLeaderError('a switchover is run by the leader; ask it', leader || undefined, address || undefined);
    }
    const state = host.stateMachine().ha;
    if (state.paused) throw new PreconditionFailedError('the cluster is paused: run `palisade resume` before a switchover');
    const candidates = this.o.targets.candidates();
    if (to !== '') this.checkTarget(to, state, candidates);
    else if (candidates.length === 0)
      throw new PreconditionFailedError('no other voter is reachable, caught up, healthy and allowed to take the role');
    const from = activeOf(state)?.node ?? '';
    const before = state.active?.epoch ?? 0;
    const target = to !== '' ? to : candidates[0];
    this.o.log.info({ to: target, from, epoch: before }, 'switchover requested');
    this.o.loop.record({ kind: ClusterEventKind.Hook, term: r.term, detail: `switchover requested: ${from || '(none)'} → ${target}` });
    this.o.loop.feed({ type: 'switchover', now: this.now(), to: target, caughtUp: candidates });
    const t = config.ha.timing;
    const budget = 2 * t.outliveMs + t.demoteBudgetMs + config.ha.hookTimeoutMs + 4 * config.electionTimeoutMs + 1000;
    await host.waitFor(
      () => {
        const a = activeOf(host.stateMachine().ha);
        return a !== null && a.node === target && a.epoch > before;
      },
      budget,
      () => new TimeoutError(`switchover to ${target}: no promotion of ${target} within ${budget} ms; see \`palisade events\``),
    );
    const epoch = host.stateMachine().ha.active?.epoch ?? 0;
    return { from, to: target, epoch, durationMs: Math.round(this.now() - started) };
  }

  async setPaused(paused: boolean): Promise<{ paused: boolean }> {
    const { host, config } = this.o;
    const cmd: HaCommand = paused ? { type: 'pause' } : { type: 'resume' };
    if (host.stateMachine().ha.paused === paused) return { paused };
    try {
      host.raw.propose(encodeHaCommand(cmd));
    } catch (err) {
      const { leader, address } = host.leaderHint();
      throw new NoLeaderError((err as Error).message, leader || undefined, address || undefined, { cause: err });
    }
    host.kick();
    this.o.loop.record({
      kind: ClusterEventKind.Hook,
      term: host.raw.basicStatus().term,
      detail: paused ? 'paused by operator' : 'resumed by operator',
    });
    const timeout = 4 * config.electionTimeoutMs + 2000;
    await host.waitFor(
      () => host.stateMachine().ha.paused === paused,
      timeout,
      () => new TimeoutError(`${cmd.type} not applied on ${config.id} within ${timeout} ms; retry`),
    );
    return { paused };
  }

  events(afterSeq: number, limit: number): readonly RecordedEvent[] {
    const all = this.o.host.stateMachine().clusterEventLog(afterSeq);
    return limit > 0 ? all.slice(0, limit) : all;
  }

  /** Why `to` cannot take the role now, as an error; nothing when it can. */
  private checkTarget(to: string, state: ReplicatedHaState, candidates: readonly string[]): void {
    const me = this.o.config.id;
    const m = this.o.host
      .stateMachine()
      .members()
      .find((x) => x.id === to);
    if (m === undefined) throw new NotFoundError(`member ${to} is not in the cluster`);
    if (to === me && activeOf(state)?.node === me) throw new PreconditionFailedError(`${to} already holds the active role`);
    if (to === me) throw new PreconditionFailedError(`${to} is the leader; switchover moves the role to another node`);
    if (m.role !== MemberRole.Voter) throw new PreconditionFailedError(`${to} is a learner; only a caught-up voter can take the role`);
    if (this.o.targets.profiles().get(to)?.noActive)
      throw new PreconditionFailedError(`${to} runs with --no-active (a witness): it never takes the role`);
    const h = healthOf(state, to);
    if (h !== undefined && h.health !== Health.Healthy) {
      const why =
        h.health === Health.Unhealthy ? `its service is unhealthy${h.detail ? ` (${h.detail})` : ''}` : 'its check has not passed yet';
      throw new PreconditionFailedError(`${to} cannot take the role: ${why}; an unhealthy node is never promoted`);
    }
    if (!candidates.includes(to))
      throw new PreconditionFailedError(`${to} is not reachable or not caught up with the leader's log; retry when it is`);
  }

  private now(): number {
    return this.o.clock.monotonicMs();
  }
}
