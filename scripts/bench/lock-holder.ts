// A lock holder for bench:locks' "holder dies" phase, forked by the driver: takes the name with a
// session (or lease) of the given TTL, says 'held', and keeps it alive until the driver kills this
// process with SIGKILL — so its keep-alives stop the way a crashed application's do.
import type { ContenderOptions, HolderMessage } from './lock-spec.js';
import { openContenders } from './lockers.js';

function send(msg: HolderMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(msg, undefined, {}, (err) => (err ? reject(err) : resolve())));
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2]) as ContenderOptions;
  // A driver that died must not leave a holder behind.
  process.once('disconnect', () => process.exit(0));
  const set = await openContenders(opts, 1);
  await set.contenders[0].acquire();
  // Keeps the process alive whatever timers the client uses; only SIGKILL ends it.
  setInterval(() => {}, 60_000);
  await send({ type: 'held' });
}

main().catch(async (err: unknown) => {
  await send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }).catch(() => {});
  process.exit(1);
});
