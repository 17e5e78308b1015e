// The wire codec: every core message survives a real protobuf round trip, and every malformed
// wire value is rejected with an error naming the field (it never reaches the core).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { InstallSnapshot, Message } from '../../src/raft/messages.js';
import { decodeBatch, decodeMessage, encodeBatch, numberToU64, u64ToNumber } from '../../src/transport/codec.js';
import { MalformedMessageError } from '../../src/transport/errors.js';
import type { PeerBatch, PeerBatch__Output } from '../../src/transport/generated/palisade/v1/PeerBatch.js';
import type { SnapshotChunk__Output } from '../../src/transport/generated/palisade/v1/SnapshotChunk.js';
import { loadRaftProto } from '../../src/transport/raft-proto.js';
import { SnapshotAssembler, snapshotChunks } from '../../src/transport/snapshot-chunks.js';
import { streamMessage } from './helpers.js';

const service = loadRaftProto().palisade.v1.RaftPeer.service;
/** What the server's handler sees for `wire`: serialized and parsed by proto-loader. */
const overTheWire = (wire: PeerBatch): PeerBatch__Output => service.Stream.requestDeserialize(service.Stream.requestSerialize(wire));

function rejects(wire: PeerBatch, path: string, problem: RegExp): void {
  assert.throws(
    () => decodeBatch(overTheWire(wire)),
    (err: unknown) => {
      assert.ok(err instanceof MalformedMessageError, `expected MalformedMessageError, got ${String(err)}`);
      assert.equal(err.path, path);
      assert.match(err.problem, problem);
      return true;
    },
  );
}

const env = { clusterId: 'alpha', from: 'n1', to: 'n2' };

describe('codec round trip', () => {
  test('every stream message type survives encode → protobuf bytes → decode unchanged', () => {
    fc.assert(
      fc.property(fc.array(streamMessage, { maxLength: 8 }), (messages) => {
        const out = decodeBatch(overTheWire(encodeBatch('alpha', 'n1', 'n2', messages as Exclude<Message, InstallSnapshot>[])));
        assert.deepEqual(out, { clusterId: 'alpha', from: 'n1', to: 'n2', messages });
      }),
      { numRuns: 300 },
    );
  });

  test('uint64 conversion is exact up to 2^53-1 and refuses anything above', () => {
    fc.assert(fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (n) => u64ToNumber(numberToU64(n, 'n'), 'n') === n));
    assert.equal(u64ToNumber('9007199254740991', 'x'), Number.MAX_SAFE_INTEGER);
    for (const big of ['9007199254740992', '18446744073709551615']) {
      assert.throws(() => u64ToNumber(big, 'x'), /exceeds 2\^53-1/);
    }
    for (const bad of ['', '-1', '01', '1e3', ' 1', 'abc', null, undefined, 1.5, -1, {}]) {
      assert.throws(() => u64ToNumber(bad, 'x'), MalformedMessageError, `accepted ${String(bad)}`);
    }
    assert.throws(() => numberToU64(2 ** 53, 'n'), RangeError);
    assert.throws(() => numberToU64(-1, 'n'), RangeError);
  });

  test('the core never holds a view into the received buffer (entry data is copied)', () => {
    const m: Message = {
      ...env,
      type: 'propose',
      term: 1,
      entries: [{ term: 1, index: 1, type: 'normal', data: new Uint8Array([1, 2, 3]) }],
    };
    const wire = overTheWire(encodeBatch('alpha', 'n1', 'n2', [m]));
    const out = decodeBatch(wire).messages[0];
    assert.ok(out?.type === 'propose');
    const data = out.entries[0]?.data;
    assert.ok(data !== undefined);
    assert.equal(data.byteOffset, 0);
    assert.equal(data.buffer.byteLength, 3);
  });
});

