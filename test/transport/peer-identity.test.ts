// The peer port's identity rule (src/transport/peer-identity.ts) on its own: what a verified
// certificate must say before its batches reach the core. The transport tests run the same rule
// end to end with real certificates.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkPeerIdentity } from '../../src/transport/peer-identity.js';
import { PeerDeniedError, PeerUnauthenticatedError } from '../../src/transport/errors.js';

const members = { isMember: (id: string) => ['n1', 'n2', 'n3'].includes(id) };

describe('peer identity rule', () => {
  test("a member's node certificate may speak as that member, and only as it", () => {
    checkPeerIdentity({ name: 'n2', roles: ['node'] }, 'n2', 'n1', members);
    assert.throws(() => checkPeerIdentity({ name: 'n2', roles: ['node'] }, 'n3', 'n1', members), PeerDeniedError);
  });

  test('no certificate, a user certificate, a certificate read two ways, or a non-member: refused', () => {
    assert.throws(() => checkPeerIdentity(undefined, 'n2', 'n1', members), PeerUnauthenticatedError);
    assert.throws(() => checkPeerIdentity({ name: 'n2', roles: ['admin'] }, 'n2', 'n1', members), PeerDeniedError);
    assert.throws(() => checkPeerIdentity({ name: 'n2', roles: ['admin', 'node'] }, 'n2', 'n1', members), /needs exactly "node"/);
    assert.throws(() => checkPeerIdentity({ name: 'n9', roles: ['node'] }, 'n9', 'n1', members), /not a member/);
  });
});
