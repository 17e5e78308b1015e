// CRC-32C (Castagnoli), the checksum LevelDB and etcd's WAL put on their records. Ours covers
// each stored value end to end, so a flipped bit anywhere between our encoder and our decoder
// (LevelDB does not verify its own block checksums on reads by default) is caught.

const POLY = 0x82f63b78; // reversed Castagnoli polynomial

/**
 * Eight 256-entry tables for "slicing-by-8": TABLES[k·256 + n] is the CRC of byte n followed
 * by k zero bytes, so eight input bytes fold in with eight independent lookups instead of eight
 * dependent steps. Every snapshot image (megabytes) is checksummed on the event loop, so this
 * is a few times faster than one byte at a time (docs/benchmarks.md, "Fewer microseconds per
 * message"). Int32 entries keep every value a small integer for V8.
 */
const TABLES: Int32Array = (() => {
  const t = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n];
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff];
    }
  }
  return t;
})();

/** Below this many bytes a DataView costs more than the eight-byte steps save. */
const SLICING_MIN_BYTES = 64;

/**
 * CRC-32C of bytes[start, end). `previous` continues a checksum over earlier bytes (the CRC of
 * those bytes), so a large input can be checksummed in pieces between other work.
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, previous = 0): number {
  const t = TABLES;
  let c = ~previous;
  let i = start;
  if (end - i >= SLICING_MIN_BYTES) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (; end - i >= 8; i += 8) {
      const lo = c ^ view.getInt32(i, true);
      const hi = view.getInt32(i + 4, true);
      c =
        t[1792 + (lo & 0xff)] ^
        t[1536 + ((lo >>> 8) & 0xff)] ^
        t[1280 + ((lo >>> 16) & 0xff)] ^
        t[1024 + (lo >>> 24)] ^
        t[768 + (hi & 0xff)] ^
        t[512 + ((hi >>> 8) & 0xff)] ^
        t[256 + ((hi >>> 16) & 0xff)] ^
        t[hi >>> 24];
    }
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