describe('codec rejects malformed wire objects', () => {
  test('a term above 2^53 (uint64 max) is refused, not rounded', () => {
    rejects(
      { ...env, messages: [{ term: '18446744073709551615', heartbeat: { commit: '1', round: '1' } }] },
      'messages[0].term',
      /exceeds 2\^53-1/,
    );
  });

  test('a message with no body (missing, or a type from a newer peer) is refused', () => {
    rejects({ ...env, messages: [{ term: '1' }] }, 'messages[0]', /no message body/);
  });

  test('entry type missing (UNSPECIFIED) or unknown (a number protobufjs does not know) is refused', () => {
    const ae = (type: unknown) => ({
      ...env,
      messages: [
        {
          term: '2',
          appendEntries: {
            prevIndex: '0',
            prevTerm: '0',
            commit: '0',
            entries: [{ term: '1', index: '1', type: type as 'ENTRY_TYPE_NORMAL', data: Buffer.from('x') }],
          },
        },
      ],
    });
    rejects(ae('ENTRY_TYPE_UNSPECIFIED'), 'messages[0].appendEntries.entries[0].type', /missing/);
    rejects(ae(7), 'messages[0].appendEntries.entries[0].type', /unknown entry type number 7/);
  });

  test('§5.3: appended entries must follow prevIndex without gaps and with non-decreasing terms ≤ the leader term', () => {
    const ae = (entries: { term: string; index: string }[], term = '3') => ({
      ...env,
      messages: [
        {
          term,
          appendEntries: {
            prevIndex: '4',
            prevTerm: '2',
            commit: '0',
            entries: entries.map((e) => ({ ...e, type: 'ENTRY_TYPE_NORMAL' as const })),
          },
        },
      ],
    });
    rejects(ae([{ term: '2', index: '6' }]), 'messages[0].appendEntries.entries[0].index', /expected 5/);
    rejects(ae([{ term: '1', index: '5' }]), 'messages[0].appendEntries.entries[0].term', /lower than the preceding 2/);
    rejects(
      ae([
        { term: '3', index: '5' },
        { term: '2', index: '6' },
      ]),
      'messages[0].appendEntries.entries[1].term',
      /lower/,
    );
    rejects(ae([{ term: '4', index: '5' }]), 'messages[0].appendEntries.entries[0].term', /exceeds the message term 3/);
    assert.doesNotThrow(() =>
      decodeBatch(
        overTheWire(
          ae([
            { term: '2', index: '5' },
            { term: '3', index: '6' },
          ]),
        ),
      ),
    );
  });

  test('empty or absurd node ids are refused', () => {
    rejects({ ...env, from: '', messages: [] }, 'from', /empty/);
    rejects({ ...env, to: 'x'.repeat(300), messages: [] }, 'to', /longer than/);
    rejects({ ...env, messages: [{ term: '1', transferLeader: { target: '' } }] }, 'messages[0].transferLeader.target', /empty/);
  });

  test('hand-built objects with wrong JavaScript types are refused with the field path', () => {
    const wire = {
      ...env,
      messages: [{ term: '1', body: 'heartbeat', heartbeat: { commit: 5, round: 'x' } }],
    } as unknown as PeerBatch__Output;
    assert.throws(() => decodeBatch(wire), /messages\[0\]\.heartbeat\.round: expected an unsigned decimal integer, got "x"/);
    const noMsg = { ...env, messages: [{ term: '1', body: 'heartbeat', heartbeat: null }] } as unknown as PeerBatch__Output;
    assert.throws(() => decodeBatch(noMsg), /messages\[0\]\.heartbeat: missing/);
    const unknownBody = { ...env, messages: [{ term: '1', body: 'launchMissiles' }] } as unknown as PeerBatch__Output;
    assert.throws(() => decodeBatch(unknownBody), /unknown message body "launchMissiles"/);
    const notBool = {
      ...env,
      messages: [{ term: '1', body: 'requestVoteResponse', requestVoteResponse: { preVote: 'yes', reject: false } }],
    };
    assert.throws(() => decodeBatch(notBool as unknown as PeerBatch__Output), /preVote: expected a boolean/);
    assert.throws(() => decodeBatch({ ...env, messages: 'all of them' } as unknown as PeerBatch__Output), /messages: expected a list/);
    assert.throws(() => decodeMessage(null as never, 'n1', 'n2', 'm'), /m: missing/);
  });
});

