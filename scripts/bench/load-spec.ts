// The contract between the benchmark driver and a load worker process (JSON over fork IPC).
import type { System } from './cluster.js';

export type Measure =
  /** Exactly `puts` puts in total across the worker's loops. */
  | { readonly kind: 'count'; readonly puts: number }
  /** Loops run until `ms` elapsed (or `maxPuts` reached: the bound that keeps a run finite). */
  | { readonly kind: 'duration'; readonly ms: number; readonly maxPuts: number };

export interface WorkerSpec {
  readonly system: System;
  readonly endpoints: readonly string[];
  /** In-flight puts, each a closed loop (next put when the previous one answered). */
  readonly concurrency: number;
  readonly warmupPuts: number;
  readonly measure: Measure;
  /** Two characters; keys are prefix + 14-digit counter = 16 bytes. */
  readonly keyPrefix: string;
  readonly valueBytes: number;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | {
      readonly type: 'result';
      readonly latenciesMs: number[];
      readonly errors: number;
      readonly firstErrors: string[];
      readonly elapsedMs: number;
      /** This worker process's own CPU (user + system) during the measured window, % of a core. */
      readonly clientCpuPercent: number;
    }
  | { readonly type: 'failed'; readonly error: string };

export type DriverMessage = { readonly type: 'go' };
