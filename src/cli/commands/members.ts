// palisade members list | add ID HOST:PORT [--learner] | promote ID | remove ID
import type { Command } from 'commander';
import type { MemberChangeResult, MemberInfo } from '../../client/types.js';
import { clientContext, usingClient, withClientOptions, type ClientContext, type ClientFlags, type Io } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { renderJson, renderTable } from '../render.js';

export function membersTable(members: readonly MemberInfo[]): string {
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return renderTable(
    [{ header: 'ID' }, { header: 'ADDRESS' }, { header: 'TYPE' }],
    sorted.map((m) => [m.id, m.address, m.voter ? 'voter' : 'learner']),
  );
}

function printChange(ctx: ClientContext, what: string, r: MemberChangeResult): ExitCode {
  if (ctx.json) ctx.io.out(renderJson({ members: r.members, index: r.index }));
  else ctx.io.out(`${what} (applied at index ${r.index})\n` + membersTable(r.members));
  return ExitCode.Ok;
}

export function registerMembers(program: Command, io: Io, done: (code: ExitCode) => void): void {
  const members = program.command('members').description('list and change the cluster membership');

  withClientOptions(members.command('list').description('list members (voters and learners)'))
    .option('--serializable', 'answer from the contacted node without a leader round trip (may be stale)')
    .action(async (flags: ClientFlags & { serializable?: boolean }) => {
      const ctx = clientContext(io, flags);
      const list = await usingClient(ctx, (c) => c.members.list({ serializable: flags.serializable === true }));
      ctx.io.out(ctx.json ? renderJson({ members: list }) : membersTable(list));
      done(ExitCode.Ok);
    });

  withClientOptions(
    members.command('add').description('add a member; start it afterwards with --join').argument('<ID>').argument('<HOST:PORT>'),
  )
    .option('--learner', 'add as a non-voting learner (promote it once it has caught up)')
    .action(async (id: string, address: string, flags: ClientFlags & { learner?: boolean }) => {
      const ctx = clientContext(io, flags);
      const learner = flags.learner === true;
      const r = await usingClient(ctx, (c) => c.members.add(id, address, { learner }));
      done(printChange(ctx, `added ${id} at ${address} as a ${learner ? 'learner' : 'voter'}`, r));
    });

  withClientOptions(members.command('promote').description('make a learner a voter').argument('<ID>')).action(
    async (id: string, flags: ClientFlags) => {
      const ctx = clientContext(io, flags);
      const r = await usingClient(ctx, (c) => c.members.promote(id));
      done(printChange(ctx, `promoted ${id} to voter`, r));
    },
  );

  withClientOptions(
    members.command('remove').description('remove a member (the leader hands over first if it is removed)').argument('<ID>'),
  ).action(async (id: string, flags: ClientFlags) => {
    const ctx = clientContext(io, flags);
    const r = await usingClient(ctx, (c) => c.members.remove(id));
    done(printChange(ctx, `removed ${id}`, r));
  });
}
