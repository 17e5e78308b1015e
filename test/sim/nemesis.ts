// The nemesis vocabulary: a closed union of actions, a readable rendering, fast-check
// arbitraries that generate (and shrink) lists of them, and how each acts on a Simulator.
import fc from 'fast-check';
import { ConfChangeType } from '../../src/raft/types.js';
import type { NodeId } from '../../src/raft/types.js';
import type { KvCommand } from './kv-state-machine.js';
import type { Simulator, Target } from './simulator.js';

export type Action =
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'awaitLeader'; readonly maxMs: number }
  | { readonly kind: 'awaitCommit'; readonly maxMs: number }
  | { readonly kind: 'isolateLeader' }
  | { readonly kind: 'crashLeader' }
  | { readonly kind: 'failover'; readonly fault: 'isolate' | 'crash' | 'pause'; readonly maxMs: number }
  | { readonly kind: 'partition'; readonly side: readonly NodeId[] }
  | { readonly kind: 'isolate'; readonly node: NodeId }
  | { readonly kind: 'cut'; readonly from: NodeId; readonly to: NodeId }
  | { readonly kind: 'bridge'; readonly side: readonly NodeId[]; readonly bridge: NodeId }
  | { readonly kind: 'heal' }
  | { readonly kind: 'loss'; readonly drop: number; readonly duplicate: number }
  | { readonly kind: 'delay'; readonly min: number; readonly max: number }
  | { readonly kind: 'crash'; readonly node: NodeId }
  | { readonly kind: 'restart'; readonly node: NodeId }
  | { readonly kind: 'pause'; readonly node: NodeId }
  | { readonly kind: 'resume'; readonly node: NodeId }
  | { readonly kind: 'drift'; readonly node: NodeId; readonly drift: number }
  | { readonly kind: 'addLearner'; readonly node: NodeId }
  | { readonly kind: 'promote'; readonly node: NodeId }
  | { readonly kind: 'removeVoter'; readonly node: NodeId }
  | { readonly kind: 'removeLeader' }
  | { readonly kind: 'transfer'; readonly to: NodeId }
  | { readonly kind: 'write'; readonly target: Target; readonly cmd: KvCommand }
  | { readonly kind: 'read'; readonly target: Target; readonly key: string };

export function formatAction(a: Action): string {
  switch (a.kind) {
    case 'wait':
      return `wait ${a.ms}ms`;
    case 'awaitLeader':
      return `run until a new leader (≤${a.maxMs}ms)`;
    case 'awaitCommit':
      return `run until a commit (≤${a.maxMs}ms)`;
    case 'isolateLeader':
      return 'isolate the leader (other links healed)';
    case 'crashLeader':
      return 'crash the leader';
    case 'failover':
      return `${a.fault} the leader, run until a new leader (≤${a.maxMs}ms)`;
    case 'partition':
      return `partition [${a.side.join(',')}] | rest`;
    case 'isolate':
      return `isolate ${a.node}`;
    case 'cut':
      return `cut ${a.from}→${a.to}`;
    case 'bridge':
      return `partial partition [${a.side.join(',')}] | rest, bridged by ${a.bridge}`;
    case 'heal':
      return 'heal links';
    case 'loss':
      return `loss drop=${a.drop} dup=${a.duplicate}`;
    case 'delay':
      return `delay [${a.min},${a.max}]ms`;
    case 'crash':
    case 'restart':
    case 'pause':
    case 'resume':
    case 'addLearner':
    case 'promote':
    case 'removeVoter':
      return `${a.kind} ${a.node}`;
    case 'drift':
      return `drift ${a.node} ${(a.drift * 100).toFixed(2)}%`;
    case 'removeLeader':
      return 'remove leader';
    case 'transfer':
      return `transfer leadership to ${a.to}`;
    case 'write': {
      const c = a.cmd;
      const what = c.t === 'put' ? `put ${c.k}=${c.v}` : c.t === 'del' ? `del ${c.k}` : `cas ${c.k} ${c.from ?? '∅'}→${c.to}`;
      return `${what} @${a.target}`;
    }
    case 'read':
      return `get ${a.key} @${a.target}`;
    default: {
      const never: never = a;
      return String(never);
    }
  }
}

export function formatActions(actions: readonly Action[]): string {
  return actions.map((a, i) => `${String(i + 1).padStart(3)}. ${formatAction(a)}`).join('\n');
}

