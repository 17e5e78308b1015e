// palisade session list: the cluster's sessions — owner, TTL, time left by the leader's clock,
// what each holds and waits for, and how many ephemeral keys it owns.
import type { Command } from 'commander';
import type { SessionInfo } from '../../client/coordination-types.js';
import { clientContext, usingClient, withClientOptions, type ClientFlags, type Io } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { Align, renderJson, renderTable } from '../render.js';

export function sessionTable(sessions: readonly SessionInfo[]): string {
  return renderTable(
    [
      { header: 'SESSION', align: Align.Right },
      { header: 'OWNER' },
      { header: 'TTL', align: Align.Right },
      { header: 'REMAINING', align: Align.Right },
      { header: 'HOLDS' },
      { header: 'WAITS' },
      { header: 'KEYS', align: Align.Right },
    ],
    sessions.map((s) => [
      s.sessionId,
      s.owner,
      `${s.ttlMs} ms`,
      s.remainingMs === undefined ? '-' : `${s.remainingMs} ms`,
      s.holds.join(', '),
      s.waits.join(', '),
      String(s.ephemeralKeys),
    ]),
  );
}

/** JSON keeps every field: remainingMs is null when the answering node is not the leader. */
export function sessionsJson(sessions: readonly SessionInfo[]): string {
  return renderJson({ sessions: sessions.map((s) => ({ ...s, remainingMs: s.remainingMs ?? null })) });
}

export function registerSession(program: Command, io: Io, done: (code: number) => void): void {
  const session = program.command('session').description('sessions: the leases behind locks, elections and ephemeral keys');
  withClientOptions(session.command('list').description('list sessions with what they hold and wait for'))
    .option('--serializable', 'answer from the contacted node without a ReadIndex round (may be stale; no time left shown)')
    .action(async (flags: ClientFlags & { serializable?: boolean }) => {
      const ctx = clientContext(io, flags);
      const sessions = await usingClient(ctx, (c) => c.sessions.list({ serializable: flags.serializable === true }));
      ctx.io.out(ctx.json ? sessionsJson(sessions) : sessionTable(sessions));
      done(ExitCode.Ok);
    });
}