describe('snapshot chunks', () => {
  const snap = (size: number): InstallSnapshot => ({
    type: 'installSnapshot',
    from: 'n1',
    to: 'n2',
    term: 4,
    snapshot: {
      metadata: { index: 10, term: 3, confState: { voters: ['n1', 'n2', 'n3'], learners: ['n4'] } },
      data: Uint8Array.from({ length: size }, (_, i) => (i * 7) % 256),
    },
  });
  const chunkSvc = service.InstallSnapshot;
  const wireChunks = (m: InstallSnapshot, chunkBytes: number): SnapshotChunk__Output[] =>
    [...snapshotChunks('alpha', m, chunkBytes)].map((c) => chunkSvc.requestDeserialize(chunkSvc.requestSerialize(c)));
  const assembler = (maxSnapshotBytes = 1 << 20) => new SnapshotAssembler({ clusterId: 'alpha', nodeId: 'n2', maxSnapshotBytes });

  test('§7: chunks reassemble into the identical snapshot, whatever the chunk size', () => {
    fc.assert(
      fc.property(fc.nat({ max: 3000 }), fc.integer({ min: 1, max: 700 }), (size, chunkBytes) => {
        const m = snap(size);
        const chunks = wireChunks(m, chunkBytes);
        assert.equal(chunks.length, 1 + Math.ceil(size / chunkBytes));
        const a = assembler();
        for (const c of chunks) a.push(c);
        assert.deepEqual(a.finish(), m);
      }),
      { numRuns: 100 },
    );
  });

  test('a truncated, overlong, oversized or headerless snapshot is refused', () => {
    const chunks = wireChunks(snap(1000), 300);
    const a = assembler();
    for (const c of chunks.slice(0, -1)) a.push(c);
    assert.throws(() => a.finish(), /truncated: received 900 of 1000/);

    const b = assembler();
    for (const c of chunks) b.push(c);
    assert.throws(() => b.push(chunks[1]), /more data than the 1000 bytes/);

    assert.throws(() => assembler(999).push(chunks[0]), /exceeds the limit of 999/);
    assert.throws(() => assembler().push(chunks[1]), /first chunk of a snapshot must be its header/);
    assert.throws(() => assembler().finish(), /ended before its header/);
  });

  test('a header without metadata, with index 0 or with a node both voter and learner is refused', () => {
    const header = (h: object) =>
      chunkSvc.requestDeserialize(chunkSvc.requestSerialize({ clusterId: 'alpha', from: 'n1', to: 'n2', header: h }));
    assert.throws(() => assembler().push(header({ term: '1', size: '0' })), /chunk\[0\]\.header\.metadata: missing/);
    assert.throws(
      () => assembler().push(header({ term: '1', size: '0', metadata: { index: '0', term: '1', confState: { voters: ['n1'] } } })),
      /at least index 1/,
    );
    assert.throws(
      () =>
        assembler().push(
          header({ term: '1', size: '0', metadata: { index: '5', term: '1', confState: { voters: ['n1'], learners: ['n1'] } } }),
        ),
      /both voter and learner/,
    );
  });

  test('every chunk carries the cluster id: a foreign chunk is refused naming both clusters', () => {
    const chunks = wireChunks(snap(10), 4);
    const a = assembler();
    a.push(chunks[0]);
    assert.throws(() => a.push({ ...chunks[1], clusterId: 'beta' }), /cluster "beta" but node "n2" belongs to cluster "alpha"/);
  });
});
