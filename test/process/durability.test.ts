// Real agent processes: acknowledged writes survive a power loss of the whole cluster (every
// node kill -9'd at once: each Ready is one fsynced batch before anything is acknowledged), and
// the KV history seen by concurrent clients across a leader kill and restart is linearizable
// (checked with the core's Wing–Gong–Lowe checker); a retried write is applied once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLinearizable, formatHistory, type KvInput, type KvOutput, type Operation } from '../sim/linearizability.js';
import { connect, type PalisadeClient } from '../../src/client/index.js';
import { leadersPerTermViolations, ProcessCluster, waitFor } from './process-cluster.js';

describe('3-node cluster: durability and linearizability', { concurrency: false }, () => {
  let c: ProcessCluster;
  before(async () => {
    c = await ProcessCluster.start({ size: 3 });
    c.startObserving();
  });
  after(() => c?.close());

  test('§5.4 acknowledged writes survive kill -9 of every node at once, and restart', async () => {
    const client = c.connect(c.founders, 3000);
    const acked = new Map<string, string>();
    const attempted = new Set<string>();
    let stop = false;
    // Four writers keep writes in flight at the moment of the power loss.
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const key = `durable/${w}/${i}`;
        attempted.add(key);
        try {
          await client.kv.put(key, `v${w}.${i}`);
          acked.set(key, `v${w}.${i}`);
        } catch {
          return; // the cluster is gone: this write's outcome is unknown
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    await waitFor('100 acknowledged writes', () => acked.size >= 100, 20_000);
    const ackedAtKill = new Map(acked);
    await c.killAll();
    stop = true;
    await Promise.all(writers);
    client.close();

    for (const id of c.founders) c.start(id);
    await c.waitForLeader();
    const reader = c.connect(c.founders);
    const stored = await reader.kv.list('durable/');
    const storedMap = new Map(stored.kvs.map((kv) => [kv.key, kv.value]));
    const lost = [...ackedAtKill].filter(([k, v]) => storedMap.get(k) !== v);
    assert.deepEqual(lost, [], `${lost.length} of ${ackedAtKill.size} acknowledged writes were lost`);
    // Nothing appears that no client ever wrote.
    for (const k of storedMap.keys()) assert.ok(attempted.has(k), `unexpected key ${k}`);
    // Linearizable point reads of a sample agree.
    for (const [k, v] of [...ackedAtKill].filter((_, i) => i % 17 === 0)) assert.equal((await reader.kv.get(k)).kv?.value, v);
    reader.close();
  });

  test('concurrent clients across a leader kill and restart: the KV history is linearizable; a retried put is applied once', async (t) => {
    const { leader } = await c.waitForLeader();
    // Dedup: the same (clientId, requestId) sent twice is one write. Two clients with one client
    // id number their first writes identically, exactly as a retry of the same request would.
    const first = connect(c.endpoints(c.founders), { clientId: 'retrying-client' });
    const once = await first.kv.put('dedup', 'applied-once');
    first.close();
    assert.equal(once.duplicate, false);

    const keys = ['x', 'y', 'z'];
    const history: Operation[] = [];
    let nextId = 0;
    let stop = false;
    const done = () => history.filter((o) => o.ret !== undefined).length;

    const runClient = async (name: string, seed: number) => {
      const client: PalisadeClient = connect(c.endpoints(c.founders), { timeoutMs: 3000, attemptTimeoutMs: 1000 });
      const seen = new Map<string, { value: string | null; revision: number }>();
      let rnd = seed;
      const next = (n: number) => {
        rnd = (rnd * 1103515245 + 12345) % 2 ** 31;
        return rnd % n;
      };
      try {
        for (let n = 0; !stop; n++) {
          const key = keys[next(keys.length)];
          const dice = next(10);
          const value = `${name}.${n}`;
          const last = seen.get(key);
          let input: KvInput;
          let exec: () => Promise<KvOutput>;
          if (dice < 4) {
            input = { kind: 'get', key };
            exec = async () => {
              const r = await client.kv.get(key);
              seen.set(key, { value: r.kv?.value ?? null, revision: r.kv?.modRevision ?? 0 });
              return { kind: 'get', value: r.kv?.value ?? null };
            };
          } else if (dice < 7 || last === undefined) {
            input = { kind: 'put', key, value };
            exec = async () => (await client.kv.put(key, value), { kind: 'put' });
          } else if (dice < 9) {
            // Revision-based cas as value-based cas: every written value is unique, so "the key
            // is at the revision that wrote `last.value`" ⟺ "the key holds `last.value`"
            // (revision 0 ⟺ absent ⟺ null).
            input = { kind: 'cas', key, expected: last.value, value };
            exec = async () => {
              const r = await client.kv.cas(key, last.revision, value);
              return { kind: 'cas', ok: r.succeeded };
            };
          } else {
            input = { kind: 'delete', key };
            exec = async () => (await client.kv.delete(key), { kind: 'delete' });
          }
          const op: Operation = { id: nextId++, client: name, input, call: performance.now(), ret: undefined, output: undefined };
          history.push(op);
          try {
            const output = await exec();
            op.output = output;
            op.ret = performance.now();
          } catch {
            // Timed out or failed: the outcome is unknown (ret stays undefined).
            seen.delete(key);
          }
        }
      } finally {
        client.close();
      }
    };

    const clients = ['c1', 'c2', 'c3', 'c4'].map((name, i) => runClient(name, 7 + i * 101));
    await waitFor('50 completed operations', () => done() >= 50, 20_000);
    const beforeKill = done();
    const killedAt = performance.now();
    await c.kill9(leader);
    const next = await c.waitForLeader();
    assert.notEqual(next.leader, leader);
    await waitFor('50 more completed operations under the new leader', () => done() >= beforeKill + 50, 20_000);
    c.start(leader);
    await c.waitForApplied(leader, (await c.status(next.leader)).commitIndex);
    const afterRestart = done();
    await waitFor('50 more completed operations after the restart', () => done() >= afterRestart + 50, 20_000);
    stop = true;
    await Promise.all(clients);

    const unknown = history.filter((o) => o.ret === undefined).length;
    const spanning = history.filter((o) => o.call < killedAt && (o.ret ?? Infinity) > killedAt).length;
    const slowest = Math.max(...history.map((o) => (o.ret ?? o.call) - o.call));
    t.diagnostic(
      `history: ${history.length} ops (${unknown} with unknown outcome, ${spanning} in flight at the kill, slowest ${Math.round(slowest)} ms) on ${keys.length} keys from 4 clients`,
    );
    const result = checkLinearizable(history);
    if (result.ok !== true) assert.fail(`not linearizable: ${JSON.stringify(result, null, 1).slice(0, 2000)}\n${formatHistory(history)}`);
    // The history has teeth: one read altered to a value nobody wrote is caught.
    const read = history.find((o) => o.output?.kind === 'get' && o.output.value !== null)!;
    assert.ok(read !== undefined, 'the history holds a successful read of a written value');
    const forged = history.map((o) => (o === read ? { ...o, output: { kind: 'get' as const, value: 'never-written' } } : o));
    assert.equal(checkLinearizable(forged).ok, false);

    // The retry of the dedup write, through the new leader: applied once, original result back.
    const retry = connect(c.endpoints(c.founders), { clientId: 'retrying-client' });
    const again = await retry.kv.put('dedup', 'applied-once');
    retry.close();
    assert.equal(again.duplicate, true, 'the retried put was recognised as a duplicate');
    assert.equal(again.revision, once.revision, 'and answered with the original revision');
    const reader = c.connect(c.founders);
    const kv = (await reader.kv.get('dedup')).kv;
    reader.close();
    assert.equal(kv?.version, 1, 'the key was written once');
    assert.equal(kv?.modRevision, once.revision);
  });

  test('§5.2 at most one leader per term was observed throughout', async () => {
    await c.stopObserving();
    assert.deepEqual(leadersPerTermViolations(c.observations), []);
  });
});
