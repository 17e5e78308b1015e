// Real agent processes (issue 16, step 4): clients bound to ONE node each read and write through
// every node — also through a leader that is paused past the election timeout (its clients'
// requests wait in the stopped process and reach it when it resumes, deposed) and one that is
// killed and restarted. Linearizable reads and puts together must be linearizable (the core's
// Wing–Gong–Lowe checker); serializable reads must show a committed state that never goes back
// on a node within one process life (serializable-check.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type PalisadeClient } from '../../src/client/index.js';
import { checkLinearizable, formatHistory, type KvOutput, type Operation } from '../sim/linearizability.js';
import { ProcessCluster, waitFor } from './process-cluster.js';
import { serializableViolations, type PutRecord, type SerializableRead } from './serializable-check.js';

const KEYS = ['x', 'y'];

describe('3-node cluster: reads from every node across leader kills and pauses', { concurrency: false }, () => {
  let c: ProcessCluster;
  before(async () => {
    c = await ProcessCluster.start({ size: 3 });
  });
  after(() => c?.close());

  test('linearizable reads are linearizable; serializable reads show a committed state, monotonic per node life', async (t) => {
    const history: Operation[] = [];
    const puts: PutRecord[] = [];
    const serial: SerializableRead[] = [];
    const life = new Map(c.founders.map((id) => [id, 0]));
    let nextId = 0;
    let stop = false;
    const done = () => history.filter((o) => o.ret !== undefined).length + serial.length;

    // Two clients per node, each bound to that node alone (a follower forwards writes and runs
    // its linearizable reads through the leader; serializable reads are its own).
    const runClient = async (node: string, name: string, seed: number) => {
      const client: PalisadeClient = connect(c.endpoints([node]), { timeoutMs: 1500, attemptTimeoutMs: 1000 });
      let rnd = seed;
      const next = (n: number) => ((rnd = (rnd * 1103515245 + 12345) % 2 ** 31), rnd % n);
      try {
        for (let n = 0; !stop; n++) {
          const key = KEYS[next(KEYS.length)];
          const dice = next(10);
          const call = performance.now();
          if (dice < 3) {
            const nodeLife = life.get(node)!;
            try {
              const r = await client.kv.get(key, { serializable: true });
              serial.push({
                node,
                life: nodeLife,
                key,
                call,
                ret: performance.now(),
                revision: r.revision,
                value: r.kv?.value ?? null,
                modRevision: r.kv?.modRevision ?? 0,
              });
            } catch {
              // No answer: nothing was promised.
            }
            continue;
          }
          const value = `${name}.${n}`;
          const put = dice < 6;
          const op: Operation = {
            id: nextId++,
            client: name,
            input: put ? { kind: 'put', key, value } : { kind: 'get', key },
            call,
            ret: undefined,
            output: undefined,
          };
          history.push(op);
          const rec: { key: string; value: string; call: number; revision: number | undefined } = { key, value, call, revision: undefined };
          if (put) puts.push(rec);
          try {
            let output: KvOutput;
            if (put) {
              rec.revision = (await client.kv.put(key, value)).revision;
              output = { kind: 'put' };
            } else {
              output = { kind: 'get', value: (await client.kv.get(key)).kv?.value ?? null };
            }
            op.output = output;
            op.ret = performance.now();
          } catch {
            // Timed out or failed: the outcome is unknown (ret stays undefined).
          }
        }
      } finally {
        client.close();
      }
    };
    const clients = c.founders.flatMap((id, i) => [runClient(id, `${id}a`, 11 + 97 * i), runClient(id, `${id}b`, 53 + 89 * i)]);
    const progress = async (what: string, more: number) => {
      const from = done();
      await waitFor(`${more} more completed operations ${what}`, () => done() >= from + more, 20_000);
    };

    await progress('at the start', 60);
    // 1. Pause the leader past the election timeout: the others elect a new one; requests to
    //    the paused node wait in its sockets and reach it, deposed, when it resumes.
    const first = await c.waitForLeader();
    await c.signal(first.leader, 'SIGSTOP');
    const others = c.founders.filter((id) => id !== first.leader);
    const second = await c.waitForLeader(others, 10_000);
    await progress('under the new leader while the old one is paused', 40);
    await c.signal(first.leader, 'SIGCONT');
    await waitFor(`${first.leader} to follow after SIGCONT`, async () => {
      const s = await c.status(first.leader);
      return ProcessCluster.roleOf(s) === 'follower' && s.term >= second.term && s.leader !== '';
    });
    await progress('after the resume', 40);
    // 2. Kill the leader, then restart it.
    const third = await c.waitForLeader();
    await c.kill9(third.leader);
    life.set(third.leader, life.get(third.leader)! + 1);
    await c.waitForLeader(
      c.founders.filter((id) => id !== third.leader),
      10_000,
    );
    await progress('after the leader was killed', 40);
    c.start(third.leader);
    await c.waitForLeader();
    await progress('after the restart', 40);
    stop = true;
    await Promise.all(clients);

    const unknown = history.filter((o) => o.ret === undefined).length;
    t.diagnostic(
      `${history.length} linearizable ops (${unknown} with unknown outcome), ${serial.length} serializable reads from ${c.founders.length} nodes`,
    );
    const lin = checkLinearizable(history);
    if (lin.ok !== true) assert.fail(`not linearizable: ${JSON.stringify(lin, null, 1).slice(0, 2000)}\n${formatHistory(history)}`);
    assert.deepEqual(serializableViolations(puts, serial), []);
    for (const id of c.founders)
      assert.ok(
        serial.some((r) => r.node === id && r.value !== null),
        `serializable reads of written values on ${id}`,
      );

    // The checks have teeth. A linearizable read that returns the value of a put which another
    // acknowledged put followed in real time, both before the read (a stale read), is caught:
    const acked = history.filter((o) => o.input.kind === 'put' && o.ret !== undefined);
    let forgedRead: { read: Operation; older: Operation } | undefined;
    for (const read of history.filter((o) => o.output?.kind === 'get')) {
      const prior = acked.filter((p) => p.input.key === read.input.key && p.ret! < read.call);
      const older = prior.find((p1) => prior.some((p2) => p1.ret! < p2.call));
      if (older !== undefined) {
        forgedRead = { read, older };
        break;
      }
    }
    assert.ok(forgedRead !== undefined, 'a linearizable read after two sequential acknowledged puts of its key');
    const oldValue = forgedRead.older.input.kind === 'put' ? forgedRead.older.input.value : '';
    const forged = history.map((o) => (o === forgedRead.read ? { ...o, output: { kind: 'get' as const, value: oldValue } } : o));
    assert.equal(checkLinearizable(forged).ok, false, 'a stale linearizable read is caught');
    // A serializable read that misses an acknowledged put at or below its revision is caught,
    // and so is one that goes back within a node's life.
    const ackedAt = (key: string, value: string | null) => puts.find((p) => p.key === key && p.value === value)?.revision;
    const r = serial.find(
      (s) =>
        ackedAt(s.key, s.value) !== undefined &&
        puts.some((p) => p.key === s.key && p.revision !== undefined && p.revision < s.modRevision),
    );
    assert.ok(r !== undefined, 'a serializable read of an acknowledged put that followed another');
    const earlier = puts.filter((p) => p.key === r.key && p.revision !== undefined && p.revision < r.modRevision).at(-1)!;
    assert.notDeepEqual(
      serializableViolations(puts, [{ ...r, value: earlier.value, modRevision: earlier.revision! }]),
      [],
      'a missed put is caught',
    );
    const back = {
      ...r,
      call: r.ret + 1,
      ret: r.ret + 2,
      revision: r.modRevision - 1,
      value: earlier.value,
      modRevision: earlier.revision!,
    };
    assert.ok(
      serializableViolations(puts, [r, back]).some((v) => v.includes('invoked after')),
      'a read going back is caught',
    );
  });
});
