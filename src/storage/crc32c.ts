// CRC-32C (Castagnoli), the checksum LevelDB and etcd's WAL put on their records. Ours covers
// each stored value end to end, so a flipped bit anywhere between our encoder and our decoder
// (LevelDB does not verify its own block checksums on reads by default) is caught.

const POLY = 0x82f63b78; // reversed Castagnoli polynomial

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32C of bytes[start, end). */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