/** Carry out one action on the simulator (actions on nodes that do not exist are no-ops). */
export function applyAction(sim: Simulator, a: Action): void {
  switch (a.kind) {
    case 'wait':
      return sim.runFor(a.ms);
    case 'awaitLeader':
      return sim.awaitNewLeader(a.maxMs);
    case 'awaitCommit':
      return sim.awaitCommit(a.maxMs);
    case 'isolateLeader':
      return sim.isolateLeader();
    case 'crashLeader':
      return crashLeader(sim);
    case 'failover':
      if (a.fault === 'isolate') sim.isolateLeader();
      else if (a.fault === 'pause') pauseLeader(sim);
      else crashLeader(sim);
      return sim.awaitNewLeader(a.maxMs);
    case 'partition':
      return sim.partition(a.side);
    case 'isolate':
      return sim.isolate(a.node);
    case 'cut':
      return sim.cut(a.from, a.to);
    case 'bridge':
      return sim.bridge(a.side, a.bridge);
    case 'heal':
      return sim.healLinks();
    case 'loss': {
      const f = sim.network.currentFaults;
      return sim.setFaults({ ...f, drop: a.drop, duplicate: a.duplicate });
    }
    case 'delay': {
      const f = sim.network.currentFaults;
      return sim.setFaults({ ...f, minDelay: a.min, maxDelay: a.max });
    }
    case 'crash':
      return sim.crash(a.node);
    case 'restart':
      return sim.restart(a.node);
    case 'pause':
      return sim.pause(a.node);
    case 'resume':
      return sim.resume(a.node);
    case 'drift':
      return sim.setDrift(a.node, a.drift);
    case 'addLearner':
      return sim.changeMembership(ConfChangeType.AddLearner, a.node);
    case 'promote':
      return sim.changeMembership(ConfChangeType.AddVoter, a.node);
    case 'removeVoter':
      return sim.changeMembership(ConfChangeType.RemoveNode, a.node);
    case 'removeLeader':
      return sim.changeMembership(ConfChangeType.RemoveNode, 'leader');
    case 'transfer':
      return sim.transferLeadership(a.to);
    case 'write':
      sim.write(a.target, a.cmd);
      return;
    case 'read':
      sim.read(a.target, a.key);
      return;
    default: {
      const never: never = a;
      throw new Error(`unknown action ${String(never)}`);
    }
  }
}

function crashLeader(sim: Simulator): void {
  const leader = sim.leader();
  if (leader === undefined) return sim.act('crash leader: no leader, skipped', () => {});
  sim.crash(leader.id);
}

/** The paused leader still believes it leads when it runs again (until it hears of a newer term). */
function pauseLeader(sim: Simulator): void {
  const leader = sim.leader();
  if (leader === undefined) return sim.act('pause leader: no leader, skipped', () => {});
  sim.pause(leader.id);
}

export interface NemesisShape {
  /** Initial voters: n1..nNodes. */
  readonly nodes: number;
  /** All ids the actions may name (the extra ones join through membership changes). */
  readonly poolSize: number;
  readonly maxDrift: number;
  readonly maxActions: number;
  /** Weight multipliers; a kind with weight 0 is never generated. */
  readonly weights?: Partial<Record<ActionGroup, number>>;
}

export const ActionGroup = {
  Wait: 'wait',
  /** Faults aimed at the moments right after an election or a commit (see awaitNewLeader). */
  Event: 'event',
  Network: 'network',
  Process: 'process',
  Clock: 'clock',
  Membership: 'membership',
  Transfer: 'transfer',
  Client: 'client',
} as const;
export type ActionGroup = (typeof ActionGroup)[keyof typeof ActionGroup];

// Event-driven faults and membership changes are frequent on purpose: the bugs of the
// first moments of a term (Figure 8, a change before the no-op) live only there.
const DEFAULT_WEIGHTS: Record<ActionGroup, number> = {
  wait: 6,
  event: 10,
  network: 4,
  process: 3,
  clock: 1,
  membership: 6,
  transfer: 1,
  client: 8,
};

const KEYS = ['x', 'y', 'z'];

