// `npm run bench:snapshot [-- KEYS]` — what taking a snapshot costs the event loop, for a store of
// KEYS keys (default 200,000; 16-byte keys, 64-byte values, one client's requests, written in a
// scrambled order: keys written in order would make the sort the cheapest case). Prints, per
// round: the time to freeze the image (the part that still runs inside the Ready loop: a copy,
// its keys unsorted), the stepwise sort and encoding and the longest event-loop delay while they
// ran, the old synchronous path (a sorted freeze + encode in one piece) for comparison, and the
// restore of a machine from the image (what a restarting node does with its stored snapshot).
// Nothing is written to disk.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EntryType } from '../../src/raft/types.js';
import { encodeCommand } from '../../src/statemachine/commands.js';
import { encodeSnapshot, encodeSnapshotAsync } from '../../src/statemachine/snapshot-codec.js';
import { StateMachine, sortedImage } from '../../src/statemachine/state-machine.js';

const keys = Number(process.argv[2] ?? 200_000);
if (!Number.isSafeInteger(keys) || keys < 1) throw new Error(`usage: npm run bench:snapshot [-- KEYS]; got "${process.argv[2]}"`);
const ROUNDS = 5;

const sm = StateMachine.create();
const value = 'x'.repeat(64);
for (let i = 1; i <= keys; i++) {
  const scrambled = (i * 2654435761) % 1_000_000_007;
  const cmd = {
    type: 'put' as const,
    key: `key-${String(scrambled).padStart(12, '0')}`,
    value,
    request: { clientId: 'bench', requestId: String(i) },
  };
  sm.apply({ index: i, term: 1, type: EntryType.Normal, data: encodeCommand(cmd) });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows: { freeze: number; encode: number; maxDelay: number; sync: number; restore: number }[] = [];
let bytes = 0;
for (let r = 0; r < ROUNDS; r++) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const t0 = performance.now();
  const frozen = sm.frozenImage();
  const t1 = performance.now();
  bytes = (await encodeSnapshotAsync((await sortedImage(frozen))!))!.length;
  const t2 = performance.now();
  delay.disable();
  const image = encodeSnapshot(sm.snapshotImage());
  const t3 = performance.now();
  if (StateMachine.restore(image).storeBytes !== sm.storeBytes) throw new Error('the restored machine differs');
  const t4 = performance.now();
  rows.push({ freeze: t1 - t0, encode: t2 - t1, maxDelay: delay.max / 1e6, sync: t3 - t2, restore: t4 - t3 });
}
const fmt = (xs: number[]) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
console.log(`${keys} keys, ${(bytes / 2 ** 20).toFixed(1)} MiB image, ${ROUNDS} rounds, median (min–max) ms:`);
console.log(`  freeze the image (blocks the Ready loop):   ${fmt(rows.map((x) => x.freeze))}`);
console.log(`  stepwise encoding, wall time:                ${fmt(rows.map((x) => x.encode))}`);
console.log(`  longest event-loop delay while it encoded:   ${fmt(rows.map((x) => x.maxDelay))}`);
console.log(`  old path, freeze + encode in one piece:      ${fmt(rows.map((x) => x.sync))}`);
console.log(`  restore a machine from the image:            ${fmt(rows.map((x) => x.restore))}`);
