// CRC-32 (IEEE 802.3, the zlib/PNG polynomial): catches torn or bit-flipped snapshot images.
// zlib's native crc32 (Node 20.15+) is much faster than the table below, which remains for
// older Node 20 releases; both give the same value (test/statemachine/crc32.test.ts).
import * as zlib from 'node:zlib';

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32Table(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export const crc32: (data: Uint8Array) => number = native === undefined ? crc32Table : (data) => native(data) >>> 0;
