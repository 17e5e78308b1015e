// Child process for the crash test: persists Ready after Ready (entries plus a hard state
// whose commit is the last entry of the same Ready) until it is killed, printing the last
// index of each Ready once persistReady() has resolved.
// Usage: node --import tsx child-writer.ts <dataDir>
import { EntryType, type Entry } from '../../src/raft/types.js';
import { LevelStorage } from '../../src/storage/level-storage.js';

const BATCH = 64;
const [dataDir] = process.argv.slice(2) as [string];
const s = await LevelStorage.open({ dataDir, clusterId: 'crash', nodeId: 'n1' });
for (let term = 1; ; term++) {
  const from = s.lastIndex() + 1;
  const entries: Entry[] = [];
  for (let k = 0; k < BATCH; k++) {
    entries.push({ index: from + k, term, type: EntryType.Normal, data: new Uint8Array(512).fill((from + k) & 0xff) });
  }
  const last = from + BATCH - 1;
  await s.persistReady({ entries, hardState: { term, vote: 'n1', commit: last }, mustSync: true });
  process.stdout.write(`${last}\n`);
}