export function actionArb(shape: NemesisShape): fc.Arbitrary<Action> {
  const ids = Array.from({ length: shape.poolSize }, (_, i) => `n${i + 1}`);
  const initial = ids.slice(0, shape.nodes);
  // Mostly the initial members, sometimes the spares (they exist only once added).
  const node = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...initial) }, { weight: 1, arbitrary: fc.constantFrom(...ids) });
  const side = fc.subarray(ids, { minLength: 1, maxLength: Math.max(1, ids.length - 1) });
  const key = fc.constantFrom(...KEYS);
  const value = fc.integer({ min: 1, max: 9 }).map(String);
  // Clients also reach the stalest node that believes it leads (cut off, paused, about to be
  // deposed): where a read served without a quorum round goes stale.
  const target: fc.Arbitrary<Target> = fc.oneof(
    { weight: 2, arbitrary: fc.constant('leader' as const) },
    { weight: 1, arbitrary: fc.constant('staleLeader' as const) },
    { weight: 1, arbitrary: node },
  );
  const cmd: fc.Arbitrary<KvCommand> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ t: fc.constant('put' as const), k: key, v: value }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('del' as const), k: key }) },
    {
      weight: 2,
      arbitrary: fc.record({ t: fc.constant('cas' as const), k: key, from: fc.option(value, { nil: null }), to: value }),
    },
  );
  const w = { ...DEFAULT_WEIGHTS, ...shape.weights };
  const groups: { weight: number; arbitrary: fc.Arbitrary<Action> }[] = [
    {
      weight: w.wait,
      // Mostly short waits (operations overlap, elections race), some shorter than one network
      // hop (a message in flight, its answer not yet back), sometimes long enough for several
      // election timeouts to pass.
      arbitrary: fc
        .oneof(
          { weight: 3, arbitrary: fc.integer({ min: 1, max: 40 }) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }) },
          { weight: 1, arbitrary: fc.integer({ min: 40, max: 600 }) },
        )
        .map((ms): Action => ({ kind: 'wait', ms })),
    },
    {
      weight: w.event,
      // Run up to an election or a commit, then (as the next actions) strike at once: the new
      // leader's no-op not yet out, a freshly committed entry not yet known to the followers.
      arbitrary: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom<Action>(
            { kind: 'failover', fault: 'isolate', maxMs: 1000 },
            { kind: 'failover', fault: 'crash', maxMs: 1000 },
          ),
        },
        // The paused leader wakes up believing it still leads.
        { weight: 1, arbitrary: fc.constant<Action>({ kind: 'failover', fault: 'pause', maxMs: 1000 }) },
        { weight: 2, arbitrary: fc.constant<Action>({ kind: 'awaitLeader', maxMs: 1000 }) },
        { weight: 2, arbitrary: fc.constant<Action>({ kind: 'awaitCommit', maxMs: 1000 }) },
        { weight: 2, arbitrary: fc.constant<Action>({ kind: 'isolateLeader' }) },
        { weight: 1, arbitrary: fc.constant<Action>({ kind: 'crashLeader' }) },
      ),
    },
    {
      weight: w.network,
      arbitrary: fc.oneof(
        side.map((s): Action => ({ kind: 'partition', side: s })),
        node.map((n): Action => ({ kind: 'isolate', node: n })),
        fc
          .tuple(node, node)
          .filter(([a, b]) => a !== b)
          .map(([from, to]): Action => ({ kind: 'cut', from, to })),
        fc.tuple(side, node).map(([s, b]): Action => ({ kind: 'bridge', side: s, bridge: b })),
        fc.constant<Action>({ kind: 'heal' }),
        fc.constant<Action>({ kind: 'heal' }),
        fc
          .tuple(fc.constantFrom(0, 0, 0.05, 0.2, 0.5), fc.constantFrom(0, 0, 0.05, 0.3))
          .map(([drop, duplicate]): Action => ({ kind: 'loss', drop, duplicate })),
        fc
          .tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 80 }))
          .map(([min, extra]): Action => ({ kind: 'delay', min, max: min + extra })),
      ),
    },
    {
      weight: w.process,
      arbitrary: fc.oneof(
        node.map((n): Action => ({ kind: 'crash', node: n })),
        node.map((n): Action => ({ kind: 'restart', node: n })),
        node.map((n): Action => ({ kind: 'pause', node: n })),
        node.map((n): Action => ({ kind: 'resume', node: n })),
      ),
    },
    {
      weight: w.clock,
      arbitrary: fc
        .tuple(node, fc.integer({ min: -100, max: 100 }))
        .map(([n, pct]): Action => ({ kind: 'drift', node: n, drift: (pct / 100) * shape.maxDrift })),
    },
    {
      weight: w.membership,
      arbitrary: fc.oneof(
        node.map((n): Action => ({ kind: 'addLearner', node: n })),
        node.map((n): Action => ({ kind: 'promote', node: n })),
        node.map((n): Action => ({ kind: 'removeVoter', node: n })),
        fc.constant<Action>({ kind: 'removeLeader' }),
      ),
    },
    { weight: w.transfer, arbitrary: node.map((to): Action => ({ kind: 'transfer', to })) },
    {
      weight: w.client,
      arbitrary: fc.oneof(
        { weight: 2, arbitrary: fc.tuple(target, cmd).map(([t, c]): Action => ({ kind: 'write', target: t, cmd: c })) },
        { weight: 1, arbitrary: fc.tuple(target, key).map(([t, k]): Action => ({ kind: 'read', target: t, key: k })) },
      ),
    },
  ];
  return fc.oneof(...groups.filter((g) => g.weight > 0));
}

export function actionsArb(shape: NemesisShape): fc.Arbitrary<Action[]> {
  return fc.array(actionArb(shape), { minLength: 1, maxLength: shape.maxActions, size: 'max' });
}
