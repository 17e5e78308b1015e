// Conditions waited for on the node's state (src/server/ready-conditions.ts): checked after each
// Ready, resolved once they hold, rejected by their deadline otherwise, and forgotten either way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadyConditions } from '../../src/server/ready-conditions.js';

test('a condition that holds already resolves at once', async () => {
  await new ReadyConditions().waitFor(
    () => true,
    10,
    () => new Error('never'),
  );
});

test('a condition resolves at the first Ready after which it holds, and is checked no more', async () => {
  const conditions = new ReadyConditions();
  let applied = 0;
  let checks = 0;
  let resolved = false;
  const waiting = conditions
    .waitFor(
      () => (checks++, applied >= 2),
      60_000,
      () => new Error('timed out'),
    )
    .then(() => (resolved = true));
  applied = 1;
  conditions.afterReady();
  await Promise.resolve();
  assert.equal(resolved, false, 'not yet applied');
  applied = 2;
  conditions.afterReady();
  await waiting;
  const seen = checks;
  conditions.afterReady();
  assert.equal(checks, seen, 'a resolved condition is not checked again');
});

test('a condition that never holds is rejected by its deadline and forgotten', async () => {
  const conditions = new ReadyConditions();
  let checks = 0;
  await assert.rejects(
    conditions.waitFor(
      () => (checks++, false),
      20,
      () => new Error('index 5 not applied'),
    ),
    /index 5 not applied/,
  );
  const seen = checks;
  conditions.afterReady();
  assert.equal(checks, seen, 'a timed-out condition is not checked again');
});
