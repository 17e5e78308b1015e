// A minimal byte writer/reader for the snapshot image: unsigned LEB128 varints for
// integers up to 2^53 - 1, length-prefixed UTF-8 strings. The reader throws BinaryError
// on anything malformed; the snapshot codec turns that into SnapshotCorruptError.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class BinaryError extends Error {}

/** Where a length-prefixed payload starts (BinaryWriter.beginLength). */
export interface LengthMark {
  readonly payloadAt: number;
  /** Bytes left before the payload for its length. */
  readonly room: number;
}

export class BinaryWriter {
  private buf: Uint8Array;
  private len = 0;

  /**
   * `capacity`: bytes to allocate up front. A snapshot image is megabytes; sized from its records
   * it is written in one buffer, where doubling from a small one copied it over and over.
   */
  constructor(capacity = 256) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  /** Non-negative safe integer. Division, not bit operations: those stop at 2^32. */
  uint(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new BinaryError(`not a non-negative safe integer: ${v}`);
    this.ensure(MAX_VARINT_BYTES);
    this.len = this.varintAt(this.len, v);
    return this;
  }

  /** Writes `v` (a checked non-negative safe integer) at `at`; returns where it ends. */
  private varintAt(at: number, v: number): number {
    const buf = this.buf;
    while (v >= 0x80) {
      buf[at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[at++] = v;
    return at;
  }

  bytes(b: Uint8Array): this {
    this.uint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /**
   * Starts a payload whose length (a varint, as bytes() writes it) goes before it, written in
   * place instead of built apart and copied in. Room is left for the length of an `expected`-byte
   * payload; endLength() moves the payload when the real length needs less or more.
   */
  beginLength(expected: number): LengthMark {
    const room = varintBytes(expected);
    this.ensure(room);
    this.len += room;
    return { payloadAt: this.len, room };
  }

  /** Writes the length of the payload begun at `mark` (everything written since) before it. */
  endLength(mark: LengthMark): this {
    const n = this.len - mark.payloadAt;
    const prefix = varintBytes(n);
    const at = mark.payloadAt - mark.room;
    if (prefix !== mark.room) {
      this.ensure(Math.max(0, prefix - mark.room));
      this.buf.copyWithin(at + prefix, mark.payloadAt, this.len);
    }
    this.varintAt(at, n);
    this.len = at + prefix + n;
    return this;
  }

  /**
   * Encodes in place (no temporary buffer per string: a snapshot writes hundreds of thousands):
   * room for the worst case (3 bytes per UTF-16 unit) after the longest prefix that could need,
   * then the bytes move down if the real length's prefix is shorter.
   */
  str(s: string): this {
    if (s.length < 0x80 && this.asciiStr(s)) return this;
    const max = s.length * 3;
    const room = varintBytes(max);
    this.ensure(room + max);
    const at = this.len + room;
    const { written } = encoder.encodeInto(s, this.buf.subarray(at, at + max));
    const prefix = varintBytes(written);
    if (prefix !== room) this.buf.copyWithin(this.len + prefix, at, at + written);
    // Into the room reserved above, not through uint(): its ensure() may move the buffer, and a
    // move copies only up to len, which the string's bytes are still past.
    this.len = this.varintAt(this.len, written) + written;
    return this;
  }

  /**
   * The common case, a short ASCII string (keys, values, ids), byte by byte: cheaper than
   * encodeInto's view and result object per string. False, with nothing written, otherwise.
   */
  private asciiStr(s: string): boolean {
    const n = s.length;
    this.ensure(n + 1);
    const buf = this.buf;
    const at = this.len + 1;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return false;
      buf[at + i] = c;
    }
    buf[this.len] = n; // a length below 0x80 is its own one-byte varint
    this.len = at + n;
    return true;
  }

  /** Big-endian, fixed four bytes (for the checksum trailer). */
  u32(v: number): this {
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset).setUint32(this.len, v >>> 0);
    this.len += 4;
    return this;
  }

  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** The bytes written so far, not copied: valid until the next write. */
  written(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /**
   * The bytes written; the writer is done with. Not copied when little of the buffer is unused
   * (an image sized up front), else trimmed to a buffer of their own, so a large capacity is not
   * kept alive by a short result.
   */
  finish(): Uint8Array {
    if (this.buf.length - this.len <= this.len >>> UNUSED_SHIFT) return this.buf.subarray(0, this.len);
    return this.buf.slice(0, this.len);
  }
}

/** finish() keeps the buffer when at most 1/2^UNUSED_SHIFT of what is written is unused behind it. */
const UNUSED_SHIFT = 4;

/** Bytes of the unsigned LEB128 form of the largest safe integer. */
const MAX_VARINT_BYTES = 8;

/** Bytes of the unsigned LEB128 form of `v`. */
export function varintBytes(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

/**
 * Strings up to this many bytes are first scanned for ASCII in JS: such a string is its own
 * latin1 slice, cheaper than a TextDecoder call and a view per string (keys and values are
 * mostly short ASCII). Longer ones go to the decoder, whose native check is faster there.
 */
const ASCII_SCAN_LIMIT = 256;

export class BinaryReader {
  private pos = 0;
  /** The same bytes as a Buffer, for latin1 slices. */
  private readonly asBuffer: Buffer;

  constructor(private readonly buf: Uint8Array) {
    this.asBuffer = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw new BinaryError(`unexpected end at byte ${this.pos}`);
    return this.buf[this.pos++];
  }

  uint(): number {
    // Most varints in an image (versions, lengths, small counts) are one byte.
    const first = this.buf[this.pos];
    if (first < 0x80 && this.pos < this.buf.length) {
      this.pos++;
      return first;
    }
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * scale;
      if (!Number.isSafeInteger(v)) throw new BinaryError(`varint too large at byte ${this.pos}`);
      if ((b & 0x80) === 0) return v;
      scale *= 0x80;
      if (scale > Number.MAX_SAFE_INTEGER) throw new BinaryError(`varint too long at byte ${this.pos}`);
    }
  }

  bytes(): Uint8Array {
    const start = this.lengthPrefixed();
    return this.buf.subarray(start, this.pos);
  }

  /** UTF-8, checked: malformed bytes are a BinaryError. */
  str(): string {
    const start = this.lengthPrefixed();
    const end = this.pos;
    if (end - start <= ASCII_SCAN_LIMIT && isAscii(this.buf, start, end)) return this.asBuffer.toString('latin1', start, end);
    try {
      return decoder.decode(this.buf.subarray(start, end));
    } catch {
      throw new BinaryError(`invalid UTF-8 before byte ${end}`);
    }
  }

  /** Reads a length and steps over that many bytes; returns where they start. */
  private lengthPrefixed(): number {
    const n = this.uint();
    if (n > this.buf.length - this.pos) throw new BinaryError(`length ${n} runs past the end at byte ${this.pos}`);
    const start = this.pos;
    this.pos += n;
    return start;
  }
}

/** Every byte in [start, end) below 0x80 (ASCII reads the same as latin1 and as UTF-8). */
function isAscii(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] >= 0x80) return false;
  return true;
}
