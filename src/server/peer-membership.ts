// What applied membership means for this node's peers: the transport's address book follows
// the members (addresses are learned from the log), messages from peers whose removal was
// applied are dropped, the last contact with each peer is kept, and whether this node itself
// was a member (removal.ts proves a removal from that and asks the members).
import type { Logger } from 'pino';
import type { ConfChange } from '../raft/types.js';
import type { Member } from '../statemachine/membership.js';
import type { PeerTransport } from '../transport/transport.js';
import type { LocalMembership } from './removal.js';

/** The part of the transport the node drives. */
export type PeerLink = Pick<PeerTransport, 'send' | 'setPeer' | 'removePeer' | 'stats' | 'onMessage' | 'onPeerReports'>;

export class PeerMembership {
  /** Monotonic time of the last message from each peer (leader: last contact; follower: leader liveness). */
  private readonly lastHeard = new Map<string, number>();
  /**
   * Peers whose removal this node applied (and that were not added back since). Their messages
   * are dropped: a removed node that missed its own removal keeps campaigning, and must never
   * disturb the cluster (our answers cannot reach it anyway: its stream was closed).
   */
  private readonly removedPeers = new Set<string>();
  /** This node's applied membership contained it at some point since start. */
  private wasMember: boolean;
  private removedHandler: ((provedBy: string) => void) | undefined;
  private removedBy: string | undefined;

  constructor(
    private readonly nodeId: string,
    private readonly clusterId: string,
    private readonly transport: PeerLink,
    private readonly logger: Logger,
    members: readonly Member[],
  ) {
    this.wasMember = members.some((m) => m.id === nodeId);
  }

  /** A message arrived from `from`: false when it must be dropped (a removed peer). */
  heard(from: string, now: number): boolean {
    if (this.removedPeers.has(from)) return false;
    this.lastHeard.set(from, now);
    return true;
  }

  /** When a message last arrived from each peer (monotonic ms). */
  get lastHeardFrom(): ReadonlyMap<string, number> {
    return this.lastHeard;
  }

  /** The members of a restored snapshot replace what was known. */
  restored(members: readonly Member[]): void {
    if (members.some((m) => m.id === this.nodeId)) this.wasMember = true;
    for (const m of members) this.removedPeers.delete(m.id);
    this.syncAddressBook(members);
  }

  /** A membership change was applied; `members` is the membership after it. */
  changed(cc: ConfChange, members: readonly Member[], index: number): void {
    const m = members.find((x) => x.id === cc.nodeId);
    if (cc.nodeId === this.nodeId) {
      if (m !== undefined) this.wasMember = true;
      // Not proof that we are out now: a node added back under its old id replays its old
      // removal. It stops once a member confirms (removal.ts).
      else this.logger.warn({ index }, 'applied the removal of this node');
    } else if (m === undefined) {
      this.transport.removePeer(cc.nodeId);
      this.removedPeers.add(cc.nodeId);
      this.lastHeard.delete(cc.nodeId);
    } else {
      this.removedPeers.delete(cc.nodeId);
      if (m.address !== '') this.transport.setPeer(m.id, m.address);
    }
    this.logger.info({ change: cc.type, member: cc.nodeId, address: m?.address, index }, 'membership changed');
  }

  /** Every member with a known address is a peer of the transport. */
  syncAddressBook(members: readonly Member[]): void {
    const known = new Set<string>();
    for (const m of members) {
      known.add(m.id);
      if (m.id !== this.nodeId && m.address !== '') this.transport.setPeer(m.id, m.address);
    }
    for (const id of this.transport.stats().peers.keys()) if (!known.has(id) && members.length > 0) this.transport.removePeer(id);
  }

  /** What removal.ts needs to prove this node was removed, and whom to ask. */
  localMembership(members: readonly Member[]): LocalMembership & { peers: { id: string; address: string }[] } {
    return {
      cluster: this.clusterId,
      self: this.nodeId,
      wasMember: this.wasMember,
      peers: members.filter((m) => m.id !== this.nodeId && m.address !== '').map((m) => ({ id: m.id, address: m.address })),
    };
  }

  /** A member proved this node was removed (removal.ts): the handler stops the node. */
  markRemoved(provedBy: string): void {
    if (this.removedBy !== undefined) return;
    this.removedBy = provedBy;
    this.removedHandler?.(provedBy);
  }

  onRemoved(handler: (provedBy: string) => void): void {
    this.removedHandler = handler;
    if (this.removedBy !== undefined) handler(this.removedBy);
  }
}
