// The HA section of the snapshot image across format versions (issue 15): version 3 carries the
// nodes' published check verdicts and the latest health failover; a version-2 image, written by
// the build before health checks existed, must still restore on a node upgraded over it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { encodeHaCommand } from '../../src/statemachine/ha-state.js';
import { Health } from '../../src/statemachine/ha-record.js';
import type { HaCommand } from '../../src/statemachine/ha-record.js';
import { encodeCommand } from '../../src/statemachine/commands.js';
import { decodeSnapshot, SNAPSHOT_FORMAT_VERSION } from '../../src/statemachine/snapshot-codec.js';
import { StateMachine } from '../../src/statemachine/state-machine.js';
import { EntryType } from '../../src/raft/types.js';
import { anyText, kvCommand } from './arbitraries.js';

const node = fc.constantFrom('n1', 'n2', 'n3');

const haCommand: fc.Arbitrary<HaCommand> = fc.oneof(
  fc.record({ type: fc.constant('promote' as const), holder: node, term: fc.nat(50) }),
  fc.record({ type: fc.constant('demoted' as const), holder: node, epoch: fc.nat(40) }),
  fc.record({ type: fc.constant('fenced' as const), holder: node, epoch: fc.nat(40), by: node }),
  fc.constant({ type: 'pause' as const }),
  fc.constant({ type: 'resume' as const }),
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('health' as const),
      node,
      health: fc.constantFrom(...Object.values(Health)),
      detail: anyText,
    }),
  },
  fc.record({ type: fc.constant('healthFailover' as const), from: node, to: node }),
);

/** Entry data: mostly HA commands, some key-value writes between them. */
const entryData = fc.oneof(
  { weight: 3, arbitrary: haCommand.map((c) => encodeHaCommand({ ...c })) },
  { weight: 1, arbitrary: kvCommand.map((c) => encodeCommand(c)) },
);

function stateOf(data: readonly Uint8Array[]): StateMachine {
  const sm = StateMachine.create();
  sm.apply({
    index: 1,
    term: 1,
    type: EntryType.Normal,
    data: encodeCommand({ type: 'bootstrap', clusterId: 'c', members: [{ id: 'n1', address: 'h:1', role: 'voter' }] }),
  });
  data.forEach((d, i) => sm.apply({ index: i + 2, term: 1, type: EntryType.Normal, data: d }));
  return sm;
}

/**
 * A version-2 image written by the code of 537f08c^ (the last build without health checks):
 * three voters, a key, n1 promoted at epoch 3 and fenced by n2, n2 active at epoch 5, paused,
 * two events with epochs.
 */
const V2_IMAGE = Buffer.from(readFileSync(new URL('./testdata/snapshot-v2.hex', import.meta.url), 'utf8').trim(), 'hex');

describe('snapshot codec: the HA section', () => {
  test('restore(snapshot(x)) round-trips check verdicts and the latest health failover (version 3 on)', () => {
    fc.assert(
      fc.property(fc.array(entryData, { maxLength: 40 }), (data) => {
        const sm = stateOf(data);
        const bytes = sm.snapshot();
        assert.equal(bytes[4], SNAPSHOT_FORMAT_VERSION);
        const img = decodeSnapshot(bytes);
        assert.deepEqual(img.ha, sm.ha);
        const restored = StateMachine.restore(bytes);
        assert.deepEqual(restored.ha, sm.ha);
        assert.deepEqual(restored.snapshot(), bytes);
      }),
      { numRuns: 300 },
    );
  });

  test('a state with verdicts of every kind and a health failover survives exactly', () => {
    const sm = stateOf([
      encodeHaCommand({ type: 'promote', holder: 'n2', term: 4 }),
      encodeHaCommand({ type: 'health', node: 'n3', health: 'unknown', detail: '' }),
      encodeHaCommand({ type: 'health', node: 'n2', health: 'unhealthy', detail: 'exit code 1: pg_isready: no response é𝄞' }),
      encodeHaCommand({ type: 'health', node: 'n1', health: 'healthy', detail: 'ok as replica' }),
      encodeHaCommand({ type: 'healthFailover', from: 'n2', to: 'n1' }),
    ]);
    const ha = StateMachine.restore(sm.snapshot()).ha;
    assert.deepEqual(ha.health, [
      { node: 'n1', health: 'healthy', detail: 'ok as replica' },
      { node: 'n2', health: 'unhealthy', detail: 'exit code 1: pg_isready: no response é𝄞' },
      { node: 'n3', health: 'unknown', detail: '' },
    ]);
    assert.deepEqual(ha.lastHealthFailover, { index: 6, from: 'n2', to: 'n1' });
    assert.deepEqual(ha.active, { holder: 'n2', epoch: 2, term: 4 });
  });

  test('a version-2 image still restores: its HA record and event epochs, no verdicts, no health failover', () => {
    assert.equal(V2_IMAGE[4], 2, 'the fixture is a version-2 image');
    const img = decodeSnapshot(V2_IMAGE);
    assert.equal(img.clusterId, 'v2-cluster');
    assert.equal(img.appliedIndex, 8);
    assert.deepEqual(
      img.members.map((m) => m.id),
      ['n1', 'n2', 'n3'],
    );
    assert.deepEqual(
      img.kvs.map((kv) => [kv.key, kv.value]),
      [['app/config', 'é𝄞']],
    );
    assert.deepEqual(img.ha, {
      active: { holder: 'n2', epoch: 5, term: 3 },
      holders: [{ holder: 'n2', epoch: 5, term: 3 }],
      paused: true,
      health: [],
      lastHealthFailover: null,
    });
    assert.deepEqual(
      img.events.map((e) => [e.kind, e.epoch]),
      [
        ['promotion', 3],
        ['fence', 5],
      ],
    );

    // Restored, it goes on: it takes verdicts, and its next snapshot is a version-3 image.
    const sm = StateMachine.restore(V2_IMAGE);
    sm.apply({
      index: 9,
      term: 3,
      type: EntryType.Normal,
      data: encodeHaCommand({ type: 'health', node: 'n1', health: 'healthy', detail: '' }),
    });
    const next = sm.snapshot();
    assert.equal(next[4], SNAPSHOT_FORMAT_VERSION);
    assert.deepEqual(decodeSnapshot(next).ha, { ...img.ha, health: [{ node: 'n1', health: 'healthy', detail: '' }] });
  });
});
