// A hook's output: read line by line from both pipes, logged (stdout as info, stderr as warn)
// up to a bound per run, and its last lines kept for the result.
import type { ChildProcess } from 'node:child_process';
import type { HaLogger } from './hook-types.js';

type Stream = 'stdout' | 'stderr';

export interface OutputLimits {
  /** Lines kept for the result's tail. */
  readonly tailLines: number;
  /** Lines written to the log; the rest are counted, not logged. */
  readonly maxLoggedLines: number;
  /** Longer lines are cut. */
  readonly maxLineChars: number;
}

export class HookOutput {
  private readonly tail: string[] = [];
  private logged = 0;
  private dropped = 0;
  private readonly stdout: LineSplitter;
  private readonly stderr: LineSplitter;

  constructor(
    private readonly log: HaLogger,
    private readonly logFields: object,
    private readonly limits: OutputLimits,
  ) {
    const onLine = (stream: Stream, text: string): void => this.onLine(stream, text);
    this.stdout = lineSplitter('stdout', onLine, limits.maxLineChars);
    this.stderr = lineSplitter('stderr', onLine, limits.maxLineChars);
  }

  /** Reads the child's pipes from now on. */
  capture(child: ChildProcess): void {
    child.stdout?.setEncoding('utf8').on('data', (s: string) => this.stdout.push(s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => this.stderr.push(s));
  }

  /** The end of the run: unfinished last lines count, the pipes close. Returns the tail. */
  close(child: ChildProcess): string[] {
    this.stdout.flush();
    this.stderr.flush();
    // Whatever still holds the pipes (a daemon the hook left behind) must not keep us alive.
    child.stdout?.destroy();
    child.stderr?.destroy();
    if (this.dropped > 0) this.log.warn({ ...this.logFields, dropped: this.dropped }, `hook output: ${this.dropped} more lines not logged`);
    return [...this.tail];
  }

  private onLine(stream: Stream, text: string): void {
    this.tail.push(`${stream}: ${text}`);
    if (this.tail.length > this.limits.tailLines) this.tail.shift();
    if (this.logged < this.limits.maxLoggedLines) {
      this.logged++;
      if (stream === 'stdout') this.log.info({ ...this.logFields, stream }, text);
      else this.log.warn({ ...this.logFields, stream }, text);
    } else {
      this.dropped++;
    }
  }
}

interface LineSplitter {
  push(chunk: string): void;
  flush(): void;
}

function lineSplitter(stream: Stream, onLine: (s: Stream, text: string) => void, maxChars: number): LineSplitter {
  let partial = '';
  const emit = (line: string): void => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    onLine(stream, text.length > maxChars ? `${text.slice(0, maxChars)}…` : text);
  };
  return {
    push(chunk) {
      partial += chunk;
      let nl = partial.indexOf('\n');
      while (nl !== -1) {
        emit(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
        nl = partial.indexOf('\n');
      }
      // Bounded memory even for output that never ends a line.
      if (partial.length > maxChars) {
        emit(partial);
        partial = '';
      }
    },
    flush() {
      if (partial !== '') emit(partial);
      partial = '';
    },
  };
}
