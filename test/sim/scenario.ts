// One simulation run: warm up, play a list of nemesis actions, heal everything, require
// progress within a bound, then check the client history for linearizability.
import type { ClientOp } from './client-history.js';
import { Invariant } from './invariants.js';
import type { Violation } from './invariants.js';
import { checkLinearizable, formatHistory } from './linearizability.js';
import type { KvInput, KvOutput, Operation } from './linearizability.js';
import type { Action } from './nemesis.js';
import { applyAction, formatActions } from './nemesis.js';
import { Simulator } from './simulator.js';
import type { SimOptions } from './simulator.js';

export interface ScenarioOptions extends Omit<SimOptions, 'seed'> {
  /** Quiet time before the first action, so that a leader usually exists. Default 300 ms. */
  readonly warmupMs?: number;
  /** Check progress after healing (default true). */
  readonly liveness?: boolean;
  /** Check the client history at the end (default true). */
  readonly linearizability?: boolean;
}

export interface ScenarioResult {
  readonly violation: Violation | undefined;
  readonly events: number;
  readonly simTimeMs: number;
  readonly traceHash: string;
  readonly traceTail: readonly string[];
  readonly history: readonly ClientOp[];
  readonly nodeStates: readonly string[];
  /** Set when the linearizability search ran out of budget (neither proven nor refuted). */
  readonly linearizabilityUnknown?: string;
  /** Simulated ms from healing to the first committed probe write. */
  readonly recoveryMs?: number;
}

/**
 * The liveness bound. Once every fault is healed, a leader must exist and a fresh write
 * must commit within 10 × the longest election timeout any node can draw, measured in
 * real time (a slow clock stretches its timeouts by 1/(1−maxDrift)):
 *   bound = 10 · 2·electionTick·tickMs / (1 − maxDrift).
 * With the defaults (10 ticks of 10 ms, 1% drift) that is about 2.02 s of simulated time.
 */
export function livenessBoundMs(sim: Simulator): number {
  return (10 * 2 * sim.params.electionTick * sim.tickMs) / (1 - sim.maxDrift);
}

export function runScenario(simSeed: number, actions: readonly Action[], opts: ScenarioOptions): ScenarioResult {
  const sim = new Simulator({ ...opts, seed: simSeed });
  sim.runFor(opts.warmupMs ?? 300);
  for (const a of actions) {
    if (sim.violation !== undefined) break;
    applyAction(sim, a);
  }
  let recoveryMs: number | undefined;
  if (sim.violation === undefined && opts.liveness !== false) recoveryMs = checkLiveness(sim);
  let unknown: string | undefined;
  if (sim.violation === undefined && opts.linearizability !== false) {
    const ops = toOperations(sim.history.ops);
    const res = checkLinearizable(ops, { maxStates: 200_000 });
    if (res.ok === false) {
      sim.checker.fail(Invariant.Linearizability, `key ${res.key}: ${res.explanation}\n${formatHistory(res.minimalOps)}`);
    } else if (res.ok === 'unknown') {
      unknown = `key ${res.key}: ${res.reason}`;
    }
  }
  return {
    violation: sim.violation,
    events: sim.events,
    simTimeMs: sim.now(),
    traceHash: sim.trace.hash,
    traceTail: sim.trace.tail(),
    history: sim.history.ops,
    nodeStates: sim.describe(),
    ...(unknown !== undefined ? { linearizabilityUnknown: unknown } : {}),
    ...(recoveryMs !== undefined ? { recoveryMs } : {}),
  };
}

/** Heal everything, then require a leader and a committed probe write within the bound. */
function checkLiveness(sim: Simulator): number | undefined {
  sim.healAll();
  const start = sim.now();
  const deadline = start + livenessBoundMs(sim);
  const probes: ClientOp[] = [];
  let probeLeader: string | undefined;
  let n = 0;
  const done = (): boolean => probes.some((p) => p.ret !== undefined);
  while (sim.violation === undefined && sim.now() < deadline) {
    if (done()) return sim.now() - start;
    const leader = sim.leader();
    // (Re)submit when there is no probe yet or its leadership ended: a proposal made in an
    // older term may have been overwritten and is never answered, even when the same node
    // leads again (a client retries after such a change too).
    const leadership = leader !== undefined ? `${leader.id}@t${leader.raw!.status().term}` : undefined;
    if (leader !== undefined && leadership !== probeLeader) {
      const op = sim.write(leader.id, { t: 'put', k: 'probe', v: `p${++n}` });
      if (op !== undefined) {
        probes.push(op);
        probeLeader = leadership;
      }
    }
    sim.runFor(Math.min(5, deadline - sim.now()), done);
  }
  if (done()) return sim.now() - start;
  if (sim.violation === undefined) {
    sim.checker.fail(
      Invariant.Liveness,
      `no leader with a committed write ${livenessBoundMs(sim).toFixed(0)} ms after healing ` +
        `(leader now: ${sim.leader()?.id ?? 'none'}; probes: ${probes.map((p) => `${p.id}@${p.node}`).join(',') || 'none'})`,
    );
  }
  return undefined;
}

export function toOperations(ops: readonly ClientOp[]): Operation[] {
  return ops.map((o) => {
    const c = o.cmd;
    let input: KvInput;
    let output: KvOutput | undefined;
    const done = o.ret !== undefined;
    switch (c.t) {
      case 'put':
        input = { kind: 'put', key: c.k, value: c.v };
        output = done ? { kind: 'put' } : undefined;
        break;
      case 'del':
        input = { kind: 'delete', key: c.k };
        output = done ? { kind: 'delete' } : undefined;
        break;
      case 'cas':
        input = { kind: 'cas', key: c.k, expected: c.from, value: c.to };
        output = done ? { kind: 'cas', ok: o.result === true } : undefined;
        break;
      case 'get':
        input = { kind: 'get', key: c.k };
        output = done ? { kind: 'get', value: (o.result as string | null) ?? null } : undefined;
        break;
      default: {
        const never: never = c;
        throw new Error(`unknown command ${String(never)}`);
      }
    }
    return { id: Number(o.id.slice(2)), client: o.id, input, call: o.call, ret: o.ret, output };
  });
}

/** Everything a human needs to replay and understand a failing run. */
export function formatFailure(simSeed: number, actions: readonly Action[], r: ScenarioResult, traceLines = 60): string {
  const v = r.violation;
  return [
    `VIOLATION ${v?.invariant ?? '(none)'} at t=${v?.time.toFixed(2) ?? '?'}ms: ${v?.message ?? ''}`,
    `sim seed ${simSeed}; ${actions.length} actions:`,
    formatActions(actions),
    'node states at the end:',
    ...r.nodeStates.map((s) => `  ${s}`),
    `last ${traceLines} trace lines:`,
    ...r.traceTail.slice(-traceLines),
  ].join('\n');
}
