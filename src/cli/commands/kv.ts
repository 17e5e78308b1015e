// palisade kv get KEY [--serializable] | put KEY VALUE [--if-token NAME=TOKEN] [--session ID] |
// delete KEY [--if-token NAME=TOKEN] | list PREFIX | watch PREFIX
//
// `get` prints the bare value (so `$(palisade kv get k)` works in scripts) and exits 5 when the
// key does not exist. `delete` of a missing key succeeds with "deleted": false, like a plain rm -f.
import type { Command } from 'commander';
import type { FencingGuard } from '../../client/coordination-types.js';
import type { KeyValue, WatchEvent } from '../../client/types.js';
import { InvalidArgumentError } from '../../errors.js';
import { clientContext, openClient, usingClient, withClientOptions, type ClientFlags, type Io } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { HOLD_ENV } from '../hold.js';
import { Align, renderJson, renderTable } from '../render.js';

export function kvTable(kvs: readonly KeyValue[]): string {
  return renderTable(
    [
      { header: 'KEY' },
      { header: 'VALUE' },
      { header: 'REVISION', align: Align.Right },
      { header: 'CREATED', align: Align.Right },
      { header: 'VERSION', align: Align.Right },
    ],
    kvs.map((kv) => [kv.key, kv.value, String(kv.modRevision), String(kv.createRevision), String(kv.version)]),
  );
}

/** One line per event: tab-separated for humans and `cut`, or one JSON object per line. */
export function watchLine(e: WatchEvent, json: boolean): string {
  if (json) return JSON.stringify({ type: e.type, revision: e.revision, key: e.kv.key, value: e.kv.value }) + '\n';
  return e.type === 'put' ? `${e.revision}\tPUT\t${e.kv.key}\t${e.kv.value}\n` : `${e.revision}\tDELETE\t${e.kv.key}\n`;
}

interface GuardFlags {
  ifToken?: string;
}

/** --if-token NAME=TOKEN (split at the last '=': a name may hold one) → the write's fencing guard. */
export function parseFencingGuard(raw: string): FencingGuard {
  const at = raw.lastIndexOf('=');
  const name = at < 0 ? '' : raw.slice(0, at);
  const token = at < 0 ? '' : raw.slice(at + 1);
  if (name === '' || !/^[0-9]+$/.test(token) || !Number.isSafeInteger(Number(token)) || Number(token) < 1) {
    throw new InvalidArgumentError(`--if-token: "${raw}" is not NAME=TOKEN with a positive whole TOKEN — e.g. --if-token jobs/backup=1234`);
  }
  return { name, token: Number(token) };
}

function guardOption(flags: GuardFlags): { ifToken?: FencingGuard } {
  return flags.ifToken === undefined ? {} : { ifToken: parseFencingGuard(flags.ifToken) };
}

function sessionOption(raw: string | undefined): { session?: string } {
  if (raw === undefined) return {};
  if (!/^[1-9][0-9]*$/.test(raw))
    throw new InvalidArgumentError(`--session: "${raw}" is not a session id (a log index, as \`palisade session list\` shows)`);
  return { session: raw };
}

function revisionFlag(raw: string | undefined): number {
  if (raw === undefined) return 0;
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new InvalidArgumentError(`--from-revision: "${raw}" is not a whole number — e.g. --from-revision 1`);
  }
  return Number(raw);
}

export function registerKv(program: Command, io: Io, done: (code: ExitCode) => void): void {
  const kv = program.command('kv').description('read and write the replicated configuration store');

  withClientOptions(kv.command('get').description('print the value of KEY (exit 5 if it does not exist)').argument('<KEY>'))
    .option('--serializable', 'answer from the contacted node without a ReadIndex round (may be stale)')
    .action(async (key: string, flags: ClientFlags & { serializable?: boolean }) => {
      const ctx = clientContext(io, flags);
      const r = await usingClient(ctx, (c) => c.kv.get(key, { serializable: flags.serializable === true }));
      if (ctx.json)
        ctx.io.out(
          renderJson(r.kv === undefined ? { key, found: false, revision: r.revision } : { ...r.kv, found: true, revision: r.revision }),
        );
      else if (r.kv !== undefined) ctx.io.out(`${r.kv.value}\n`);
      if (r.kv === undefined) {
        ctx.io.err(`palisade: key "${key}" not found\n`);
        done(ExitCode.NotFound);
      } else done(ExitCode.Ok);
    });

  withClientOptions(kv.command('put').description('set KEY to VALUE').argument('<KEY>').argument('<VALUE>'))
    .option('--if-token <NAME=TOKEN>', 'write only while the lock NAME is held with fencing token TOKEN (else exit 11)')
    .option('--session <ID>', `bind KEY to session ID (e.g. $${HOLD_ENV.session} under \`palisade lock\`): deleted when it ends`)
    .action(async (key: string, value: string, flags: ClientFlags & GuardFlags & { session?: string }) => {
      const ctx = clientContext(io, flags);
      const opts = { ...guardOption(flags), ...sessionOption(flags.session) };
      const r = await usingClient(ctx, (c) => c.kv.put(key, value, opts));
      ctx.io.out(ctx.json ? renderJson({ key, revision: r.revision, duplicate: r.duplicate }) : `OK (revision ${r.revision})\n`);
      done(ExitCode.Ok);
    });

  withClientOptions(kv.command('delete').description('delete KEY (succeeds if it does not exist)').argument('<KEY>'))
    .option('--if-token <NAME=TOKEN>', 'delete only while the lock NAME is held with fencing token TOKEN (else exit 11)')
    .action(async (key: string, flags: ClientFlags & GuardFlags) => {
      const ctx = clientContext(io, flags);
      const opts = guardOption(flags);
      const r = await usingClient(ctx, (c) => c.kv.delete(key, opts));
      if (ctx.json) ctx.io.out(renderJson({ key, deleted: r.deleted, revision: r.revision, duplicate: r.duplicate }));
      else ctx.io.out(r.deleted ? `deleted (revision ${r.revision})\n` : `key "${key}" did not exist\n`);
      done(ExitCode.Ok);
    });

  withClientOptions(kv.command('list').description('list keys starting with PREFIX ("" for all)').argument('<PREFIX>'))
    .option('--serializable', 'answer from the contacted node without a ReadIndex round (may be stale)')
    .action(async (prefix: string, flags: ClientFlags & { serializable?: boolean }) => {
      const ctx = clientContext(io, flags);
      const r = await usingClient(ctx, (c) => c.kv.list(prefix, { serializable: flags.serializable === true }));
      ctx.io.out(ctx.json ? renderJson({ kvs: r.kvs, revision: r.revision, more: r.more }) : kvTable(r.kvs));
      done(ExitCode.Ok);
    });

  withClientOptions(kv.command('watch').description('print changes under PREFIX as they happen, until Ctrl-C').argument('<PREFIX>'))
    .option('--from-revision <N>', 'replay changes from revision N first')
    .action(async (prefix: string, flags: ClientFlags & { fromRevision?: string }) => {
      const ctx = clientContext(io, flags);
      const fromRevision = revisionFlag(flags.fromRevision);
      const client = openClient(ctx);
      const watcher = client.kv.watch(prefix, { fromRevision });
      const stop = () => watcher.cancel();
      ctx.io.signal.addEventListener('abort', stop, { once: true });
      try {
        for await (const e of watcher) ctx.io.out(watchLine(e, ctx.json));
      } finally {
        ctx.io.signal.removeEventListener('abort', stop);
        client.close();
      }
      done(ExitCode.Ok);
    });
}
