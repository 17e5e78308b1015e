// The Raft state machine (model: etcd-io/raft raft.go). Pure: time arrives as tick(),
// everything else as a message; output accumulates in `msgs`, `readStates` and `leaseAck`
// and is drained by RawNode into a Ready. Paper sections: §5.2 election, §5.3 replication,
// §5.4 safety, §6 membership (single-server changes), §7 snapshots; PreVote, CheckQuorum and
// leadership transfer from Ongaro's thesis (§9.6, §6.2, §3.10).
import type { ElectionTimeoutPolicy, RaftConfig } from './config.js';
import { decodeConfChange, encodeConfChange } from './conf-change-codec.js';
import { applyConfChange } from './conf-change.js';
import { ConfChangeError, ProposalDroppedError } from './errors.js';
import { HeartbeatRounds, type PendingRead } from './heartbeat-rounds.js';
import { silentLogger, type RaftLogger } from './logger.js';
import type {
  AppendEntries,
  AppendEntriesResponse,
  Heartbeat,
  HeartbeatResponse,
  InstallSnapshot,
  Message,
  RequestVote,
  RequestVoteResponse,
} from './messages.js';
import { ProgressState, type Progress } from './progress.js';
import { majorityIndex, majoritySize, VoteResult } from './quorum.js';
import { RaftLog, limitSize } from './raft-log.js';
import { pickRenewalAskees } from './renewal-askees.js';
import type { Rng } from './rng.js';
import { CompactedError } from './storage.js';
import { ProgressTracker } from './tracker.js';
import {
  EntryType,
  NONE,
  StateType,
  type ConfChange,
  type ConfState,
  type Entry,
  type HardState,
  type LeaseAck,
  type NodeId,
  type ReadState,
  type Snapshot,
  type SoftState,
} from './types.js';

const CampaignType = {
  PreElection: 'preElection',
  Election: 'election',
  /** Started by the leader's TimeoutNow: voters ignore stickiness for it. */
  Transfer: 'transfer',
} as const;
type CampaignType = (typeof CampaignType)[keyof typeof CampaignType];

const DEFAULT_MAX_SIZE_PER_MSG = 1024 * 1024;
const DEFAULT_MAX_INFLIGHT = 256;

