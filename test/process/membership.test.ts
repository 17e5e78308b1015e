// Real agent processes, membership changes through the `palisade members` CLI (§6, one change
// at a time): add a learner and start it with --join, promote it, remove a follower, remove the
// leader, and replace a dead node (remove it, add a new one, start it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { leadersPerTermViolations, ProcessCluster, runCli, waitFor } from './process-cluster.js';

interface MembersJson {
  members: { id: string; address: string; voter: boolean }[];
  index?: number;
}

describe('5-node cluster: membership changes via the CLI', { concurrency: false }, () => {
  let c: ProcessCluster;
  before(async () => {
    c = await ProcessCluster.start({ size: 5, spareIds: ['n6', 'n7'] });
    c.startObserving();
  });
  after(() => c?.close());

  /** Runs `palisade members ...` against every running node; returns the parsed JSON. */
  async function members(args: string[], via: readonly string[] = c.running()): Promise<MembersJson> {
    const r = await runCli(['members', ...args, '--json', '--endpoints', c.endpoints(via)]);
    assert.equal(r.code, 0, `palisade members ${args.join(' ')} via ${via.join(',')} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as MembersJson;
  }

  const shape = (m: MembersJson) => m.members.map((x) => `${x.id}:${x.voter ? 'voter' : 'learner'}`).sort();

  /** Waits until `id` has applied everything the leader committed, and reads `key` locally. */
  async function caughtUp(id: string, key: string, value: string): Promise<void> {
    const { leader } = await c.waitForLeader(c.running().filter((x) => x !== id));
    await c.waitForApplied(id, (await c.status(leader)).commitIndex);
    await waitFor(`${id} to hold ${key}`, async () => (await c.client(id).kv.get(key, { serializable: true })).kv?.value === value);
  }

  async function put(key: string, value: string): Promise<void> {
    const client = c.connect();
    try {
      await client.kv.put(key, value);
    } finally {
      client.close();
    }
  }

  test('§6 add a learner, start it with --join: it replicates the log without voting', async () => {
    await put('m/1', 'one');
    const n6 = c.node('n6');
    const added = await members(['add', 'n6', n6.address, '--learner']);
    assert.deepEqual(shape(added), ['n1:voter', 'n2:voter', 'n3:voter', 'n4:voter', 'n5:voter', 'n6:learner']);
    const { leader } = await c.waitForLeader();
    c.start('n6', c.agentArgs('n6', { join: c.node(leader).address }));
    await caughtUp('n6', 'm/1', 'one');
    const s = await c.status('n6');
    assert.equal(ProcessCluster.roleOf(s), 'learner');
    // It follows a voter; which one may have changed since (an election on a loaded machine).
    assert.ok(['n1', 'n2', 'n3', 'n4', 'n5'].includes(s.leader), `n6 follows "${s.leader}"`);
    const st = await runCli(['status', '--json', '--endpoints', c.node(leader).address]);
    assert.equal(st.code, 0, st.stderr);
    const n6View = (JSON.parse(st.stdout) as { members: { id: string; voter: boolean; role: string }[] }).members.find(
      (m) => m.id === 'n6',
    );
    assert.deepEqual({ voter: n6View?.voter, role: n6View?.role }, { voter: false, role: 'learner' });
  });

  test('§6 promote the learner to a voter', async () => {
    const promoted = await members(['promote', 'n6']);
    assert.deepEqual(shape(promoted), ['n1:voter', 'n2:voter', 'n3:voter', 'n4:voter', 'n5:voter', 'n6:voter']);
    await waitFor('n6 to see itself as a follower (voter)', async () => ProcessCluster.roleOf(await c.status('n6')) === 'follower');
    await put('m/2', 'two');
    await caughtUp('n6', 'm/2', 'two');
  });

  test('§6 remove a follower', async () => {
    const { leader } = await c.waitForLeader();
    const follower = c.founders.find((id) => id !== leader)!;
    // Asked through the other members (see the next test for asking the member itself).
    const after = await members(
      ['remove', follower],
      c.running().filter((id) => id !== follower),
    );
    assert.ok(!after.members.some((m) => m.id === follower));
    assert.equal(after.members.length, 5);
    await c.signal(follower, 'SIGTERM');
    // The rest still commit (now 5 voters, quorum 3).
    await put('m/3', 'three');
    const listed = await members(['list']);
    assert.deepEqual(shape(listed), shape(after));
  });

  test('§6 remove a follower through its own endpoint: the CLI reports success', async () => {
    const { leader } = await c.waitForLeader();
    const follower = c.running().find((id) => id !== leader && id !== 'n6')!;
    const others = c.running().filter((id) => id !== follower);
    const r = await runCli(['members', 'remove', follower, '--json', '--endpoints', `${c.node(follower).address},${c.endpoints(others)}`]);
    // Whatever the CLI said, the removal is committed: leave the cluster in a known state first.
    const client = c.connect(others);
    await waitFor(
      `${follower} to leave the member list`,
      async () => !(await client.members.list()).some((m) => m.id === follower),
    ).finally(() => client.close());
    await c.signal(follower, 'SIGTERM');
    assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr.trim()}`);
    assert.ok(!(JSON.parse(r.stdout) as MembersJson).members.some((m) => m.id === follower));
  });

  test('§6 remove the leader: it hands over, the others elect a leader among themselves', async () => {
    const old = await c.waitForLeader();
    const after = await members(['remove', old.leader]);
    assert.ok(!after.members.some((m) => m.id === old.leader));
    const rest = after.members.map((m) => m.id);
    const next = await c.waitForLeader(rest, 15_000);
    assert.notEqual(next.leader, old.leader);
    assert.ok(rest.includes(next.leader));
    await c.signal(old.leader, 'SIGKILL');
    await put('m/4', 'four');
    const listed = await members(['list']);
    assert.equal(listed.members.length, 3);
    assert.ok(listed.members.every((m) => m.voter));
  });

  test('§6 replace a dead node: remove it, add a new one, start it with --join', async () => {
    const { leader } = await c.waitForLeader();
    const dead = c.running().find((id) => id !== leader && id !== 'n6')!;
    await c.kill9(dead);
    // 2 of 3 voters are alive: still a quorum for the removal.
    const afterRemove = await members(['remove', dead]);
    assert.equal(afterRemove.members.length, 2);
    const n7 = c.node('n7');
    const afterAdd = await members(['add', 'n7', n7.address]);
    assert.deepEqual(
      afterAdd.members.find((m) => m.id === 'n7'),
      { id: 'n7', address: n7.address, voter: true },
    );
    c.start('n7', c.agentArgs('n7', { join: c.endpoints().split(',')[0] }));
    for (const [k, v] of [
      ['m/1', 'one'],
      ['m/4', 'four'],
    ] as const)
      await caughtUp('n7', k, v);
    await waitFor('n7 to be a follower', async () => ProcessCluster.roleOf(await c.status('n7')) === 'follower');
    await put('m/5', 'five');
    const st = await runCli(['status', '--json', '--endpoints', c.endpoints()]);
    assert.equal(st.code, 0, st.stderr);
    const view = JSON.parse(st.stdout) as { leader: string; members: { id: string; voter: boolean; reachable: boolean }[] };
    assert.deepEqual(view.members.map((m) => m.id).sort(), [...c.running()].sort());
    assert.ok(
      view.members.every((m) => m.voter && m.reachable),
      JSON.stringify(view.members),
    );
  });

  test('§5.2 at most one leader per term was observed throughout', async () => {
    await c.stopObserving();
    assert.deepEqual(leadersPerTermViolations(c.observations), []);
  });
});
