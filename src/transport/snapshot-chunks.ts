// A snapshot on the wire: one header chunk, then the data in chunks small enough to stay far
// below gRPC's message size limit and to let HTTP/2 flow control pace the transfer.
import type { InstallSnapshot } from '../raft/messages.js';
import type { NodeId } from '../raft/types.js';
import { decodeEnvelope, decodeSnapshotHeader, encodeSnapshotHeader, type DecodedSnapshotHeader } from './codec.js';
import { ClusterMismatchError, MalformedMessageError, MisaddressedError } from './errors.js';
import type { SnapshotChunk, SnapshotChunk__Output } from './generated/palisade/v1/SnapshotChunk.js';

/** The chunks for `m`, header first. Data chunks are views into the snapshot (no copies). */
export function* snapshotChunks(clusterId: string, m: InstallSnapshot, chunkBytes: number): Generator<SnapshotChunk> {
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) throw new RangeError(`chunkBytes = ${chunkBytes}`);
  const env = { clusterId, from: m.from, to: m.to };
  yield { ...env, header: encodeSnapshotHeader(m) };
  const data = m.snapshot.data;
  for (let off = 0; off < data.length; off += chunkBytes) {
    yield { ...env, data: data.subarray(off, Math.min(off + chunkBytes, data.length)) };
  }
}

export interface AssemblerOptions {
  readonly clusterId: string;
  readonly nodeId: NodeId;
  /** Larger announced snapshots are refused before anything is kept for them. */
  readonly maxSnapshotBytes: number;
}

/** What one checked chunk is: the header (with its sender) or data to keep, in order. */
export type CheckedChunk =
  | { readonly part: 'header'; readonly header: DecodedSnapshotHeader; readonly from: NodeId }
  | { readonly part: 'data'; readonly data: Uint8Array };

/**
 * Checks one snapshot's chunks in order — envelope, header first and within the limit, one
 * sender, never more data than announced — and keeps nothing: the caller decides where the
 * data goes (snapshot-receiver.ts streams it to disk). Every problem throws a transport error.
 */
export class SnapshotChunkChecker {
  private headerValue: DecodedSnapshotHeader | undefined;
  private from: NodeId = '';
  private received = 0;
  private chunks = 0;

  constructor(private readonly opts: AssemblerOptions) {}

  get header(): DecodedSnapshotHeader | undefined {
    return this.headerValue;
  }

  check(wire: SnapshotChunk__Output): CheckedChunk {
    const path = `chunk[${this.chunks}]`;
    this.chunks++;
    // Same envelope as a batch: cluster id on every chunk, from/to consistent.
    const env = decodeEnvelope(wire);
    if (env.clusterId !== this.opts.clusterId) {
      throw new ClusterMismatchError(env.from, env.clusterId, this.opts.nodeId, this.opts.clusterId);
    }
    if (env.to !== this.opts.nodeId) throw new MisaddressedError(env.from, env.to, this.opts.nodeId);
    if (this.headerValue === undefined) {
      if (wire.part !== 'header') throw new MalformedMessageError(path, 'the first chunk of a snapshot must be its header');
      const header = decodeSnapshotHeader(wire.header, `${path}.header`);
      if (header.size > this.opts.maxSnapshotBytes) {
        throw new MalformedMessageError(
          `${path}.header.size`,
          `snapshot of ${header.size} bytes exceeds the limit of ${this.opts.maxSnapshotBytes}`,
        );
      }
      this.headerValue = header;
      this.from = env.from;
      return { part: 'header', header, from: env.from };
    }
    if (env.from !== this.from)
      throw new MalformedMessageError(`${path}.from`, `snapshot started by "${this.from}" continued by "${env.from}"`);
    if (wire.part !== 'data')
      throw new MalformedMessageError(path, `expected a data chunk, got ${wire.part === undefined ? 'nothing' : wire.part}`);
    const data = wire.data;
    if (!(data instanceof Uint8Array)) throw new MalformedMessageError(`${path}.data`, 'expected bytes');
    if (this.received + data.length > this.headerValue.size) {
      throw new MalformedMessageError(`${path}.data`, `more data than the ${this.headerValue.size} bytes the header announced`);
    }
    this.received += data.length;
    return { part: 'data', data };
  }

  /** The header and sender once exactly the announced bytes arrived; throws if the stream ended early. */
  end(): { readonly header: DecodedSnapshotHeader; readonly from: NodeId } {
    const h = this.headerValue;
    if (h === undefined) throw new MalformedMessageError('', 'snapshot stream ended before its header');
    if (this.received !== h.size) {
      throw new MalformedMessageError('', `snapshot truncated: received ${this.received} of ${h.size} bytes`);
    }
    return { header: h, from: this.from };
  }
}

/** The core's InstallSnapshot message for a complete snapshot. */
export function installSnapshotMessage(nodeId: NodeId, from: NodeId, header: DecodedSnapshotHeader, data: Uint8Array): InstallSnapshot {
  return { type: 'installSnapshot', from, to: nodeId, term: header.term, snapshot: { metadata: header.metadata, data } };
}

/**
 * Receives one snapshot's chunks in memory and yields the core's InstallSnapshot message (tests
 * and tools; a node spools to disk instead). Memory grows with the data that actually
 * arrived, never with what a header claims.
 */
export class SnapshotAssembler {
  private readonly checker: SnapshotChunkChecker;
  private readonly parts: Uint8Array[] = [];

  constructor(private readonly opts: AssemblerOptions) {
    this.checker = new SnapshotChunkChecker(opts);
  }

  push(wire: SnapshotChunk__Output): void {
    const c = this.checker.check(wire);
    if (c.part === 'data') this.parts.push(c.data);
  }

  /** The whole snapshot as a core message; throws if the stream ended early. */
  finish(): InstallSnapshot {
    const { header, from } = this.checker.end();
    return installSnapshotMessage(this.opts.nodeId, from, header, new Uint8Array(Buffer.concat(this.parts)));
  }
}
