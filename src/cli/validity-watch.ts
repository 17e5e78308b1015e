// When `palisade lock|elect` must stop its command: before the session's guaranteed validity
// runs out, so the command is dead before the cluster could expire the session and grant the
// lock to someone else. The client's own `lost` comes only when validity is already over; the
// CLI acts earlier, leaving the command time to exit on SIGTERM and a reserve for SIGKILL.

export interface StopBounds {
  /** Send SIGTERM once the session's validity left falls to this. */
  readonly termAtMs: number;
  /** Send SIGKILL once it falls to this (kept in reserve for a late timer on a loaded host). */
  readonly killAtMs: number;
}

/**
 * Bounds for a session of `ttlMs`. Both stay well under ttl·2/3, the validity left just before
 * a keep-alive is due (they go every ttl/3), so a healthy session never trips them.
 */
export function stopBounds(ttlMs: number): StopBounds {
  const killAtMs = Math.min(500, Math.floor(ttlMs / 10));
  const termGraceMs = Math.min(1000, Math.floor(ttlMs / 10));
  return { termAtMs: killAtMs + termGraceMs, killAtMs };
}

/**
 * Calls `onDue` once `remainingMs()` is at most `thresholdMs`, re-reading it whenever a timer
 * fires (keep-alives move validity forward meanwhile). Returns a cancel function.
 */
export function watchValidity(remainingMs: () => number, thresholdMs: number, onDue: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const check = () => {
    timer = undefined;
    if (cancelled) return;
    const left = remainingMs() - thresholdMs;
    if (left <= 0) {
      cancelled = true;
      onDue();
    } else timer = setTimeout(check, left);
  };
  check();
  return () => {
    cancelled = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}
