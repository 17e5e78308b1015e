// The replicated HA state's reducer (src/statemachine/ha-state.ts): what each committed command
// does to the list of unconfirmed holders, which a new leader must fence or outlive before it
// promotes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyHaCommand } from '../../src/statemachine/ha-state.js';
import { EMPTY_HA_STATE } from '../../src/statemachine/ha-record.js';

describe('HA state: unconfirmed holders', () => {
  test('a late acknowledgement of an older epoch does not clear a newer promotion of the same node', () => {
    // n1 demotes epoch 5 and proposes "demoted 5"; before that commits it is promoted again at
    // epoch 7. The late acknowledgement must leave epoch 7 listed: otherwise the next leader
    // would promote without fencing or outliving a node that may still run the service.
    let s = applyHaCommand(EMPTY_HA_STATE, { type: 'promote', holder: 'n1', term: 2 }, 5);
    s = applyHaCommand(s, { type: 'promote', holder: 'n1', term: 3 }, 7);
    for (const ack of [
      { type: 'demoted', holder: 'n1', epoch: 5 },
      { type: 'fenced', holder: 'n1', epoch: 5, by: 'n2' },
    ] as const) {
      const after = applyHaCommand(s, ack, 9);
      assert.deepEqual(
        after.holders.map((h) => `${h.holder}@${h.epoch}`),
        ['n1@7'],
        `${ack.type} 5`,
      );
    }
  });

  test('an acknowledgement of the epoch held, or a newer one, clears it; other nodes stay listed', () => {
    let s = applyHaCommand(EMPTY_HA_STATE, { type: 'promote', holder: 'n1', term: 2 }, 5);
    s = applyHaCommand(s, { type: 'promote', holder: 'n2', term: 3 }, 7);
    assert.deepEqual(
      applyHaCommand(s, { type: 'demoted', holder: 'n1', epoch: 5 }, 8).holders.map((h) => h.holder),
      ['n2'],
    );
    assert.deepEqual(
      applyHaCommand(s, { type: 'fenced', holder: 'n1', epoch: 6, by: 'n2' }, 8).holders.map((h) => h.holder),
      ['n2'],
    );
    assert.deepEqual(
      applyHaCommand(s, { type: 'demoted', holder: 'n3', epoch: 9 }, 8).holders.map((h) => h.holder),
      ['n1', 'n2'],
    );
  });
});
