// The run's readable event trace. Keeping every line of a long run costs memory, so the
// trace keeps the last `keep` lines plus a running FNV-1a hash of all of them: two runs
// with the same seed must produce the same hash (the determinism test checks it).

export class Trace {
  private readonly lines: string[] = [];
  private start = 0;
  private hashValue = 0x811c9dc5;
  private count = 0;

  constructor(private readonly keep = 200) {}

  add(time: number, line: string): void {
    const text = `${time.toFixed(2).padStart(9)} ${line}`;
    for (let i = 0; i < text.length; i++) {
      this.hashValue ^= text.charCodeAt(i);
      this.hashValue = Math.imul(this.hashValue, 0x01000193) >>> 0;
    }
    this.count++;
    if (this.lines.length < this.keep) {
      this.lines.push(text);
    } else {
      this.lines[this.start] = text;
      this.start = (this.start + 1) % this.keep;
    }
  }

  get length(): number {
    return this.count;
  }

  get hash(): string {
    return this.hashValue.toString(16).padStart(8, '0');
  }

  /** The last n lines, oldest first. */
  tail(n = this.keep): string[] {
    const ordered = [...this.lines.slice(this.start), ...this.lines.slice(0, this.start)];
    return ordered.slice(Math.max(0, ordered.length - n));
  }
}
