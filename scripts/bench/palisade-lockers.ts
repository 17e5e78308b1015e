// palisade's contenders for bench:locks: one session per contender (created before the measured
// window, as an application keeps one), taking the name with `lock` or `campaign`.
import { SessionLostError, connect, type Grant, type PalisadeClient, type Session } from '../../src/index.js';
import { LockKind, type ContenderOptions } from './lock-spec.js';
import type { Contender, ContenderSet } from './lockers.js';

/**
 * The client refuses a session whose creation took longer than it could count on (a loaded
 * machine, 64 creates at once): try again, a few times.
 */
async function openSession(client: PalisadeClient, ttlMs: number, owner: string): Promise<Session> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.session({ ttlMs, owner });
    } catch (err) {
      if (!(err instanceof SessionLostError) || attempt === 5) throw err;
    }
  }
}

export async function openPalisadeContenders(opts: ContenderOptions, count: number): Promise<ContenderSet> {
  const client = connect(opts.endpoints, { timeoutMs: 30_000 });
  const sessions: Session[] = [];
  const contenders: Contender[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const session = await openSession(client, opts.ttlMs, `bench-${process.pid}-${i}`);
      sessions.push(session);
      let grant: Grant | undefined;
      const take =
        opts.kind === LockKind.PalisadeLock
          ? () => session.lock(opts.name)
          : opts.kind === LockKind.PalisadeElection
            ? () => session.campaign(opts.name, `c${i}`)
            : undefined;
      if (take === undefined) throw new Error(`not a palisade kind: ${opts.kind}`);
      contenders.push({
        acquire: async () => {
          grant = await take();
        },
        release: async () => grant?.release(),
      });
    }
  } catch (err) {
    await Promise.allSettled(sessions.map((s) => s.close()));
    client.close();
    throw err;
  }
  return {
    contenders,
    participants: async () => {
      const queue = (await client.locks.list(opts.name)).find((q) => q.name === opts.name);
      return queue === undefined ? 0 : queue.holders.length + queue.waiters.length;
    },
    close: async () => {
      await Promise.allSettled(sessions.map((s) => s.close()));
      client.close();
    },
  };
}
