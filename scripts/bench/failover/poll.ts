// Bounded polling of several targets at once: one loop per target, each waiting `everyMs`
// after its previous probe answered (never more than one probe in flight per target, so a slow
// member is not flooded), the first probe that satisfies the check wins and stops every loop.
import { nowNs } from './stamp-hook.js';

export interface PollHit<T> {
  /** CLOCK_MONOTONIC ns when the satisfying answer arrived. */
  readonly atNs: bigint;
  readonly target: string;
  readonly value: T;
}

export async function pollFirst<T>(
  targets: readonly string[],
  probe: (target: string, signal: AbortSignal) => Promise<T | undefined>,
  opts: { everyMs: number; timeoutMs: number; what: string },
): Promise<PollHit<T>> {
  const stop = new AbortController();
  const deadline = performance.now() + opts.timeoutMs;
  const loop = async (target: string): Promise<PollHit<T> | undefined> => {
    while (!stop.signal.aborted && performance.now() < deadline) {
      const value = await probe(target, stop.signal).catch(() => undefined);
      if (value !== undefined) return { atNs: nowNs(), target, value };
      await new Promise((r) => setTimeout(r, opts.everyMs));
    }
    return undefined;
  };
  try {
    const hit = await Promise.any(
      targets.map(async (t) => {
        const h = await loop(t);
        if (h === undefined) throw new Error('no hit');
        return h;
      }),
    ).catch(() => undefined);
    if (hit === undefined) throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}`);
    return hit;
  } finally {
    stop.abort();
  }
}

/** GET/POST with a short per-request timeout that the poll's stop signal also cancels. */
export async function fetchJson(
  url: string,
  signal: AbortSignal,
  init: RequestInit = {},
  timeoutMs = 250,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
