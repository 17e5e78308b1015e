// The order of keys and member ids in the state machine: the order of their UTF-8 bytes, as
// etcd and a Go client see it, so that every replica and every client lists them alike.

/**
 * Order by code point, which is the order of the UTF-8 bytes. Plain `<` compares UTF-16 units
 * and puts U+10000 before U+FFFF.
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
