// Dual-holder check of the VIP parts (palisade and keepalived alike, so both carry the same
// sampling load): every ~50 ms through the rounds, which live nodes hold the VIP on their eth0.
// A crashed node keeps the address on its dead link (a machine without power): not a holder.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Net, NetNode } from './netns.js';
import { sleep } from './poll.js';

const execFileAsync = promisify(execFile);

export interface HolderCount {
  /** Sampling rounds taken. */
  samples: number;
  /** Rounds in which more than one live node held the VIP. */
  dual: number;
}

export function sampleHolders(net: Net, live: () => readonly NetNode[], count: HolderCount): { stop(): Promise<void> } {
  let stopped = false;
  const holds = (n: NetNode): Promise<boolean> =>
    execFileAsync('ip', ['-n', n.ns, '-o', '-4', 'addr', 'show', 'dev', 'eth0'], { timeout: 5000 }).then(
      (r) => r.stdout.includes(` ${net.vip}/`),
      () => false,
    );
  const loop = (async () => {
    while (!stopped) {
      const held = await Promise.all(live().map(holds));
      count.samples++;
      if (held.filter(Boolean).length > 1) count.dual++;
      await sleep(50);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
