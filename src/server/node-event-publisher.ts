// Publishes the node's events (node-events.ts) as the Ready loop finds them: a new leader, a new
// role, a new membership, each once, when it changes. The loop calls it after a Ready is handled
// and as entries and snapshots are applied, so it must not block: a slow subscriber is the
// event stream's concern (event-stream.ts).
import type { Logger } from 'pino';
import type { NodeRole } from '../api/node-port.js';
import type { Ready } from '../raft/ready.js';
import type { RawNode } from '../raft/raw-node.js';
import { EntryType, NONE } from '../raft/types.js';
import { MemberRole, type Member } from '../statemachine/membership.js';
import type { Clock } from './clock.js';
import type { EventStream } from './event-stream.js';
import type { NodeMetrics } from './metrics.js';
import type { NodeEvent } from './node-events.js';

export interface NodeEventSources {
  readonly raw: Pick<RawNode, 'basicStatus'>;
  readonly events: Pick<EventStream<NodeEvent>, 'publish'>;
  readonly metrics: NodeMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The node's role now (NodeHost.role: a learner is told apart from a follower). */
  readonly role: () => NodeRole;
}

export class NodeEventPublisher {
  private lastLead = NONE;
  private lastRole: NodeRole;

  constructor(private readonly s: NodeEventSources) {
    this.lastRole = s.role();
  }

  /**
   * After a handled Ready: a soft state change may bring a new leader and role; a committed
   * membership change or a snapshot may make this node a learner or a voter again.
   */
  afterReady(rd: Ready): void {
    if (rd.softState !== undefined) this.checkLeader();
    else if (rd.snapshot !== undefined || rd.committedEntries.some((e) => e.type === EntryType.ConfChange)) this.checkRole();
  }

  /** The membership applied at `index` (a membership change, or a restored snapshot). */
  membershipChanged(index: number, members: readonly Member[]): void {
    this.s.events.publish({
      type: 'membershipChanged',
      members: members.map((m) => ({ id: m.id, address: m.address, voter: m.role === MemberRole.Voter })),
      index,
      at: this.s.clock.wallMs(),
    });
  }

  private checkLeader(): void {
    const st = this.s.raw.basicStatus();
    if (st.lead !== this.lastLead) {
      this.lastLead = st.lead;
      this.s.metrics.leaderChanges++;
      this.s.logger.info({ leader: st.lead, term: st.term }, st.lead === NONE ? 'leader lost' : 'leader changed');
      this.s.events.publish({ type: 'leaderChanged', leader: st.lead, term: st.term, at: this.s.clock.wallMs() });
    }
    this.checkRole();
  }

  private checkRole(): void {
    const role = this.s.role();
    if (role === this.lastRole) return;
    this.lastRole = role;
    const term = this.s.raw.basicStatus().term;
    this.s.logger.info({ role, term }, 'role changed');
    this.s.events.publish({ type: 'roleChanged', role, term, at: this.s.clock.wallMs() });
  }
}
