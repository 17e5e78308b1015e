// palisade events [--follow]: the replicated cluster event log — elections, promotions,
// demotions, fences and hook results, with timestamps and durations. --follow keeps polling
// for new events until Ctrl-C (the log is bounded: a gap in seq means events were dropped).
import type { Command } from 'commander';
import type { ClusterEventReport, PalisadeClient } from '../../client/types.js';
import { clientContext, openClient, withClientOptions, type ClientContext, type ClientFlags, type Io } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { renderJson, renderTable, Align } from '../render.js';

/** How often --follow asks for new events. */
export const FOLLOW_INTERVAL_MS = 500;

export function eventJson(e: ClusterEventReport): unknown {
  return {
    seq: e.seq,
    at: new Date(e.at).toISOString(),
    kind: e.kind,
    node: e.nodeId,
    term: e.term,
    epoch: e.epoch ?? null,
    durationMs: e.durationMs ?? null,
    detail: e.detail,
  };
}

export function eventsTable(events: readonly ClusterEventReport[]): string {
  return renderTable(
    [
      { header: 'SEQ', align: Align.Right },
      { header: 'TIME' },
      { header: 'KIND' },
      { header: 'NODE' },
      { header: 'TERM', align: Align.Right },
      { header: 'EPOCH', align: Align.Right },
      { header: 'DURATION', align: Align.Right },
      { header: 'DETAIL' },
    ],
    events.map((e) => [
      String(e.seq),
      new Date(e.at).toISOString(),
      e.kind,
      e.nodeId,
      String(e.term),
      e.epoch === undefined ? '-' : String(e.epoch),
      e.durationMs === undefined ? '-' : `${e.durationMs} ms`,
      e.detail,
    ]),
  );
}

/** One line per event, for --follow (a table cannot grow). */
export function eventLine(e: ClusterEventReport): string {
  const epoch = e.epoch === undefined ? '' : ` epoch=${e.epoch}`;
  const dur = e.durationMs === undefined ? '' : ` duration=${e.durationMs}ms`;
  return `${new Date(e.at).toISOString()} #${e.seq} ${e.kind} node=${e.nodeId} term=${e.term}${epoch}${dur} ${e.detail}\n`;
}

async function follow(ctx: ClientContext, client: PalisadeClient, after: number): Promise<void> {
  let last = after;
  while (!ctx.io.signal.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, FOLLOW_INTERVAL_MS);
      ctx.io.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
    if (ctx.io.signal.aborted) break;
    let events: readonly ClusterEventReport[];
    try {
      events = await client.events({ afterSeq: last });
    } catch (err) {
      ctx.io.err(`palisade: events: ${err instanceof Error ? err.message : String(err)} (retrying)\n`);
      continue;
    }
    for (const e of events) ctx.io.out(ctx.json ? `${JSON.stringify(eventJson(e))}\n` : eventLine(e));
    if (events.length > 0) last = events[events.length - 1].seq;
  }
}

export function registerEvents(program: Command, io: Io, done: (code: ExitCode) => void): void {
  withClientOptions(program.command('events').description('list elections, promotions, demotions, fences and hook results'))
    .option('--follow', 'keep printing new events (one per line; JSON lines with --json) until Ctrl-C')
    .action(async (flags: ClientFlags & { follow?: boolean }) => {
      const ctx = clientContext(io, flags);
      const client = openClient(ctx);
      try {
        const events = await client.events();
        if (flags.follow) {
          for (const e of events) ctx.io.out(ctx.json ? `${JSON.stringify(eventJson(e))}\n` : eventLine(e));
          await follow(ctx, client, events.at(-1)?.seq ?? 0);
        } else {
          ctx.io.out(ctx.json ? renderJson(events.map(eventJson)) : eventsTable(events));
        }
      } finally {
        client.close();
      }
      done(ExitCode.Ok);
    });
}
