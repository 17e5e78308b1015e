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
  /** Larger announced snapshots are refused before any memory is reserved for them. */
  readonly maxSnapshotBytes: number;
}

/**
 * Receives one snapshot's chunks in order and yields the core's InstallSnapshot message.
 * Every problem throws a transport error (the server maps it to a gRPC status).
 */
export class SnapshotAssembler {
  private header: DecodedSnapshotHeader | undefined;
  private from: NodeId = '';
  private buf: Uint8Array = new Uint8Array(0);
  private received = 0;
  private chunks = 0;

  constructor(private readonly opts: AssemblerOptions) {}

  push(wire: SnapshotChunk__Output): void {
    const path = `chunk[${this.chunks}]`;
    this.chunks++;
    // Same envelope as a batch: cluster id on every chunk, from/to consistent.
    const env = decodeEnvelope(wire);
    if (env.clusterId !== this.opts.clusterId) {
      throw new ClusterMismatchError(env.from, env.clusterId, this.opts.nodeId, this.opts.clusterId);
    }
    if (env.to !== this.opts.nodeId) throw new MisaddressedError(env.from, env.to, this.opts.nodeId);
    if (this.header === undefined) {
      if (wire.part !== 'header') throw new MalformedMessageError(path, 'the first chunk of a snapshot must be its header');
      const header = decodeSnapshotHeader(wire.header, `${path}.header`);
      if (header.size > this.opts.maxSnapshotBytes) {
        throw new MalformedMessageError(`${path}.header.size`, `snapshot of ${header.size} bytes exceeds the limit of ${this.opts.maxSnapshotBytes}`);
      }
      this.header = header;
      this.from = env.from;
      this.buf = new Uint8Array(header.size);
      return;
    }
    if (env.from !== this.from) throw new MalformedMessageError(`${path}.from`, `snapshot started by "${this.from}" continued by "${env.from}"`);
    if (wire.part !== 'data') throw new MalformedMessageError(path, `expected a data chunk, got ${wire.part === undefined ? 'nothing' : wire.part}`);
    const data = wire.data;
    if (!(data instanceof Uint8Array)) throw new MalformedMessageError(`${path}.data`, 'expected bytes');
    if (this.received + data.length > this.buf.length) {
      throw new MalformedMessageError(`${path}.data`, `more data than the ${this.buf.length} bytes the header announced`);
    }
    this.buf.set(data, this.received);
    this.received += data.length;
  }

  /** The whole snapshot as a core message; throws if the stream ended early. */
  finish(): InstallSnapshot {
    const h = this.header;
    if (h === undefined) throw new MalformedMessageError('', 'snapshot stream ended before its header');
    if (this.received !== h.size) {
      throw new MalformedMessageError('', `snapshot truncated: received ${this.received} of ${h.size} bytes`);
    }
    return {
      type: 'installSnapshot',
      from: this.from,
      to: this.opts.nodeId,
      term: h.term,
      snapshot: { metadata: h.metadata, data: this.buf },
    };
  }
}
