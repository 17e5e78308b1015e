// How a simulated node carries out one Ready. The correct executor follows the contract in
// src/raft/ready.ts: persist → send → apply → advance. The executor is pluggable so a test
// can install a broken one and check that the invariants catch it.
import type { Ready } from '../../src/raft/ready.js';
import type { SimNode } from './sim-node.js';

export interface ReadyExecutor {
  readonly name: string;
  /**
   * True when this executor writes the durable disk later than the core's storage view:
   * the node then keeps two storages and a crash loses whatever has not reached the disk.
   */
  readonly delayedDurability: boolean;
  execute(node: SimNode, rd: Ready): void;
}

export const correctExecutor: ReadyExecutor = {
  name: 'persist-send-apply-advance',
  delayedDurability: false,
  execute(node, rd) {
    node.persist(rd);
    node.send(rd.messages);
    node.apply(rd);
    node.advance(rd);
  },
};

/**
 * MUTANT: sends before the Ready is durable. The write lands in the page cache at once (the
 * core sees it) but reaches the disk only as a separate, later event, so a crash in between
 * forgets votes and acknowledged entries.
 */
export const sendBeforePersistExecutor: ReadyExecutor = {
  name: 'MUTANT send-before-persist',
  delayedDurability: true,
  execute(node, rd) {
    node.send(rd.messages);
    node.persist(rd);
    node.apply(rd);
    node.advance(rd);
  },
};
