// Child process for the lock test: tries to open a data dir and prints what happened as JSON.
// Usage: node --import tsx child-open.ts <dataDir> <clusterId> <nodeId>
import { LevelStorage } from '../../src/storage/level-storage.js';

const [dataDir, clusterId, nodeId] = process.argv.slice(2) as [string, string, string];
try {
  const s = await LevelStorage.open({ dataDir, clusterId, nodeId });
  await s.close();
  console.log(JSON.stringify({ ok: true }));
} catch (err) {
  const e = err as { code?: string; name?: string; message?: string };
  console.log(JSON.stringify({ ok: false, code: e.code, name: e.name, message: e.message }));
}
