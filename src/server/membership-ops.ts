// The leader-only operations on the cluster's shape: add, promote or remove a member, and move
// the leadership. Only the leader decides: its applied state is the newest, so "already so" and
// "not found" answers are final. A follower's would be stale, and a follower being removed never
// applies its own removal, so it could not answer at all.
import type { MembershipResult } from '../api/node-port.js';
import { InvalidArgumentError, MembershipChangePendingError, MembershipChangeRejectedError, NotFoundError } from '../errors.js';
import { ConfChangeError, ProposalDroppedError } from '../raft/errors.js';
import { ConfChangeType, NONE, type ConfChange } from '../raft/types.js';
import { MemberRole, type Member } from '../statemachine/membership.js';
import type { ApplyWaiters } from './apply-waiters.js';
import type { NodeHost } from './node-host.js';
import type { RequestGuard } from './request-guard.js';

/**
 * Checks `cc` against the applied members: a result when there is nothing to change, else
 * undefined (propose it); throws when the change cannot be made.
 */
function alreadyDone(cc: ConfChange, members: Member[]): MembershipResult | undefined {
  const current = members.find((m) => m.id === cc.nodeId);
  switch (cc.type) {
    case ConfChangeType.AddLearner:
    case ConfChangeType.AddVoter: {
      const wantRole = cc.type === ConfChangeType.AddLearner ? MemberRole.Learner : MemberRole.Voter;
      if (current !== undefined && cc.context !== undefined && current.address !== cc.context) {
        throw new MembershipChangeRejectedError(
          `member ${cc.nodeId} already exists with address ${current.address}; remove it first to change its address`,
        );
      }
      if (current?.role === wantRole) return { members, index: 0 };
      if (current?.role === MemberRole.Voter) {
        throw new MembershipChangeRejectedError(`member ${cc.nodeId} is a voter; it cannot become a learner (remove it first)`);
      }
      if (current === undefined && cc.type === ConfChangeType.AddVoter && cc.context === undefined) {
        throw new NotFoundError(`member ${cc.nodeId} is not in the cluster; add it (as a learner) before promoting it`);
      }
      return undefined;
    }
    case ConfChangeType.RemoveNode:
      if (current === undefined) throw new NotFoundError(`member ${cc.nodeId} is not in the cluster`);
      return undefined;
    default: {
      const never: never = cc.type;
      throw new InvalidArgumentError(`unknown membership change ${String(never)}`);
    }
  }
}

export class MembershipOps {
  constructor(
    private readonly host: NodeHost,
    private readonly waiters: ApplyWaiters,
    private readonly guard: RequestGuard,
    private readonly electionTimeoutMs: number,
  ) {}

  changeMembership(cc: ConfChange): Promise<MembershipResult> {
    return this.changeMembershipOnce(cc, true);
  }

  private async changeMembershipOnce(cc: ConfChange, mayWaitForPending: boolean): Promise<MembershipResult> {
    this.guard.usable();
    this.guard.requireLeader(`membership change (${cc.type} ${cc.nodeId})`);
    const done = alreadyDone(cc, this.host.stateMachine.members());
    if (done !== undefined) return done;
    const pending = this.waiters.confChangePending(cc);
    const wait = this.waiters.waitConfChange(cc, this.guard.timeoutMs, () =>
      this.guard.timeout(`membership change (${cc.type} ${cc.nodeId})`),
    );
    // A retry of a change this leader already proposed (the first attempt timed out on the
    // client's side) waits for that one instead of being refused as "another change pending".
    if (pending) return wait.promise;
    try {
      this.host.proposeConfChange(cc);
    } catch (err) {
      wait.cancel();
      if (err instanceof ConfChangeError) throw new MembershipChangeRejectedError(err.message, { cause: err });
      if (err instanceof ProposalDroppedError && err.reason.includes('membership change is still pending')) {
        const pendingError = () =>
          new MembershipChangePendingError(`another membership change is not applied yet; retry shortly (${err.reason})`, { cause: err });
        if (!mayWaitForPending) throw pendingError();
        // Usually a new leader's own first entry, or a change just before: applied within a
        // round trip or two. Wait for it once, then decide again from the newer state.
        const last = this.host.raw.status().lastIndex;
        await this.host.waitFor(() => this.host.stateMachine.appliedIndex >= last, 2 * this.electionTimeoutMs, pendingError);
        return this.changeMembershipOnce(cc, false);
      }
      throw this.guard.dropped(err);
    }
    return wait.promise;
  }

  async transferLeadership(to: string): Promise<{ leader: string; term: number }> {
    this.guard.usable();
    const raw = this.host.raw;
    const r0 = raw.basicStatus();
    // Already done (e.g. a retry after the transfer finished elsewhere): success wherever asked.
    if (r0.lead === to && r0.lead !== NONE) return { leader: to, term: r0.term };
    this.guard.requireLeader(`leadership transfer to ${to}`);
    const target = this.host.stateMachine.members().find((m) => m.id === to);
    if (target === undefined) throw new NotFoundError(`member ${to} is not in the cluster`);
    if (target.role !== MemberRole.Voter)
      throw new MembershipChangeRejectedError(`member ${to} is a learner; only a voter can lead (promote it first)`);
    const r = raw.basicStatus();
    if (r.lead === to) return { leader: to, term: r.term };
    try {
      this.host.beginTransfer(to);
    } catch (err) {
      throw this.guard.dropped(err);
    }
    // A transfer finishes within about one election timeout (catch up, TimeoutNow, one vote round).
    await this.host.waitFor(
      () => raw.basicStatus().lead === to,
      3 * this.electionTimeoutMs + 500,
      () => this.guard.timeout(`leadership transfer to ${to}`),
    );
    return { leader: to, term: raw.basicStatus().term };
  }
}
