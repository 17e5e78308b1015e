// String helpers that keep keys and values byte-exact across the wire, the snapshot and
// every replica: sizes counted in UTF-8 bytes, lone surrogates refused (UTF-8 cannot carry
// them, so they would silently become U+FFFD), and keys ordered as their UTF-8 bytes.

/** With the `u` flag a valid surrogate pair is one code point, so only lone halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** UTF-8 length of a well-formed string, without allocating its encoding. */
export function utf8ByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4; // a pair: four bytes for both halves
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Order by code point, which is the order of the UTF-8 bytes (what etcd and a Go client
 * see). Plain `<` compares UTF-16 units and puts U+10000 before U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++; // same pair in both strings: skip its low half
  }
  return a.length - b.length;
}