export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  state: StateType = StateType.Follower;
  lead: NodeId = NONE;
  isLearner = false;
  readonly raftLog: RaftLog;
  readonly trk: ProgressTracker;

  /** Output, drained by RawNode. */
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  leaseAck: LeaseAck | undefined = undefined;

  /**
   * Leader: this term was won by a TimeoutNow campaign, whose voters ignored stickiness, so
   * the previous leader's lease may still run. The HA layer then needs the previous holder's
   * demotion acknowledged (or waits the lease out) before promoting.
   */
  electedByTransfer = false;
  private campaignType: CampaignType = CampaignType.Election;
  /** Leader: target of a leadership transfer in progress. */
  leadTransferee: NodeId = NONE;
  /** Leader: index of the last membership change proposed; a new one waits until it is applied. */
  pendingConfIndex = 0;
  /**
   * Leader: index of a change that removes or demotes this leader (0: none): one it proposed,
   * or one of an earlier term it found unapplied in its log when it won (then only its no-op
   * follows it). Until it is applied the leader appends nothing else, so the voters that commit
   * the removal hold our whole log and we never refuse them a vote once we have stepped down.
   */
  selfRemovalIndex = 0;

  /** Ticks since this core was created; the unit of LeaseAck.startTick. */
  tickCount = 0;
  /** Leader: ticks since the last CheckQuorum round. Others: ticks since the election timer reset. */
  electionElapsed = 0;
  heartbeatElapsed = 0;
  /** Leader: the commit index moved and some follower may not have been told yet. */
  private commitUnsent = false;
  /**
   * Ticks since we last heard from a leader of our term. Starts at 0, so a node that just
   * (re)started behaves as if it had just heard from a leader: it may have acknowledged a
   * heartbeat round before crashing, and the lease built on that ack must still hold.
   */
  leaderContactElapsed = 0;
  randomizedElectionTimeout = 0;
  /**
   * Follower: the term and leader we last answered a heartbeat of. A leader we have not answered
   * in this term (a new one, or we restarted) gets an answer even to an optional round: until
   * then it does not know we follow it.
   */
  private answeredTerm = 0;
  private answeredLead: NodeId = NONE;

  readonly electionTick: number;
  readonly heartbeatTick: number;
  /** Leader: how old the newest quorum-acknowledged round may get before a round asks for answers. */
  readonly quorumAckTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxSizePerMsg: number;
  private readonly rng: Rng;
  private readonly electionTimeoutPolicy: ElectionTimeoutPolicy | undefined;
  private readonly preVoteRetryTicks: number;
  readonly logger: RaftLogger;

  private rounds: HeartbeatRounds = new HeartbeatRounds(0);
  /** Leader: the last heartbeat round of this term that asked for a quorum of answers (0: none). */
  private quorumAskRound = 0;
  /** Leader: reads that arrived before the leader committed an entry of its term. */
  private readsAwaitingCommit: { context: string; from: NodeId }[] = [];

  constructor(config: RaftConfig) {
    if (config.id === NONE) throw new Error('raft: config.id must not be empty');
    if (!(config.heartbeatTick > 0)) throw new Error('raft: heartbeatTick must be > 0');
    if (!(config.electionTick > config.heartbeatTick)) {
      throw new Error('raft: electionTick must be greater than heartbeatTick');
    }
    this.id = config.id;
    this.electionTick = config.electionTick;
    this.heartbeatTick = config.heartbeatTick;
    this.quorumAckTicks = config.quorumAckTicks ?? config.heartbeatTick;
    if (!(Number.isInteger(this.quorumAckTicks) && this.quorumAckTicks > 0)) {
      throw new Error(`raft: quorumAckTicks must be a positive integer, got ${String(config.quorumAckTicks)}`);
    }
    this.preVote = config.preVote ?? true;
    this.checkQuorum = config.checkQuorum ?? true;
    this.maxSizePerMsg = config.maxSizePerMsg ?? DEFAULT_MAX_SIZE_PER_MSG;
    this.rng = config.rng;
    this.electionTimeoutPolicy = config.electionTimeout;
    this.preVoteRetryTicks = Math.max(0, Math.floor(config.preVoteRetryTicks ?? 0));
    this.logger = config.logger ?? silentLogger;
    this.raftLog = new RaftLog(config.storage);
    this.trk = new ProgressTracker(config.maxInflightMsgs ?? DEFAULT_MAX_INFLIGHT);

    const { hardState, confState } = config.storage.initialState();
    this.trk.applyConfState(confState, this.raftLog.lastIndex());
    this.isLearner = this.trk.isLearner(this.id);
    if (hardState.term !== 0 || hardState.vote !== NONE || hardState.commit !== 0) {
      this.loadHardState(hardState);
    }
    if (config.applied !== undefined && config.applied > 0) this.raftLog.appliedTo(config.applied);
    this.becomeFollower(this.term, NONE);
    this.leaderContactElapsed = 0;
    this.logger.info(
      { id: this.id, term: this.term, commit: this.raftLog.committed, lastIndex: this.raftLog.lastIndex(), voters: this.trk.voters() },
      'raft: started',
    );
  }

  // ---------------------------------------------------------------- state views

  softState(): SoftState {
    return { lead: this.lead, state: this.state };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  confState(): ConfState {
    return this.trk.confState();
  }

  /** Voters may campaign; learners, removed nodes and nodes restoring a snapshot may not. */
  promotable(): boolean {
    return this.trk.isVoter(this.id) && !this.raftLog.hasPendingSnapshot();
  }

  /** Stickiness (docs/design.md "Single active" 1): do we still follow a live leader? */
  inLeaderLease(): boolean {
    if (this.state === StateType.Leader) return true;
    return this.leaderContactElapsed < this.electionTick;
  }

  private loadHardState(hs: HardState): void {
    if (hs.commit > this.raftLog.lastIndex()) {
      throw new Error(
        `raft: stored commit index ${hs.commit} is beyond the last log index ${this.raftLog.lastIndex()}: the log is corrupt or truncated`,
      );
    }
    // A snapshot newer than the stored commit index is itself proof of commitment.
    this.raftLog.committed = Math.max(hs.commit, this.raftLog.committed);
    this.term = hs.term;
    this.vote = hs.vote;
  }

  // ---------------------------------------------------------------- role transitions

  /** `lead`: the leader being followed after the reset, if known (only the timeout policy uses it). */
  private reset(term: number, lead: NodeId = NONE): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.commitUnsent = false;
    this.resetRandomizedElectionTimeout(lead);
    this.abortLeaderTransfer();
    this.trk.resetVotes();
    const lastIndex = this.raftLog.lastIndex();
    this.trk.visit((id, pr) => {
      pr.match = id === this.id ? lastIndex : 0;
      pr.next = lastIndex + 1;
      pr.becomeProbe();
      pr.next = lastIndex + 1;
      pr.probeSent = false;
      pr.recentActive = id === this.id;
      pr.ackedRound = 0;
      pr.askedRound = 0;
      pr.sentCommit = 0; // "in the current term": what we told a peer as leader of an older term may be lost
      pr.inflights.reset();
    });
    this.pendingConfIndex = 0;
    this.selfRemovalIndex = 0;
    this.rounds = new HeartbeatRounds(term);
    this.quorumAskRound = 0;
    this.readsAwaitingCommit = [];
  }

  private transition(to: StateType, term: number, why: string): void {
    this.logger.info({ id: this.id, from: this.state, to, term, why }, `raft: ${this.state} -> ${to}`);
  }

  becomeFollower(term: number, lead: NodeId): void {
    if (this.state !== StateType.Follower || term !== this.term) this.transition(StateType.Follower, term, `lead=${lead || 'none'}`);
    this.reset(term, lead);
    this.state = StateType.Follower;
    this.lead = lead;
    if (lead !== NONE) this.leaderContactElapsed = 0;
  }

  private becomePreCandidate(): void {
    if (this.state === StateType.Leader) throw new Error('raft: invalid transition leader -> preCandidate');
    this.transition(StateType.PreCandidate, this.term, 'election timeout');
    // A pre-candidate changes neither term nor vote: it only asks whether it could win.
    this.trk.resetVotes();
    this.state = StateType.PreCandidate;
    this.lead = NONE;
  }

  private becomeCandidate(): void {
    if (this.state === StateType.Leader) throw new Error('raft: invalid transition leader -> candidate');
    this.transition(StateType.Candidate, this.term + 1, 'campaign');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.state = StateType.Candidate;
  }

  private becomeLeader(): void {
    if (this.state === StateType.Follower) throw new Error('raft: invalid transition follower -> leader');
    this.transition(StateType.Leader, this.term, 'won election');
    this.reset(this.term);
    this.state = StateType.Leader;
    this.lead = this.id;
    this.electedByTransfer = this.campaignType === CampaignType.Transfer;
    this.trk.progress.get(this.id)?.becomeReplicate();
    // A removal of this node proposed in an earlier term and not applied yet binds us as if we
    // had proposed it: nothing but the no-op may follow it (see selfRemovalIndex).
    this.selfRemovalIndex = this.unappliedSelfRemovalIndex();
    // §5.4.2 / §8: a leader commits an entry of its own term before it knows what is committed.
    this.appendEntries([{ term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) }]);
    // Membership changes wait until this no-op is applied (single-server change safety).
    this.pendingConfIndex = this.raftLog.lastIndex();
  }

  // ---------------------------------------------------------------- time

  tick(): void {
    this.tickCount += 1;
    this.leaderContactElapsed += 1;
    if (this.state === StateType.Leader) this.tickHeartbeat();
    else this.tickElection();
  }

  /**
   * How many of the next ticks would only count (change nothing but this core's elapsed-tick
   * counters, send nothing, produce no Ready). The node's ticker may sleep through them and
   * perform them later in one burst, before the next input or at the tick that acts: a follower
   * then wakes once per election timeout instead of every tick, a leader once per heartbeat
   * (idle CPU). A follower's ticks count towards its election timeout; a leader's towards its
   * next heartbeat and its next CheckQuorum, unless a commit index is owed to followers or a
   * transfer is running. Candidates act on each tick (pre-vote retries). Capped at one election
   * timeout.
   */
  quietTicks(): number {
    if (this.state === StateType.Leader) {
      if (this.commitUnsent || this.leadTransferee !== NONE) return 0;
      const acting = Math.min(this.heartbeatTick - this.heartbeatElapsed, this.electionTick - this.electionElapsed);
      return Math.max(0, acting - 1);
    }
    if (this.state !== StateType.Follower) return 0;
    if (!this.promotable()) return this.electionTick;
    return Math.max(0, Math.min(this.electionTick, this.randomizedElectionTimeout - this.electionElapsed - 1));
  }

  private tickElection(): void {
    this.electionElapsed += 1;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(this.preVote ? CampaignType.PreElection : CampaignType.Election);
    } else if (this.state === StateType.PreCandidate && this.electionElapsed <= this.preVoteRetryTicks) {
      this.requestVotes(CampaignType.PreElection, this.term + 1, (id) => !this.trk.hasVoted(id));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed += 1;
    this.electionElapsed += 1;
    if (this.electionElapsed >= this.electionTick) {
      this.electionElapsed = 0;
      if (this.checkQuorum) {
        const self = this.trk.progress.get(this.id);
        if (self) self.recentActive = true;
        if (!this.trk.quorumActive()) {
          this.logger.warn({ id: this.id, term: this.term }, 'raft: leader lost contact with a quorum, stepping down');
          this.becomeFollower(this.term, NONE);
          this.leaderContactElapsed = this.electionTick; // we are not following anyone
          return;
        }
        this.trk.visit((id, pr) => {
          if (id !== this.id) pr.recentActive = false;
        });
      }
      if (this.leadTransferee !== NONE) {
        this.logger.info({ id: this.id, to: this.leadTransferee }, 'raft: leadership transfer timed out, aborting');
        this.abortLeaderTransfer();
      }
    }
    if (this.heartbeatElapsed >= this.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat();
    }
    this.sendPendingCommit();
  }

  /**
   * Leader: tells every follower that has not heard of the current commit index yet (see
   * handleAppendResponse). The tick calls it; so may anyone who wants followers told now.
   */
  sendPendingCommit(): void {
    if (!this.commitUnsent || this.state !== StateType.Leader) return;
    this.commitUnsent = false;
    this.trk.visit((id, pr) => {
      if (id !== this.id && pr.sentCommit < this.raftLog.committed) this.sendAppend(id);
    });
  }

  private resetRandomizedElectionTimeout(lead: NodeId): void {
    const e = this.electionTick;
    const policy = this.electionTimeoutPolicy;
    if (policy === undefined) {
      this.randomizedElectionTimeout = e + this.rng.int(e);
      return;
    }
    const chosen = Math.floor(policy({ id: this.id, electionTick: e, voters: this.trk.voters(), lead, rng: this.rng }));
    this.randomizedElectionTimeout = Number.isFinite(chosen) ? Math.min(2 * e - 1, Math.max(e, chosen)) : e + this.rng.int(e);
  }

  // ---------------------------------------------------------------- elections

  /** Local request to start an election (the election timer, or a test). */
  hup(t: CampaignType): void {
    if (this.state === StateType.Leader) return;
    if (!this.promotable()) {
      this.logger.debug({ id: this.id }, 'raft: not promotable, ignoring campaign');
      return;
    }
    if (this.hasUnappliedConfChange()) {
      // Our view of membership is about to change; campaigning now could count a stale quorum.
      this.logger.info({ id: this.id }, 'raft: unapplied membership change, not campaigning');
      return;
    }
    this.campaign(t);
  }

  private hasUnappliedConfChange(): boolean {
    const { applied, committed } = this.raftLog;
    if (committed <= applied) return false;
    try {
      return this.raftLog.slice(applied + 1, committed + 1).some((e) => e.type === EntryType.ConfChange);
    } catch (e) {
      if (e instanceof CompactedError) return false;
      throw e;
    }
  }

  /**
   * Index of the last membership change in our unapplied log tail, if the tail as a whole takes
   * this node out of the voters (0 otherwise). Changes that would not apply are skipped, as
   * applyConfChange() will skip them.
   */
  private unappliedSelfRemovalIndex(): number {
    const { applied } = this.raftLog;
    const last = this.raftLog.lastIndex();
    if (last <= applied) return 0;
    let tail: Entry[];
    try {
      tail = this.raftLog.slice(applied + 1, last + 1);
    } catch (e) {
      if (e instanceof CompactedError) return 0;
      throw e;
    }
    let conf = this.trk.confState();
    let removal = 0;
    for (const e of tail) {
      if (e.type !== EntryType.ConfChange) continue;
      try {
        conf = applyConfChange(conf, decodeConfChange(e.data));
      } catch (err) {
        if (err instanceof ConfChangeError) continue;
        throw err;
      }
      removal = conf.voters.includes(this.id) ? 0 : e.index;
    }
    return removal;
  }

  private campaign(t: CampaignType): void {
    this.campaignType = t;
    let voteTerm: number;
    if (t === CampaignType.PreElection) {
      this.becomePreCandidate();
      voteTerm = this.term + 1;
    } else {
      this.becomeCandidate();
      voteTerm = this.term;
    }
    this.trk.recordVote(this.id, true);
    const { result } = this.trk.tallyVotes();
    if (result === VoteResult.Won) {
      // Single-voter cluster: we already have a quorum.
      if (t === CampaignType.PreElection) this.campaign(CampaignType.Election);
      else this.becomeLeader();
      return;
    }
    this.requestVotes(t, voteTerm, () => true);
  }

  /** Vote requests of campaign `t` for `voteTerm` to the other voters that `ask` selects. */
  private requestVotes(t: CampaignType, voteTerm: number, ask: (id: NodeId) => boolean): void {
    const lastIndex = this.raftLog.lastIndex();
    const lastTerm = this.raftLog.lastTerm();
    for (const id of this.trk.voters()) {
      if (id === this.id || !ask(id)) continue;
      this.send<RequestVote>({
        type: 'requestVote',
        from: this.id,
        to: id,
        term: voteTerm,
        preVote: t === CampaignType.PreElection,
        lastIndex,
        lastTerm,
        transfer: t === CampaignType.Transfer,
      });
    }
  }

  /** §5.4.1 election restriction. A method of its own so tests can break it. */
  candidateLogIsUpToDate(m: RequestVote): boolean {
    return this.raftLog.isUpToDate(m.lastIndex, m.lastTerm);
  }

  private handleRequestVote(m: RequestVote): void {
    // We may vote for: whoever we already voted for this term (a retransmission), anyone if we
    // have neither voted nor know a leader, and — for PreVote only — any future term.
    const canVote = this.vote === m.from || (this.vote === NONE && this.lead === NONE) || (m.preVote && m.term > this.term);
    if (canVote && this.candidateLogIsUpToDate(m)) {
      this.logger.debug({ id: this.id, to: m.from, term: m.term, preVote: m.preVote }, 'raft: granting vote');
      // A granted PreVote answers in the asked term, so the pre-candidate counts it.
      this.sendVoteResponse(m, m.term, false);
      if (!m.preVote) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.sendVoteResponse(m, this.term, true);
    }
  }

  /**
   * Every answer to a vote request also offers our commit point, capped at the candidate's last
   * index (see RequestVoteResponse.commitIndex): a voter that missed the commit notice of a
   * membership change, and campaigns in the old configuration, learns it from whoever it asks —
   * also from the removed leader, whose vote it may need and which will not give it.
   */
  private sendVoteResponse(m: RequestVote, term: number, reject: boolean): void {
    const commitIndex = Math.min(this.raftLog.committed, m.lastIndex);
    const commitTerm = commitIndex > 0 ? this.raftLog.term(commitIndex) : undefined;
    this.send<RequestVoteResponse>({
      type: 'requestVoteResponse',
      from: this.id,
      to: m.from,
      term,
      preVote: m.preVote,
      reject,
      commitIndex: commitTerm === undefined ? 0 : commitIndex,
      commitTerm: commitTerm ?? 0,
    });
  }

  /**
   * Commit up to the responder's commit point if we hold that very entry: by Log Matching our
   * log up to it is the responder's, and the responder committed it. True if our commit moved.
   */
  private learnCommitPoint(m: RequestVoteResponse): boolean {
    const index = m.commitIndex ?? 0;
    if (index <= this.raftLog.committed || !this.raftLog.matchTerm(index, m.commitTerm ?? 0)) return false;
    this.logger.info({ id: this.id, from: m.from, commit: index }, 'raft: learned the commit index from a vote response');
    this.raftLog.commitTo(index);
    return true;
  }

  private handleVoteResponse(m: RequestVoteResponse): void {
    const expectPre = this.state === StateType.PreCandidate;
    if (m.preVote !== expectPre) return; // a late answer to an earlier phase
    this.trk.recordVote(m.from, !m.reject);
    const { result, granted, rejected } = this.trk.tallyVotes();
    this.logger.debug({ id: this.id, from: m.from, reject: m.reject, granted, rejected }, 'raft: vote response');
    if (result === VoteResult.Won) {
      if (this.state === StateType.PreCandidate) this.campaign(CampaignType.Election);
      else {
        this.becomeLeader();
        this.bcastAppend();
        // Start the first heartbeat round now rather than a heartbeat interval later: the new
        // leader's lease (and so the HA promotion) and pending reads wait for it.
        this.heartbeatElapsed = 0;
        this.bcastHeartbeat();
      }
    } else if (result === VoteResult.Lost) {
      // PreVote answers carry a future term we never took; stay in our own term.
      this.becomeFollower(this.term, NONE);
      this.leaderContactElapsed = this.electionTick;
    }
  }

  // ---------------------------------------------------------------- the one entry point

  /** Handle one message from a peer. Term handling first, then the role's step function. */
  step(m: Message): void {
    if (m.term === 0) {
      // Only forwarded local requests (propose, transferLeader, readIndex) carry no term.
      if (m.type !== 'propose' && m.type !== 'transferLeader' && m.type !== 'readIndex') {
        this.logger.warn({ id: this.id, from: m.from, type: m.type }, 'raft: dropping termless message');
        return;
      }
    } else if (m.term > this.term) {
      if (m.type === 'requestVote') {
        if (!m.transfer && this.inLeaderLease()) {
          // Stickiness: we heard from a live leader within the minimum election timeout.
          this.logger.debug(
            { id: this.id, from: m.from, term: m.term, lead: this.lead, leaderContactElapsed: this.leaderContactElapsed },
            'raft: ignoring vote request, leader is live',
          );
          return;
        }
      }
      if (m.type === 'requestVote' && m.preVote) {
        // Never change our term because of a PreVote request.
      } else if (m.type === 'requestVoteResponse' && m.preVote && !m.reject) {
        // A granted PreVote is stamped with the term the pre-candidate asked about.
      } else if (m.type === 'appendEntries' || m.type === 'heartbeat' || m.type === 'installSnapshot') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
        this.leaderContactElapsed = this.electionTick;
      }
    } else if (m.term < this.term) {
      if (m.type === 'heartbeat' || m.type === 'appendEntries') {
        // A stale leader (e.g. back from a partition). Tell it our term so it steps down:
        // stickiness makes us ignore its vote requests, so it could otherwise never learn it.
        this.send<AppendEntriesResponse>({
          type: 'appendEntriesResponse',
          from: this.id,
          to: m.from,
          term: this.term,
          index: 0,
          reject: false,
          rejectHint: 0,
          hintTerm: 0,
        });
      } else if (m.type === 'requestVote' && m.preVote) {
        this.sendVoteResponse(m, this.term, true);
      }
      return;
    }

    if (m.type === 'requestVote') {
      this.handleRequestVote(m);
      return;
    }
    switch (this.state) {
      case StateType.Leader:
        this.stepLeader(m);
        return;
      case StateType.Candidate:
      case StateType.PreCandidate:
        this.stepCandidate(m);
        return;
      case StateType.Follower:
        this.stepFollower(m);
        return;
      default: {
        const never: never = this.state;
        throw new Error(`raft: unknown state ${String(never)}`);
      }
    }
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case 'propose':
        try {
          this.leaderPropose(m.entries);
        } catch (e) {
          // A forwarded proposal that cannot be taken is dropped; the proposer retries or times out.
          if (!(e instanceof ProposalDroppedError || e instanceof ConfChangeError)) throw e;
          this.logger.info({ id: this.id, from: m.from, err: e.message }, 'raft: dropping forwarded proposal');
        }
        return;
      case 'transferLeader':
        this.leaderTransfer(m.target);
        return;
      case 'readIndex':
        this.leaderReadIndex(m.context, m.from);
        return;
      case 'appendEntriesResponse':
        this.handleAppendResponse(m);
        return;
      case 'heartbeatResponse':
        this.handleHeartbeatResponse(m);
        return;
      case 'appendEntries':
      case 'heartbeat':
      case 'installSnapshot':
        // Same term, another leader: election safety is broken. Never happens unless votes were lost.
        throw new Error(`raft: ${this.id} is leader of term ${this.term} but got ${m.type} from ${m.from} in the same term`);
      case 'requestVoteResponse':
      case 'timeoutNow':
      case 'readIndexResponse':
      case 'requestVote':
        return;
      default: {
        const never: never = m;
        throw new Error(`raft: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'appendEntries':
        this.becomeFollower(m.term, m.from);
        this.handleAppendEntries(m);
        return;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return;
      case 'installSnapshot':
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return;
      case 'requestVoteResponse':
        if (this.learnCommitPoint(m) && this.hasUnappliedConfChange()) {
          // The votes were counted in a configuration that is no longer the latest committed
          // one; apply it first and campaign in it at the next timeout (as hup() requires).
          this.logger.info({ id: this.id, term: this.term }, 'raft: a committed membership change is unapplied, ending the campaign');
          this.becomeFollower(this.term, NONE);
          this.leaderContactElapsed = this.electionTick;
          return;
        }
        this.handleVoteResponse(m);
        return;
      case 'propose':
      case 'transferLeader':
      case 'readIndex':
      case 'timeoutNow':
      case 'appendEntriesResponse':
      case 'heartbeatResponse':
      case 'readIndexResponse':
      case 'requestVote':
        return;
      default: {
        const never: never = m;
        throw new Error(`raft: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'appendEntries':
        this.heardFromLeader(m.from);
        this.handleAppendEntries(m);
        return;
      case 'heartbeat':
        this.heardFromLeader(m.from);
        this.handleHeartbeat(m);
        return;
      case 'installSnapshot':
        this.heardFromLeader(m.from);
        this.handleSnapshot(m);
        return;
      case 'timeoutNow':
        // The leader asks us to take over (transfer): campaign at once, skipping PreVote.
        if (!this.promotable()) {
          this.logger.info({ id: this.id, from: m.from }, 'raft: got TimeoutNow but cannot be promoted');
          return;
        }
        this.logger.info({ id: this.id, from: m.from, term: this.term }, 'raft: TimeoutNow, campaigning for transfer');
        this.hup(CampaignType.Transfer);
        return;
      case 'readIndexResponse':
        if (!m.reject) this.readStates.push({ index: m.index, context: m.context });
        return;
      case 'propose':
      case 'transferLeader':
      case 'readIndex':
        // Forwarded to us by a node that thought we lead; forwarding again could loop.
        return;
      case 'requestVoteResponse':
        // A rejection from a higher term turned our campaign into this follower state.
        this.learnCommitPoint(m);
        return;
      case 'appendEntriesResponse':
      case 'heartbeatResponse':
      case 'requestVote':
        return;
      default: {
        const never: never = m;
        throw new Error(`raft: unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  private heardFromLeader(from: NodeId): void {
    this.electionElapsed = 0;
    this.leaderContactElapsed = 0;
    // A policy may rank us among the voters other than the leader: redraw once we know it.
    // (Without a policy nothing is redrawn, as in etcd.)
    if (this.lead !== from && this.electionTimeoutPolicy !== undefined) this.resetRandomizedElectionTimeout(from);
    this.lead = from;
  }

  // ---------------------------------------------------------------- follower side of replication

  private handleAppendEntries(m: AppendEntries): void {
    const committed = this.raftLog.committed;
    if (m.prevIndex < committed) {
      // Everything up to our commit index is known to match; tell the leader where we are.
      this.send<AppendEntriesResponse>({
        type: 'appendEntriesResponse',
        from: this.id,
        to: m.from,
        term: this.term,
        index: committed,
        reject: false,
        rejectHint: 0,
        hintTerm: 0,
      });
      return;
    }
    const last = this.raftLog.maybeAppend(m.prevIndex, m.prevTerm, m.commit, m.entries);
    if (last !== undefined) {
      this.send<AppendEntriesResponse>({
        type: 'appendEntriesResponse',
        from: this.id,
        to: m.from,
        term: this.term,
        index: last,
        reject: false,
        rejectHint: 0,
        hintTerm: 0,
      });
      return;
    }
    // Fast back-off: suggest the largest index at or below prevIndex whose term is <= prevTerm.
    const hintIndex = Math.min(m.prevIndex, this.raftLog.lastIndex());
    const hint = this.raftLog.findConflictByTerm(hintIndex, m.prevTerm);
    this.logger.debug({ id: this.id, prevIndex: m.prevIndex, prevTerm: m.prevTerm, hint }, 'raft: rejecting append');
    this.send<AppendEntriesResponse>({
      type: 'appendEntriesResponse',
      from: this.id,
      to: m.from,
      term: this.term,
      index: m.prevIndex,
      reject: true,
      rejectHint: hint.index,
      hintTerm: hint.term,
    });
  }

  private handleHeartbeat(m: Heartbeat): void {
    this.raftLog.commitTo(m.commit);
    // Silence is never an acknowledgement: the leader that marked the round optional simply
    // does not count it. It still learns about changes: a rejected or stale append answers
    // through appendEntriesResponse, a new term or leader through the answer below.
    if (m.replyOptional === true && this.answeredTerm === this.term && this.answeredLead === m.from) return;
    this.answeredTerm = this.term;
    this.answeredLead = m.from;
    this.send<HeartbeatResponse>({ type: 'heartbeatResponse', from: this.id, to: m.from, term: this.term, round: m.round });
  }

  private handleSnapshot(m: InstallSnapshot): void {
    const { index, term } = m.snapshot.metadata;
    if (this.restore(m.snapshot)) {
      this.logger.info({ id: this.id, index, term }, 'raft: restored snapshot');
      this.send<AppendEntriesResponse>({
        type: 'appendEntriesResponse',
        from: this.id,
        to: m.from,
        term: this.term,
        index: this.raftLog.lastIndex(),
        reject: false,
        rejectHint: 0,
        hintTerm: 0,
      });
    } else {
      this.send<AppendEntriesResponse>({
        type: 'appendEntriesResponse',
        from: this.id,
        to: m.from,
        term: this.term,
        index: this.raftLog.committed,
        reject: false,
        rejectHint: 0,
        hintTerm: 0,
      });
    }
  }

  /** §7: replace our log with the snapshot unless we already have what it covers. */
  private restore(s: Snapshot): boolean {
    const { index, term, confState } = s.metadata;
    if (index <= this.raftLog.committed) return false;
    if (this.raftLog.matchTerm(index, term)) {
      // We have the entry: just learn that it is committed (our later entries may be valid).
      this.raftLog.commitTo(index);
      return false;
    }
    this.raftLog.restore(s);
    this.trk.applyConfState(confState, this.raftLog.lastIndex());
    this.isLearner = this.trk.isLearner(this.id);
    return true;
  }

  // ---------------------------------------------------------------- leader side of replication

  /** Append entries proposed locally or forwarded, stamping term and index. */
  private appendEntries(entries: readonly Entry[]): void {
    let index = this.raftLog.lastIndex();
    const stamped = entries.map((e) => ({ ...e, term: this.term, index: ++index }));
    this.raftLog.append(stamped);
    this.trk.progress.get(this.id)?.maybeUpdate(this.raftLog.lastIndex());
    this.maybeCommit();
  }

  /** §5.3/§5.4.2: advance commit to what a quorum has, but only by counting current-term entries. */
  maybeCommit(): boolean {
    const committedBefore = this.raftLog.committed;
    const advanced = this.raftLog.maybeCommit(this.trk.committed(), this.term);
    if (advanced && this.state === StateType.Leader) this.onLeaderCommitAdvanced(committedBefore);
    return advanced;
  }

  private onLeaderCommitAdvanced(_before: number): void {
    // Reads that arrived before our first commit in this term can now run a round.
    if (this.readsAwaitingCommit.length > 0 && this.committedInCurrentTerm()) {
      const waiting = this.readsAwaitingCommit;
      this.readsAwaitingCommit = [];
      for (const r of waiting) this.leaderReadIndex(r.context, r.from);
    }
  }

  private committedInCurrentTerm(): boolean {
    return this.raftLog.term(this.raftLog.committed) === this.term;
  }

  private leaderPropose(entries: readonly Entry[]): void {
    if (this.leadTransferee !== NONE) {
      throw new ProposalDroppedError(`leadership transfer to ${this.leadTransferee} in progress`);
    }
    if (!this.trk.isVoter(this.id) || this.selfRemovalIndex > this.raftLog.applied) {
      throw new ProposalDroppedError('this leader is being removed from the voters; retry on the next leader');
    }
    const checked: Entry[] = [];
    for (const e of entries) {
      if (e.type === EntryType.ConfChange) {
        if (!this.confChangeAllowed()) {
          throw new ProposalDroppedError(
            `a membership change is still pending (index ${this.pendingConfIndex}, applied ${this.raftLog.applied}); retry once it is applied`,
          );
        }
        // Reject changes that cannot apply to the current config (e.g. removing the last voter).
        const next = applyConfChange(this.trk.confState(), decodeConfChange(e.data));
        this.pendingConfIndex = this.raftLog.lastIndex() + checked.length + 1;
        if (!next.voters.includes(this.id)) {
          if (e !== entries[entries.length - 1]) {
            throw new ProposalDroppedError("nothing may be proposed after the leader's own removal in one batch");
          }
          this.selfRemovalIndex = this.pendingConfIndex;
        }
      }
      checked.push(e);
    }
    this.appendEntries(checked);
    this.bcastAppend();
  }

  /**
   * Single-server change safety: one change at a time, and not before this leader's no-op
   * (which carries every earlier change to the applied state) has been applied.
   */
  confChangeAllowed(): boolean {
    return this.pendingConfIndex <= this.raftLog.applied;
  }

  private handleAppendResponse(m: AppendEntriesResponse): void {
    const pr = this.trk.progress.get(m.from);
    if (!pr) return;
    pr.recentActive = true;
    if (m.reject) {
      let nextProbe = m.rejectHint;
      if (m.hintTerm > 0) nextProbe = this.raftLog.findConflictByTerm(m.rejectHint, m.hintTerm).index;
      if (pr.maybeDecrTo(m.index, nextProbe)) {
        this.logger.debug({ id: this.id, to: m.from, next: pr.next }, 'raft: follower rejected append, probing back');
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    // A probe answered at exactly our known match still tells us where the logs agree.
    const updated = pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === ProgressState.Probe);
    if (!updated) return;
    switch (pr.state) {
      case ProgressState.Probe:
        pr.becomeReplicate();
        break;
      case ProgressState.Snapshot:
        // Done once the follower reaches the snapshot, or is back within our log anyway.
        if (pr.match >= pr.pendingSnapshot || pr.match + 1 >= this.raftLog.firstIndex()) {
          pr.becomeProbe();
          pr.becomeReplicate();
        }
        break;
      case ProgressState.Replicate:
        pr.inflights.freeLE(m.index);
        break;
    }
    if (this.maybeCommit()) {
      // No append to every follower just to carry the new commit index (etcd sends one): the
      // next append carries it, within a round trip under load, or sendPendingCommit() at the
      // next tick. At one client that spares each follower a wake-up per put (a fifth to a
      // quarter of its CPU per put).
      // Commit knowledge on followers is only liveness (their applied state, serializable
      // reads): a follower's ReadIndex runs a heartbeat round, which carries the commit index.
      this.commitUnsent = true;
      if (wasPaused) this.sendAppend(m.from);
    } else if (wasPaused) {
      this.sendAppend(m.from);
    }
    // Pipeline: keep sending while there is more and the window allows.
    while (this.maybeSendAppend(m.from, false)) {
      /* keep going */
    }
    if (m.from === this.leadTransferee) this.maybeFinishTransfer();
    this.maybeHandOver();
  }

  private handleHeartbeatResponse(m: HeartbeatResponse): void {
    const pr = this.trk.progress.get(m.from);
    if (!pr) return;
    pr.recentActive = true;
    pr.probeSent = false;
    if (pr.state === ProgressState.Replicate && pr.inflights.full()) pr.inflights.freeFirstOne();
    if (pr.match < this.raftLog.lastIndex()) this.sendAppend(m.from);
    if (m.round > pr.ackedRound && m.round <= this.rounds.current) {
      pr.ackedRound = m.round;
      this.updateQuorumRound();
    }
  }

  /** Newest heartbeat round a quorum of voters acknowledged (we count ourselves as acking our latest). */
  private updateQuorumRound(): void {
    const round = majorityIndex(this.trk.voters(), (id) =>
      id === this.id ? this.rounds.current : (this.trk.progress.get(id)?.ackedRound ?? 0),
    );
    const advanced = this.rounds.advanceTo(round);
    if (!advanced) return;
    this.leaseAck = advanced.lease;
    for (const read of advanced.reads) this.releaseRead(read);
  }

  private releaseRead(read: PendingRead): void {
    if (read.from === this.id) {
      this.readStates.push({ index: read.index, context: read.context });
    } else {
      this.send({
        type: 'readIndexResponse',
        from: this.id,
        to: read.from,
        term: this.term,
        context: read.context,
        index: read.index,
        reject: false,
      });
    }
  }

  sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true);
  }

  /** Send entries (or a snapshot, §7) to one follower; false when nothing was sent. */
  private maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.trk.progress.get(to);
    if (!pr || to === this.id || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.raftLog.term(prevIndex);
    let entries: Entry[] | undefined;
    try {
      entries = pr.next > this.raftLog.lastIndex() ? [] : this.raftLog.entries(pr.next, this.maxSizePerMsg);
    } catch (e) {
      if (!(e instanceof CompactedError)) throw e;
      entries = undefined;
    }
    if (entries !== undefined && entries.length === 0 && !sendIfEmpty) return false;
    if (prevTerm === undefined || entries === undefined) {
      return this.sendSnapshot(to, pr);
    }
    this.send<AppendEntries>({
      type: 'appendEntries',
      from: this.id,
      to,
      term: this.term,
      prevIndex,
      prevTerm,
      entries,
      commit: this.raftLog.committed,
    });
    pr.sentCommit = this.raftLog.committed;
    const last = entries.length > 0 ? entries[entries.length - 1].index : prevIndex;
    pr.sentEntries(last, entries.length);
    return true;
  }

  private sendSnapshot(to: NodeId, pr: Progress): boolean {
    const snapshot = this.raftLog.snapshot();
    if (snapshot.metadata.index === 0) {
      throw new Error(`raft: ${to} needs entries before ${this.raftLog.firstIndex()} but there is no snapshot`);
    }
    this.logger.info({ id: this.id, to, index: snapshot.metadata.index, term: snapshot.metadata.term }, 'raft: sending snapshot');
    this.send<InstallSnapshot>({ type: 'installSnapshot', from: this.id, to, term: this.term, snapshot });
    pr.becomeSnapshot(snapshot.metadata.index);
    return true;
  }

  bcastAppend(): void {
    this.trk.visit((id) => {
      if (id === this.id) return;
      this.sendAppend(id);
      // A batch of proposals larger than one message goes out now, as far as the window
      // allows, not one message per answer.
      while (this.maybeSendAppend(id, false)) {
        /* keep going */
      }
    });
  }

  /**
   * Start a heartbeat round (lease + ReadIndex) and send it to every follower and learner. The
   * heartbeats keep going every heartbeatTick (followers' election timers need them), but an
   * answer is asked for only where we need one (replyOptional otherwise): a quorum's
   * acknowledgement when a read waits or the newest acknowledged round is quorumAckTicks old
   * (the lease's renewal: from just enough voters, renewalAskees), and any follower CheckQuorum
   * has not heard from in this election timeout or whose progress we do not know for sure.
   */
  private bcastHeartbeat(): number {
    const quorumWanted = this.quorumAckWanted();
    const lastIndex = this.raftLog.lastIndex();
    const askees = quorumWanted ? this.renewalAskees(lastIndex) : undefined;
    const round = this.rounds.start(this.tickCount);
    if (quorumWanted) this.quorumAskRound = round;
    this.trk.visit((id, pr) => {
      if (id === this.id) return;
      // Never tell a follower to commit beyond what it is known to have.
      const commit = Math.min(pr.match, this.raftLog.committed);
      pr.sentCommit = Math.max(pr.sentCommit, commit);
      const ask = !(pr.recentActive && this.progressKnown(pr, lastIndex)) || (quorumWanted && (askees === undefined || askees.has(id)));
      if (ask) pr.askedRound = round;
      const m: Heartbeat = ask
        ? { type: 'heartbeat', from: this.id, to: id, term: this.term, commit, round }
        : { type: 'heartbeat', from: this.id, to: id, term: this.term, commit, round, replyOptional: true };
      this.send(m);
    });
    this.updateQuorumRound(); // a single-voter cluster is its own quorum
    return round;
  }

  /** The follower is replicating and holds our whole log: nothing to learn from its answer but contact. */
  private progressKnown(pr: Progress, lastIndex: number): boolean {
    return pr.state === ProgressState.Replicate && pr.match >= lastIndex;
  }

  /**
   * The voters a quorum round asks, with the leader counting itself (undefined: everyone). Only
   * a plain renewal is narrowed: a pending read wants the first quorum that answers, a renewal
   * whose previous ask is still unanswered must not depend on the same few again, and where the
   * lease renews on every heartbeat (the validator barely passes) there is no round to retry in.
   */
  private renewalAskees(lastIndex: number): ReadonlySet<NodeId> | undefined {
    if (this.quorumAckTicks <= this.heartbeatTick || this.rounds.pendingReadCount() > 0) return undefined;
    if (this.quorumAskRound > this.rounds.quorumAcked) return undefined;
    const voters = this.trk.voters();
    const need = majoritySize(voters.length) - (voters.includes(this.id) ? 1 : 0);
    const candidates = [];
    for (const id of voters) {
      const pr = this.trk.progress.get(id);
      if (id === this.id || pr === undefined || !pr.recentActive || !this.progressKnown(pr, lastIndex)) continue;
      candidates.push({ id, answeredLastAsk: pr.ackedRound >= pr.askedRound, askedRound: pr.askedRound });
    }
    return pickRenewalAskees(candidates, need);
  }

  /** Does the round about to start need a quorum of answers (a pending read, the lease's renewal)? */
  private quorumAckWanted(): boolean {
    if (this.quorumAckTicks <= this.heartbeatTick || this.rounds.pendingReadCount() > 0) return true;
    const since = this.rounds.quorumAckedStartTick;
    return since === undefined || this.tickCount - since >= this.quorumAckTicks;
  }

  // ---------------------------------------------------------------- ReadIndex

  /** Local or forwarded read: register it at the current commit index and run a quorum round. */
  leaderReadIndex(context: string, from: NodeId): void {
    if (!this.committedInCurrentTerm()) {
      // Our commit index may lag the true one until our no-op commits (§8).
      this.readsAwaitingCommit.push({ context, from });
      return;
    }
    const index = this.raftLog.committed;
    if (this.trk.voters().length === 1 && this.trk.isVoter(this.id)) {
      this.releaseRead({ context, index, round: 0, from });
      return;
    }
    const round = this.rounds.current + 1;
    this.rounds.addRead({ context, index, round, from });
    this.bcastHeartbeat();
  }

  readIndex(context: string): void {
    if (this.state === StateType.Leader) {
      this.leaderReadIndex(context, this.id);
    } else if (this.lead !== NONE && this.state === StateType.Follower) {
      this.send({ type: 'readIndex', from: this.id, to: this.lead, term: 0, context });
    } else {
      throw new ProposalDroppedError('no leader to serve a linearizable read');
    }
  }

  // ---------------------------------------------------------------- proposals (local API)

  propose(data: Uint8Array): void {
    this.proposeEntries([{ term: 0, index: 0, type: EntryType.Normal, data }]);
  }

  /** Several Normal entries in one step, in order: a leader sends them in one append per follower. */
  proposeMany(data: readonly Uint8Array[]): void {
    this.proposeEntries(data.map((d) => ({ term: 0, index: 0, type: EntryType.Normal, data: d })));
  }

  proposeConfChange(cc: ConfChange): void {
    this.proposeEntries([{ term: 0, index: 0, type: EntryType.ConfChange, data: encodeConfChange(cc) }]);
  }

  private proposeEntries(entries: Entry[]): void {
    switch (this.state) {
      case StateType.Leader:
        this.leaderPropose(entries);
        return;
      case StateType.Follower:
        if (this.lead === NONE) throw new ProposalDroppedError('no leader known');
        // A batch forwarded whole could exceed the transport's message limit and be dropped
        // (every writer in it would wait out its timeout): forward it in messages of at most
        // maxSizePerMsg, a larger entry alone.
        for (let from = 0; from < entries.length;) {
          const part = limitSize(from === 0 ? entries : entries.slice(from), this.maxSizePerMsg);
          this.send({ type: 'propose', from: this.id, to: this.lead, term: 0, entries: part });
          from += part.length;
        }
        return;
      case StateType.Candidate:
      case StateType.PreCandidate:
        throw new ProposalDroppedError('election in progress');
      default: {
        const never: never = this.state;
        throw new Error(`raft: unknown state ${String(never)}`);
      }
    }
  }

  // ---------------------------------------------------------------- leadership transfer

  transferLeadership(to: NodeId): void {
    if (this.state === StateType.Leader) {
      this.leaderTransfer(to);
    } else if (this.lead !== NONE) {
      this.send({ type: 'transferLeader', from: this.id, to: this.lead, term: 0, target: to });
    } else {
      throw new ProposalDroppedError('no leader to transfer leadership from');
    }
  }

  private leaderTransfer(to: NodeId): void {
    if (to === this.id) return;
    if (!this.trk.isVoter(to)) {
      this.logger.info({ id: this.id, to }, 'raft: transfer target is not a voter, ignoring');
      return;
    }
    if (this.leadTransferee === to) return;
    if (this.leadTransferee !== NONE) this.abortLeaderTransfer();
    this.logger.info({ id: this.id, to, term: this.term }, 'raft: starting leadership transfer');
    this.leadTransferee = to;
    this.electionElapsed = 0; // the transfer must finish within one election timeout
    const pr = this.trk.progress.get(to)!;
    if (pr.match === this.raftLog.lastIndex()) this.maybeFinishTransfer();
    else this.sendAppend(to);
  }

  /**
   * Send TimeoutNow once the transferee has our whole log — but not while a committed
   * membership change is unapplied: it may remove the transferee, which would then campaign
   * in a config it is about to leave. switchToConfig() retries after applying.
   */
  private maybeFinishTransfer(): void {
    const to = this.leadTransferee;
    if (to === NONE || this.hasUnappliedConfChange()) return;
    if (this.trk.progress.get(to)?.match !== this.raftLog.lastIndex()) return;
    this.logger.info({ id: this.id, to }, 'raft: transferee caught up, sending TimeoutNow');
    this.sendTimeoutNow(to);
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send({ type: 'timeoutNow', from: this.id, to, term: this.term });
  }

  private abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  // ---------------------------------------------------------------- membership

  /** Called by RawNode when a committed membership-change entry is applied. */
  applyConfChangeEntry(data: Uint8Array): ConfState {
    let cc: ConfChange;
    try {
      cc = decodeConfChange(data);
    } catch (e) {
      if (!(e instanceof ConfChangeError)) throw e;
      // Every replica decodes the same bytes the same way, so skipping keeps them in step.
      this.logger.warn({ id: this.id, err: e.message }, 'raft: skipping undecodable membership change');
      return this.trk.confState();
    }
    return this.applyConfChange(cc);
  }

  applyConfChange(cc: ConfChange): ConfState {
    let next: ConfState;
    try {
      next = applyConfChange(this.trk.confState(), cc);
    } catch (e) {
      // Validated at proposal, so only reachable for changes committed by an older leader
      // that validated against a different config. Every node skips it the same way.
      if (e instanceof ConfChangeError) {
        this.logger.warn({ id: this.id, cc, err: e.message }, 'raft: skipping invalid membership change');
        return this.trk.confState();
      }
      throw e;
    }
    this.switchToConfig(next);
    return next;
  }

  private switchToConfig(cs: ConfState): void {
    this.trk.applyConfState(cs, this.raftLog.lastIndex());
    this.isLearner = this.trk.isLearner(this.id);
    this.logger.info({ id: this.id, voters: cs.voters, learners: cs.learners }, 'raft: membership changed');
    if (this.state !== StateType.Leader) return;
    if (this.leadTransferee !== NONE && !this.trk.isVoter(this.leadTransferee)) this.abortLeaderTransfer();
    this.maybeCommit(); // a smaller voter set may commit more
    this.bcastAppend();
    this.maybeFinishTransfer();
    if (!this.trk.isVoter(this.id)) {
      this.logger.info({ id: this.id }, 'raft: leader removed from voters, handing over');
      this.maybeHandOver();
    }
  }

  /**
   * A leader that removed (or demoted) itself keeps replicating — without counting itself —
   * until a remaining voter has its whole log, then sends it TimeoutNow and steps down.
   * Stepping down earlier can deadlock: the others may not yet know the removal is
   * committed, still count us as a voter, and we would refuse them our vote (our log is longer).
   */
  private maybeHandOver(): void {
    if (this.state !== StateType.Leader || this.trk.isVoter(this.id)) return;
    let successor: NodeId = NONE;
    this.trk.visit((id, pr) => {
      if (successor === NONE && id !== this.id && this.trk.isVoter(id) && pr.match === this.raftLog.lastIndex()) successor = id;
    });
    if (successor === NONE) return;
    this.logger.info({ id: this.id, successor, term: this.term }, 'raft: removed leader hands over and steps down');
    this.sendTimeoutNow(successor);
    this.becomeFollower(this.term, NONE);
    this.leaderContactElapsed = this.electionTick;
  }

  // ---------------------------------------------------------------- transport feedback

  reportUnreachable(id: NodeId): void {
    const pr = this.trk.progress.get(id);
    if (this.state !== StateType.Leader || !pr) return;
    if (pr.state === ProgressState.Replicate) pr.becomeProbe();
  }

  reportSnapshot(id: NodeId, ok: boolean): void {
    const pr = this.trk.progress.get(id);
    if (this.state !== StateType.Leader || !pr || pr.state !== ProgressState.Snapshot) return;
    if (!ok) pr.pendingSnapshot = 0;
    // Wait for the follower's next heartbeat response before probing again.
    pr.becomeProbe();
    pr.probeSent = true;
  }

  // ---------------------------------------------------------------- output

  private send<M extends Message>(m: M): void {
    this.msgs.push(m);
  }
}
