// The nemesis of the coordination runs: the simulator's whole vocabulary on the nodes
// (nemesis.ts: partitions, loss, delays, crashes, pauses, drift, membership, transfers, faults
// aimed right after elections and commits) plus faults of the client processes: pauses of any
// length, a client cut off from the cluster, a client's clock drifting within the bound.
import fc from 'fast-check';
import { actionArb, applyAction, formatAction } from '../nemesis.js';
import type { Action, ActionGroup } from '../nemesis.js';
import type { ClientProcess } from './client-process.js';
import type { CoordCluster } from './coord-cluster.js';

export type ClientAction =
  | { readonly kind: 'pauseClient'; readonly client: string; readonly ms: number }
  /**
   * Run until some client waits for a grant (at most a second), then pause it: its grant may
   * then arrive while it is stopped (aimed at that moment as awaitNewLeader aims at elections).
   */
  | { readonly kind: 'pauseWaitingClient'; readonly ms: number }
  | { readonly kind: 'isolateClient'; readonly client: string }
  /** Cut a client off from one node, both ways: it may then reach only a deposed leader. */
  | { readonly kind: 'cutClient'; readonly client: string; readonly node: string }
  | { readonly kind: 'reconnectClient'; readonly client: string }
  | { readonly kind: 'driftClient'; readonly client: string; readonly drift: number };

export type CoordAction = Action | ClientAction;

function isClientAction(a: CoordAction): a is ClientAction {
  return (
    a.kind === 'pauseClient' ||
    a.kind === 'pauseWaitingClient' ||
    a.kind === 'isolateClient' ||
    a.kind === 'cutClient' ||
    a.kind === 'reconnectClient' ||
    a.kind === 'driftClient'
  );
}

export function formatCoordAction(a: CoordAction): string {
  if (!isClientAction(a)) return formatAction(a);
  switch (a.kind) {
    case 'pauseClient':
      return `pause client ${a.client} for ${a.ms}ms`;
    case 'pauseWaitingClient':
      return `run until a client waits for a grant (≤1000ms), pause it for ${a.ms}ms`;
    case 'isolateClient':
      return `isolate client ${a.client}`;
    case 'cutClient':
      return `cut client ${a.client} from ${a.node}`;
    case 'reconnectClient':
      return `reconnect client ${a.client}`;
    case 'driftClient':
      return `drift client ${a.client} ${(a.drift * 100).toFixed(2)}%`;
    default: {
      const never: never = a;
      return String(never);
    }
  }
}

export function formatCoordActions(actions: readonly CoordAction[]): string {
  return actions.map((a, i) => `${String(i + 1).padStart(3)}. ${formatCoordAction(a)}`).join('\n');
}

export function applyCoordAction(c: CoordCluster, a: CoordAction): void {
  if (!isClientAction(a)) return applyAction(c.sim, a);
  switch (a.kind) {
    case 'pauseClient':
      return c.pauseClient(a.client, a.ms);
    case 'pauseWaitingClient': {
      const waiter = (): ClientProcess | undefined => c.clients.find((x) => x.waitingFor !== undefined && !x.stopped);
      c.sim.runFor(1000, () => waiter() !== undefined);
      const w = waiter();
      if (w === undefined) return c.sim.act('pause a waiting client: none waits, skipped', () => {});
      return c.pauseClient(w.id, a.ms);
    }
    case 'isolateClient':
      return c.isolateClient(a.client);
    case 'cutClient':
      return c.cutClient(a.client, a.node);
    case 'reconnectClient':
      return c.reconnectClient(a.client);
    case 'driftClient':
      return c.driftClient(a.client, a.drift);
    default: {
      const never: never = a;
      throw new Error(`unknown client action ${String(never)}`);
    }
  }
}

export interface CoordNemesisShape {
  readonly nodes: number;
  readonly clients: number;
  readonly maxDrift: number;
  readonly maxActions: number;
  /** Node fault weights (nemesis.ts); the simulator's own KV clients are off. */
  readonly weights?: Partial<Record<ActionGroup, number>>;
  /** Weight of the client faults beside the node faults' total of about 40. */
  readonly clientWeight?: number;
  /** A pause's upper bound, ms: long enough to outlive a session several times. */
  readonly maxPauseMs: number;
}

export function clientActionArb(shape: CoordNemesisShape): fc.Arbitrary<ClientAction> {
  const client = fc.integer({ min: 1, max: shape.clients }).map((i) => `c${i}`);
  // Pauses of any length: shorter than a keep-alive period, around the session's validity, far past it.
  const ms = fc.oneof(
    fc.integer({ min: 1, max: 100 }),
    fc.integer({ min: 100, max: 1500 }),
    fc.integer({ min: 1500, max: shape.maxPauseMs }),
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(client, ms).map(([c, m]): ClientAction => ({ kind: 'pauseClient', client: c, ms: m })) },
    { weight: 4, arbitrary: ms.map((m): ClientAction => ({ kind: 'pauseWaitingClient', ms: m })) },
    { weight: 2, arbitrary: client.map((c): ClientAction => ({ kind: 'isolateClient', client: c })) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(client, fc.integer({ min: 1, max: shape.nodes }))
        .map(([c, n]): ClientAction => ({ kind: 'cutClient', client: c, node: `n${n}` })),
    },
    { weight: 2, arbitrary: client.map((c): ClientAction => ({ kind: 'reconnectClient', client: c })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(client, fc.integer({ min: -100, max: 100 }))
        .map(([c, pct]): ClientAction => ({ kind: 'driftClient', client: c, drift: (pct / 100) * shape.maxDrift })),
    },
  );
}

export function coordActionsArb(shape: CoordNemesisShape): fc.Arbitrary<CoordAction[]> {
  const nodeActions = actionArb({
    nodes: shape.nodes,
    poolSize: shape.nodes + 2,
    maxDrift: shape.maxDrift,
    maxActions: shape.maxActions,
    weights: { ...shape.weights, client: 0 },
  });
  const one: fc.Arbitrary<CoordAction> = fc.oneof(
    { weight: 40, arbitrary: nodeActions },
    { weight: shape.clientWeight ?? 16, arbitrary: clientActionArb(shape) },
  );
  return fc.array(one, { minLength: 1, maxLength: shape.maxActions, size: 'max' });
}
