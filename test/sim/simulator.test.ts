// Unit tests of the simulator's own machinery: if the queue, the network or the clocks were
// wrong, the campaign's verdicts would mean nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { seededRng } from '../../src/raft/rng.js';
import { StateType } from '../../src/raft/types.js';
import { EventQueue } from './event-queue.js';
import type { Action } from './nemesis.js';
import { applyAction } from './nemesis.js';
import { Network } from './network.js';
import { runScenario } from './scenario.js';
import { NodeClock } from './sim-clock.js';
import { Simulator } from './simulator.js';

describe('EventQueue', () => {
  test('pops by time, then by insertion order among equal times', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
        const q = new EventQueue<number>();
        times.forEach((t, i) => q.push(t, i));
        const popped: number[] = [];
        for (let e = q.pop(); e !== undefined; e = q.pop()) popped.push(e.item);
        const expected = times
          .map((t, i) => ({ t, i }))
          .sort((a, b) => a.t - b.t || a.i - b.i)
          .map((x) => x.i);
        assert.deepEqual(popped, expected);
      }),
    );
  });
});

describe('Network', () => {
  test('a one-way cut loses only one direction', () => {
    const net = new Network(seededRng(1));
    net.cut('n1', 'n2');
    assert.equal(net.isUp('n1', 'n2'), false);
    assert.equal(net.isUp('n2', 'n1'), true);
    assert.deepEqual(net.route('n1', 'n2'), []);
    assert.equal(net.route('n2', 'n1').length, 1);
  });

  test('a split cuts both directions across, and nothing within a side', () => {
    const net = new Network(seededRng(1));
    net.split(['n1', 'n2'], ['n3']);
    assert.equal(net.isUp('n1', 'n2'), true);
    assert.equal(net.isUp('n1', 'n3'), false);
    assert.equal(net.isUp('n3', 'n2'), false);
    net.healAll();
    assert.equal(net.isUp('n3', 'n2'), true);
  });

  test('a partial partition leaves the bridge connected to both sides', () => {
    const sim = new Simulator({ seed: 1, nodes: 3, poolSize: 3 });
    sim.bridge(['n1'], 'n2');
    assert.equal(sim.network.isUp('n1', 'n3'), false);
    assert.equal(sim.network.isUp('n3', 'n1'), false);
    assert.equal(sim.network.isUp('n1', 'n2'), true);
    assert.equal(sim.network.isUp('n2', 'n3'), true);
  });

  test('drop, duplication and delay follow the configured faults', () => {
    const net = new Network(seededRng(7), { drop: 1, duplicate: 0, minDelay: 1, maxDelay: 2 });
    assert.deepEqual(net.route('n1', 'n2'), []);
    net.setFaults({ drop: 0, duplicate: 1, minDelay: 3, maxDelay: 9 });
    for (let i = 0; i < 100; i++) {
      const copies = net.route('n1', 'n2');
      assert.equal(copies.length, 2);
      for (const d of copies) assert.ok(d >= 3 && d <= 9, `delay ${d}`);
    }
  });
});

describe('NodeClock', () => {
  test('runs at 1+drift, stays continuous across rate changes, and realAt inverts now', () => {
    let real = 0;
    const clock = new NodeClock(() => real, 5000, 0.01);
    real = 100;
    assert.ok(Math.abs(clock.now() - 5101) < 1e-9);
    clock.setDrift(-0.01);
    assert.ok(Math.abs(clock.now() - 5101) < 1e-9);
    real = 200;
    assert.ok(Math.abs(clock.now() - 5200) < 1e-9);
    assert.ok(Math.abs(clock.realAt(5299) - 300) < 1e-9);
  });
});

describe('Simulator', () => {
  const script: Action[] = [
    { kind: 'write', target: 'leader', cmd: { t: 'put', k: 'x', v: '1' } },
    { kind: 'loss', drop: 0.2, duplicate: 0.3 },
    { kind: 'delay', min: 0, max: 30 },
    { kind: 'crash', node: 'n1' },
    { kind: 'wait', ms: 400 },
    { kind: 'write', target: 'leader', cmd: { t: 'cas', k: 'x', from: '1', to: '2' } },
    { kind: 'read', target: 'n2', key: 'x' },
    { kind: 'wait', ms: 200 },
  ];

  test('the same seed gives the same trace; another seed a different one', () => {
    const a = runScenario(11, script, { nodes: 5 });
    const b = runScenario(11, script, { nodes: 5 });
    const c = runScenario(12, script, { nodes: 5 });
    assert.equal(a.traceHash, b.traceHash);
    assert.equal(a.events, b.events);
    assert.deepEqual(a.traceTail, b.traceTail);
    assert.notEqual(a.traceHash, c.traceHash);
  });

  test('§5.2: a calm cluster elects one leader within the election timeout bound', () => {
    const sim = new Simulator({ seed: 3, nodes: 3 });
    sim.runFor(2 * 2 * sim.params.electionTick * sim.tickMs);
    const leaders = [...sim.nodes.values()].filter((n) => n.raw!.status().state === StateType.Leader);
    assert.equal(leaders.length, 1);
    assert.equal(sim.violation, undefined);
  });

  test('§5.3: a write commits and a ReadIndex read on a follower sees it', () => {
    const sim = new Simulator({ seed: 4, nodes: 3 });
    sim.runFor(500);
    const w = sim.write('leader', { t: 'put', k: 'x', v: '1' });
    sim.runFor(50);
    assert.equal(w?.result, 'ok');
    const follower = [...sim.nodes.values()].find((n) => n.raw!.status().state === StateType.Follower)!;
    const r = sim.read(follower.id, 'x');
    sim.runFor(50);
    assert.equal(r?.result, '1');
    assert.equal(sim.violation, undefined);
  });

  test('§5.4: committed writes survive crashing and restarting every node (disk only)', () => {
    const sim = new Simulator({ seed: 5, nodes: 3, snapshotEvery: 5 });
    sim.runFor(500);
    for (let i = 0; i < 12; i++) {
      sim.write('leader', { t: 'put', k: 'x', v: String(i) });
      sim.runFor(20);
    }
    for (const id of ['n1', 'n2', 'n3']) sim.crash(id);
    sim.runFor(100);
    for (const id of ['n1', 'n2', 'n3']) sim.restart(id);
    sim.runFor(1000);
    const r = sim.read('leader', 'x');
    sim.runFor(100);
    assert.equal(r?.result, '11');
    assert.equal(sim.violation, undefined);
  });

  test('a paused node queues messages and catches up on resume', () => {
    const sim = new Simulator({ seed: 6, nodes: 3 });
    sim.runFor(500);
    const follower = [...sim.nodes.values()].find((n) => n.raw!.status().state === StateType.Follower)!;
    sim.pause(follower.id);
    sim.write('leader', { t: 'put', k: 'y', v: '7' });
    sim.runFor(300);
    assert.ok(follower.inbox.length > 0);
    assert.equal(follower.kv.get('y'), undefined);
    sim.resume(follower.id);
    sim.runFor(100);
    assert.equal(follower.kv.get('y'), '7');
    assert.equal(sim.violation, undefined);
  });

  test('applyAction skips actions on nodes that do not exist', () => {
    const sim = new Simulator({ seed: 8, nodes: 3 });
    applyAction(sim, { kind: 'crash', node: 'n5' });
    applyAction(sim, { kind: 'pause', node: 'n4' });
    sim.runFor(500);
    assert.equal(sim.violation, undefined);
  });
});
