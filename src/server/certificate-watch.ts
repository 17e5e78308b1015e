// Certificates rotate without a restart: the node re-reads its TLS files when one of them
// changes (besides SIGHUP in the agent). Polling with fs.watchFile, not fs.watch: it follows a
// path across the rename that replaces the file (how `palisade certs issue`, cert-manager and
// most tools write), and across a directory that is itself a symlink swapped by Kubernetes.
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { TlsMaterial } from '../transport/tls.js';
import type { Logger } from './logger.js';

export interface CertificateWatchOptions {
  /** How often each file is looked at. */
  readonly intervalMs?: number;
  /** A change waits this long for its siblings (a new key and certificate are written one after the other). */
  readonly settleMs?: number;
}

/** Starts watching `tls`'s files; returns the function that stops it. */
export function watchCertificates(tls: TlsMaterial, log: Logger, opts: CertificateWatchOptions = {}): () => void {
  const files = [tls.config.certFile, tls.config.keyFile, tls.config.caFile, tls.config.clientCaFile].filter(
    (f): f is string => f !== undefined,
  );
  const unique = [...new Set(files)];
  let timer: NodeJS.Timeout | undefined;
  const reload = (): void => {
    timer = undefined;
    try {
      if (tls.reload()) log.info({ certificate: tls.summary() }, 'TLS files changed: reloaded; new connections use them');
    } catch (err) {
      // Half-way through a rotation (the key renamed, the certificate not yet) is normal: the next change completes it.
      log.warn({ err: (err as Error).message }, 'TLS files changed but are not a valid set (yet): the previous certificate stays in use');
    }
  };
  const onChange = (curr: Stats, prev: Stats): void => {
    if (curr.mtimeMs === prev.mtimeMs && curr.ino === prev.ino && curr.size === prev.size) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(reload, opts.settleMs ?? 200);
    timer.unref();
  };
  for (const f of unique) watchFile(f, { interval: opts.intervalMs ?? 1000, persistent: false }, onChange);
  // A watch compares each look with the one before, so a change between the node's first read of
  // the files and the watch's first look would wait for the next change: compare contents once.
  timer = setTimeout(reload, opts.settleMs ?? 200);
  timer.unref();
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    for (const f of unique) unwatchFile(f, onChange);
  };
}
