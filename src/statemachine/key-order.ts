// The order of keys and member ids in the state machine: the order of their UTF-8 bytes, as
// etcd and a Go client see it, so that every replica and every client lists them alike.

/**
 * Order by code point, which is the order of the UTF-8 bytes. Plain `<` compares UTF-16 units
 * and puts U+10000 before U+FFFF. UTF-16 units give the code point order wherever the first
 * differing units are not both U+D800 or above, so that common case is a loop over char codes
 * (snapshots sort every key with this); the rest goes to the code point comparison.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x < 0xd800 || y < 0xd800 ? x - y : compareCodePoints(a, b);
  }
  return a.length - b.length;
}

/** The code point order itself, also for lone surrogates (each counts as its own value). */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++; // same pair in both strings: skip its low half
  }
  return a.length - b.length;
}
