// The rule that lets a promotion skip the VIP's duplicate-address probe (ha/previous-holder.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fenceKey, previousHoldersDown } from '../../src/ha/previous-holder.js';

const n2 = { holder: 'n2', epoch: 5, term: 1 };
const n3 = { holder: 'n3', epoch: 7, term: 2 };

test('no other holder listed (each confirmed its demotion or was fenced in the log): down', () => {
  assert.equal(previousHoldersDown([], new Set(), 9), true);
});

test('a listed holder nobody fenced (lease mode, or before the fence hook ran): not known down', () => {
  assert.equal(previousHoldersDown([n2], new Set(), 9), false);
});

test('fenced for THIS promotion counts; a fence for another promotion, or of another node, does not', () => {
  assert.equal(previousHoldersDown([n2], new Set([fenceKey('n2', 9)]), 9), true);
  assert.equal(previousHoldersDown([n2], new Set([fenceKey('n2', 8)]), 9), false);
  assert.equal(previousHoldersDown([n2, n3], new Set([fenceKey('n2', 9)]), 9), false);
  assert.equal(previousHoldersDown([n2, n3], new Set([fenceKey('n2', 9), fenceKey('n3', 9)]), 9), true);
});
