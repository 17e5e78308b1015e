// The messages between the agent and its spawn helper (spawn-helper.ts, spawn-helper-main.ts),
// over the helper's IPC channel.

export interface HelperRequest {
  readonly id: number;
  readonly file: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly detached: boolean;
}

export type HelperReply =
  /** The helper listens: requests sent from now on start at once. */
  | { readonly t: 'ready' }
  | { readonly t: 'spawn'; readonly id: number; readonly pid: number }
  | { readonly t: 'error'; readonly id: number; readonly message: string; readonly code?: string }
  | { readonly t: 'out'; readonly id: number; readonly stream: 'stdout' | 'stderr'; readonly data: string }
  | { readonly t: 'exit'; readonly id: number; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly t: 'close'; readonly id: number };
