// The client's view of the run: every operation the simulated clients invoked, with its
// invocation and (if known) completion time in simulated real time. An operation without
// `ret` had an unknown outcome (its node crashed, or it never completed): the checker must
// allow it to take effect at any point after `call`, or never.
import type { NodeId } from '../../src/raft/types.js';
import type { KvCommand, KvResult } from './kv-state-machine.js';

export type ClientCommand = KvCommand | { readonly t: 'get'; readonly k: string };

export interface ClientOp {
  readonly id: string;
  readonly node: NodeId;
  readonly cmd: ClientCommand;
  readonly call: number;
  ret?: number;
  /** Writes: 'ok'; cas: swapped or not; get: the value read (null when absent). */
  result?: KvResult | string | null;
}

export class ClientHistory {
  readonly ops: ClientOp[] = [];
  private next = 1;

  begin(node: NodeId, cmd: ClientCommand, call: number): ClientOp {
    const op: ClientOp = { id: `op${this.next++}`, node, cmd, call };
    this.ops.push(op);
    return op;
  }

  /** A proposal rejected up front never took effect: it is not part of the history. */
  discard(op: ClientOp): void {
    const i = this.ops.lastIndexOf(op);
    if (i >= 0) this.ops.splice(i, 1);
  }

  complete(op: ClientOp, ret: number, result: KvResult | string | null): void {
    if (op.ret !== undefined) return;
    op.ret = ret;
    op.result = result;
  }

  get completed(): number {
    return this.ops.filter((o) => o.ret !== undefined).length;
  }
}

export function formatCommand(c: ClientCommand): string {
  switch (c.t) {
    case 'put':
      return `put ${c.k}=${c.v}`;
    case 'del':
      return `del ${c.k}`;
    case 'cas':
      return `cas ${c.k} ${c.from ?? '∅'}→${c.to}`;
    case 'get':
      return `get ${c.k}`;
    default: {
      const never: never = c;
      return String(never);
    }
  }
}
