// The receiving end of InstallSnapshot under a hostile or broken sender (issue 14, "Limits"):
// a header reserves nothing, data goes to a private file as it arrives, one snapshot per sender
// and a few in all, and the receiver's own deadline frees a slot that a silent caller holds.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { SnapshotChunk } from '../../src/transport/generated/palisade/v1/SnapshotChunk.js';
import { loadRaftProto } from '../../src/transport/raft-proto.js';
import { eventually, testNode, type TestNode } from './helpers.js';

const service = loadRaftProto().palisade.v1.RaftPeer.service;
const chunkBytes = (c: SnapshotChunk): Buffer => service.InstallSnapshot.requestSerialize(c);
const env = (from: string) => ({ clusterId: 'alpha', from, to: 'n1' });
const header = (from: string, size: number): Buffer =>
  chunkBytes({
    ...env(from),
    header: { term: 1, size, metadata: { index: 5, term: 1, confState: { voters: ['n1', 'n2'], learners: [] } } },
  });
const data = (from: string, bytes: number): Buffer => chunkBytes({ ...env(from), data: Buffer.alloc(bytes, 7) });

/** An InstallSnapshot call the test writes by hand and ends (or not) when it likes. No deadline. */
function openCall(address: string): {
  write(b: Buffer): void;
  end(): void;
  cancel(): void;
  result: Promise<{ code: number; details: string }>;
} {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  let call!: grpc.ClientWritableStream<Buffer>;
  const result = new Promise<{ code: number; details: string }>((resolve) => {
    call = client.makeClientStreamRequest<Buffer, Buffer>(
      '/palisade.v1.RaftPeer/InstallSnapshot',
      (b) => b,
      (b) => b,
      {},
      (err) => {
        client.close();
        resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, details: '' });
      },
    );
  });
  call.on('error', () => {});
  return { write: (b) => call.write(b), end: () => call.end(), cancel: () => call.cancel(), result };
}

const nodes: TestNode[] = [];
const dirs: string[] = [];
after(async () => {
  for (const n of nodes) await n.transport.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function receiver(
  limits: { maxSnapshotBytes?: number; snapshotTimeoutMs?: number; maxIncomingSnapshots?: number } = {},
): Promise<{ node: TestNode; spool: string }> {
  const spool = join(mkdtempSync(join(tmpdir(), 'pal-spool-')), 'incoming');
  dirs.push(spool);
  const node = testNode({ nodeId: 'n1', snapshotDir: spool, limits });
  nodes.push(node);
  await node.transport.start();
  return { node, spool };
}

const spoolFiles = (spool: string): string[] => readdirSync(spool);

describe('SnapshotReceiver', () => {
  test('a header announcing the maximum reserves no memory; data goes to a 0600 file as it arrives', async () => {
    const max = 400 << 20;
    const { node, spool } = await receiver({ maxSnapshotBytes: max });
    const before = process.memoryUsage().arrayBuffers;
    const call = openCall(node.transport.address);
    call.write(header('n2', max));
    call.write(data('n2', 100_000));
    await eventually(
      () => spoolFiles(spool).length === 1 && statSync(join(spool, spoolFiles(spool)[0])).size === 100_000,
      'the data is on disk',
    );
    const file = join(spool, spoolFiles(spool)[0]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 32 << 20, `a ${max}-byte header made the receiver hold ${grown} bytes`);
    call.cancel();
    await eventually(() => spoolFiles(spool).length === 0, 'a cancelled transfer leaves no file');
  });

  test('a header above the maximum is refused before anything is kept', async () => {
    const { node, spool } = await receiver({ maxSnapshotBytes: 1 << 20 });
    const call = openCall(node.transport.address);
    call.write(header('n2', 1 << 30));
    const r = await call.result;
    assert.equal(r.code, grpc.status.INVALID_ARGUMENT);
    assert.match(r.details, /snapshot of 1073741824 bytes exceeds the limit of 1048576/);
    assert.deepEqual(spoolFiles(spool), []);
  });

  test('one incoming snapshot per sender, a few in all: the rest get RESOURCE_EXHAUSTED', async () => {
    const { node } = await receiver({ maxIncomingSnapshots: 2 });
    const first = openCall(node.transport.address);
    first.write(header('n2', 1000));
    const other = openCall(node.transport.address);
    other.write(header('n3', 1000));
    await eventually(() => node.transport.incomingSnapshots === 2, 'two transfers in progress');

    const again = openCall(node.transport.address);
    again.write(header('n2', 1000));
    const r1 = await again.result;
    assert.equal(r1.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(r1.details, /a snapshot from "n2" is already being received/);

    const third = openCall(node.transport.address);
    third.write(header('n4', 1000));
    const r2 = await third.result;
    assert.equal(r2.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(r2.details, /2 snapshots are already being received \(at most 2\)/);

    // A finished transfer frees its slot.
    first.write(data('n2', 1000));
    first.end();
    assert.equal((await first.result).code, grpc.status.OK);
    assert.ok(node.received.some((m) => m.type === 'installSnapshot' && m.from === 'n2'));
    other.cancel();
    await eventually(() => node.transport.incomingSnapshots === 0, 'both slots free');
  });

  test("a caller that sets no deadline and goes silent is cut off by the receiver's own deadline", async () => {
    const { node, spool } = await receiver({ snapshotTimeoutMs: 300 });
    const silent = openCall(node.transport.address);
    silent.write(header('n2', 5000));
    silent.write(data('n2', 10));
    const r = await silent.result;
    assert.equal(r.code, grpc.status.DEADLINE_EXCEEDED);
    assert.match(r.details, /snapshot not received within 300 ms/);
    await eventually(() => spoolFiles(spool).length === 0 && node.transport.incomingSnapshots === 0, 'file and slot released');
    // The sender may try again.
    const retry = openCall(node.transport.address);
    retry.write(header('n2', 10));
    retry.write(data('n2', 10));
    retry.end();
    assert.equal((await retry.result).code, grpc.status.OK);
  });

  test('a truncated snapshot is refused and its file deleted', async () => {
    const { node, spool } = await receiver();
    const call = openCall(node.transport.address);
    call.write(header('n2', 5000));
    call.write(data('n2', 1000));
    call.end();
    const r = await call.result;
    assert.equal(r.code, grpc.status.INVALID_ARGUMENT);
    assert.match(r.details, /truncated: received 1000 of 5000/);
    await eventually(() => spoolFiles(spool).length === 0, 'no file left');
  });

  test('leftovers of a crashed run are deleted at start', async () => {
    const spool = join(mkdtempSync(join(tmpdir(), 'pal-spool-')), 'incoming');
    dirs.push(spool);
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(spool, { recursive: true });
    writeFileSync(join(spool, 'n2-abc.snapshot-part'), 'half a snapshot');
    const node = testNode({ nodeId: 'n1', snapshotDir: spool });
    nodes.push(node);
    await node.transport.start();
    assert.deepEqual(spoolFiles(spool), []);
    assert.equal(statSync(spool).mode & 0o777, 0o700);
  });
});
