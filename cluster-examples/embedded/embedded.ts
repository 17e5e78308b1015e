// Embedding palisade: run a node inside your own process, follow its events, and talk to the
// cluster with the typed client. A one-node cluster here, so it runs alone; give every process
// the same `peers` (each with its own id, listen and dataDir) for a real cluster.
//
// From the repository root:   npm run build && node --import tsx cluster-examples/embedded/embedded.ts
// (`palisade` resolves to this repository's own build through package.json "exports".)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, startNode, type NodeEvent } from 'palisade';

const dataDir = mkdtempSync(join(tmpdir(), 'palisade-embedded-'));
const node = await startNode({
  id: 'app1',
  listen: '127.0.0.1:7201',
  dataDir,
  peers: { app1: '127.0.0.1:7201' },
  logLevel: 'warn',
});
console.log(`node ${node.id} serving on ${node.address}`);

// Events arrive as an async iterable; a slow reader loses events, it never stalls the node.
const seen: NodeEvent[] = [];
void (async () => {
  for await (const e of node.events()) {
    seen.push(e);
    console.log('event:', JSON.stringify(e));
  }
})();

const client = connect(node.address, { timeoutMs: 5000 });
try {
  // From revision 1: replays the put below even if it lands before the watch is registered.
  const watcher = client.kv.watch('app/', { fromRevision: 1 });
  const put = await client.kv.put('app/mode', 'primary');
  console.log(`put app/mode at revision ${put.revision}`);
  const { kv } = await client.kv.get('app/mode');
  console.log(`get app/mode = ${kv?.value}`);
  for await (const e of watcher) {
    console.log(`watch: ${e.type} ${e.kv.key} at revision ${e.revision}`);
    watcher.cancel();
  }
  const status = await client.status();
  console.log(`leader ${status.leader}, term ${status.term}, commit index ${status.commitIndex}`);
} finally {
  client.close();
  await node.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
