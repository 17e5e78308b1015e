// palisade status: every member's role, replication and reachability, and the cluster's
// leader, term and commit index, combined from every node that answers.
import type { Command } from 'commander';
import { connect } from '../../client/connect.js';
import type { ConnectOptions, PalisadeClient } from '../../client/types.js';
import { combineStatus, unaskedAddresses, type ClusterView, type StatusProbe } from '../cluster-view.js';
import { clientContext, withClientOptions, type ClientContext, type ClientFlags, type Io } from '../context.js';
import { ExitCode, exitCodeFor } from '../exit-codes.js';
import { Align, renderJson, renderSummary, renderTable, yesNo } from '../render.js';

/** Discovery stops after this many rounds (a member list cannot grow forever). */
const MAX_ROUNDS = 4;

/** The credentials to ask with (--cacert/--cert/--key, --token-file). */
type Credentials = Pick<ConnectOptions, 'tls' | 'token'>;

async function probe(endpoint: string, timeoutMs: number, credentials: Credentials): Promise<StatusProbe> {
  let client: PalisadeClient | undefined;
  try {
    // Inside the try: a member address that is not HOST:PORT is that member's problem only.
    client = connect(endpoint, { timeoutMs, ...credentials });
    return { endpoint, report: await client.status() };
  } catch (err) {
    // Drop the client's "cannot reach any endpoint (X): " prefix: the probe names X already.
    const message = err instanceof Error ? err.message : String(err);
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
    return {
      endpoint,
      error: message.replace(/^cannot reach any endpoint \([^)]*\): /, ''),
      ...(code !== undefined ? { errorCode: code } : {}),
    };
  } finally {
    client?.close();
  }
}

/** Asks the given endpoints, then the members' addresses they reveal, in parallel rounds. */
export async function gatherStatus(endpoints: readonly string[], timeoutMs: number, credentials: Credentials = {}): Promise<StatusProbe[]> {
  const probes: StatusProbe[] = [];
  let next = [...endpoints];
  for (let round = 0; round < MAX_ROUNDS && next.length > 0; round++) {
    probes.push(...(await Promise.all(next.map((e) => probe(e, timeoutMs, credentials)))));
    next = unaskedAddresses(probes);
  }
  return probes;
}

export function statusJson(view: ClusterView): unknown {
  return {
    cluster: view.cluster,
    leader: view.leader,
    term: view.term,
    commitIndex: view.commitIndex,
    active: view.active === null ? null : { node: view.active.node, epoch: view.active.epoch },
    fencing: view.fencing,
    paused: view.paused,
    degraded: view.degraded !== null,
    ...(view.degraded !== null ? { degradedReason: view.degraded } : {}),
    members: view.members.map((m) => ({
      id: m.id,
      address: m.address,
      role: m.role,
      voter: m.voter,
      reachable: m.reachable,
      lastContactMs: m.lastContactMs,
      matchIndex: m.matchIndex,
      lag: m.lag,
      activeRole: m.activeRole,
      health: m.health,
      ...(m.healthDetail !== '' ? { healthDetail: m.healthDetail } : {}),
    })),
    unreachable: view.unreachable,
    ...(view.insecure !== undefined ? { insecure: true, insecureNodes: view.insecure } : {}),
    ...(view.alarms !== undefined ? { alarms: view.alarms } : {}),
  };
}

const dash = (n: number | null, suffix = ''): string => (n === null ? '-' : `${n}${suffix}`);

export function statusTable(view: ClusterView): string {
  const summary =
    renderSummary([
      ['Cluster', view.cluster || '-'],
      ['Leader', view.leader ?? '(none)'],
      ['Term', String(view.term)],
      ['Commit index', String(view.commitIndex)],
    ]) +
    renderSummary([
      [
        'Active',
        view.active === null
          ? '(none)'
          : `${view.active.node} (epoch ${view.active.epoch})${view.degraded !== null ? ` — degraded: ${view.degraded}` : ''}`,
      ],
      ['Fencing', view.fencing ?? '-'],
      ['Paused', view.paused ? 'yes (maintenance: no automatic promotion or demotion)' : 'no'],
      ...(view.insecure !== undefined
        ? [
            [
              'INSECURE',
              `${view.insecure.join(', ')}: plaintext gRPC off loopback (--insecure) — anyone who reaches the ports controls the cluster`,
            ] as [string, string],
          ]
        : []),
      ...(view.alarms ?? []).map((a): [string, string] => ['ALARM', a]),
    ]);
  const table = renderTable(
    [
      { header: 'MEMBER' },
      { header: 'ADDRESS' },
      { header: 'ROLE' },
      { header: 'TYPE' },
      { header: 'REACHABLE' },
      { header: 'LAST CONTACT', align: Align.Right },
      { header: 'MATCH INDEX', align: Align.Right },
      { header: 'LAG', align: Align.Right },
      { header: 'ACTIVE ROLE' },
      { header: 'HEALTH' },
    ],
    view.members.map((m) => [
      m.id,
      m.address,
      m.role,
      m.voter ? 'voter' : 'learner',
      yesNo(m.reachable),
      dash(m.lastContactMs, ' ms'),
      dash(m.matchIndex),
      dash(m.lag),
      m.activeRole ?? '-',
      m.health === 'unhealthy' && m.healthDetail !== '' ? `unhealthy (${m.healthDetail})` : m.health,
    ]),
  );
  const notes = view.unreachable.map((u) => `unreachable: ${u.endpoint} (${u.error})\n`).join('');
  return summary + table + notes;
}

export async function runStatus(ctx: ClientContext): Promise<ExitCode> {
  const credentials: Credentials = {
    ...(ctx.tls !== undefined ? { tls: ctx.tls } : {}),
    ...(ctx.token !== undefined ? { token: ctx.token } : {}),
  };
  const probes = await gatherStatus(ctx.endpoints, ctx.timeoutMs, credentials);
  const view = combineStatus(probes);
  if (view.members.length === 0 && view.leader === null && probes.every((p) => p.report === undefined)) {
    const last = probes.at(-1);
    // Refused credentials are not an unreachable cluster: say so with their own exit code.
    const refused = probes.find((p) => p.errorCode === 'UNAUTHENTICATED' || p.errorCode === 'PERMISSION_DENIED');
    if (refused !== undefined) {
      ctx.io.err(`palisade: ${refused.endpoint}: ${refused.error}\n`);
      return exitCodeFor({ code: refused.errorCode });
    }
    ctx.io.err(`palisade: cannot reach any endpoint (${ctx.endpoints.join(', ')}): ${last?.error ?? 'no answer'}\n`);
    return ExitCode.Unreachable;
  }
  ctx.io.out(ctx.json ? renderJson(statusJson(view)) : statusTable(view));
  if (view.leader === null) {
    ctx.io.err('palisade: the cluster has no leader (no quorum, or an election is in progress)\n');
    return ExitCode.NoLeader;
  }
  return ExitCode.Ok;
}

export function registerStatus(program: Command, io: Io, done: (code: ExitCode) => void): void {
  withClientOptions(program.command('status').description('show members, roles, replication, the leader and the active node')).action(
    async (flags: ClientFlags) => done(await runStatus(clientContext(io, flags))),
  );
}
