// Golden scenario scripts (model: etcd-io/raft interaction_test.go + datadriven testdata).
//
// A script is a sequence of blocks separated by blank lines. A block is optional `#` comment
// lines, one command, a `----` line, and the command's output (never empty: "ok" when there
// is nothing to say). The runner executes each command on a Harness and compares the
// transcript with the stored output; REWRITE_GOLDEN=1 rewrites it.
//
// Output of a command: role changes (`a: leader term=2 lead=a`) observed in every Ready
// during the command, traced messages (`trace` command), read states, snapshots applied,
// errors thrown (`error: ...`), or a table (`status`, `progress`, `log`).
//
// Commands:
//   nodes a b c [learners=x,y] [preVote=false] [checkQuorum=false] [electionTick=10] [heartbeatTick=1] [seed=1]
//   elect a                  expire leader contact everywhere (a fresh or hand-built state), then campaign
//   campaign a               campaign now (no expiry: sticky voters may ignore it)
//   tick a [n] | tick-all [n]
//   propose a TEXT
//   add-voter a X | add-learner a X | remove a X    membership change proposed at a
//   transfer a X             ask a to transfer leadership to X
//   read-index a CTX
//   isolate a | cut a b | heal | ignore MESSAGE_TYPE
//   crash a | restart a | add-node a (empty storage)
//   compact a                snapshot a's state machine at its applied index and compact its log
//   trace TYPE... | trace all | trace off     print delivered (and dropped) messages of these types
//   status | progress a | log a | applied a
import type { Message, MessageType } from '../../src/raft/messages.js';
import { MESSAGE_TYPES } from '../../src/raft/messages.js';
import { MemoryStorage } from '../../src/raft/memory-storage.js';
import type { Ready } from '../../src/raft/ready.js';
import { ConfChangeType, EntryType, NONE, type Entry, type NodeId, type StateType } from '../../src/raft/types.js';
import { decodeConfChange } from '../../src/raft/conf-change-codec.js';
import { Harness, type HarnessOptions } from './harness.js';

export interface Block {
  readonly comments: readonly string[];
  readonly command: string;
  readonly output: readonly string[];
}

export interface Script {
  readonly blocks: readonly Block[];
  /** Comment lines after the last block. */
  readonly trailer: readonly string[];
}

const SEPARATOR = '----';

export function parseScript(text: string): Script {
  const blocks: Block[] = [];
  let comments: string[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    if (line.startsWith('#')) {
      comments.push(line);
      i++;
      continue;
    }
    const command = line.trim();
    i++;
    if (lines[i] !== SEPARATOR) throw new Error(`line ${i + 1}: expected "${SEPARATOR}" after command "${command}"`);
    i++;
    const output: string[] = [];
    while (i < lines.length && lines[i].trim() !== '') output.push(lines[i++]);
    blocks.push({ comments, command, output });
    comments = [];
  }
  return { blocks, trailer: comments };
}

export function formatScript(script: Script): string {
  const parts = script.blocks.map((b) => [...b.comments, b.command, SEPARATOR, ...b.output].join('\n'));
  if (script.trailer.length > 0) parts.push(script.trailer.join('\n'));
  return parts.join('\n\n') + '\n';
}

/** Run every command of the script; returns the script with the actual outputs. */
export function runScript(text: string): Script {
  const script = parseScript(text);
  const runner = new ScenarioRunner();
  return { blocks: script.blocks.map((b) => ({ ...b, output: runner.run(b.command) })), trailer: script.trailer };
}

interface Role {
  state: StateType;
  term: number;
  lead: NodeId;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd(),
  );
}

function entryText(e: Entry): string {
  if (e.type === EntryType.ConfChange) {
    const cc = decodeConfChange(e.data);
    return `${e.index}@${e.term} ${cc.type} ${cc.nodeId}`;
  }
  return e.data.length === 0 ? `${e.index}@${e.term} no-op` : `${e.index}@${e.term} "${new TextDecoder().decode(e.data)}"`;
}

function entryIds(entries: readonly Entry[]): string {
  return `[${entries.map((e) => `${e.index}@${e.term}`).join(' ')}]`;
}

export function describeMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} term=${m.term}`;
  switch (m.type) {
    case 'appendEntries':
      return `${head} prev=${m.prevIndex}@${m.prevTerm} entries=${entryIds(m.entries)} commit=${m.commit}`;
    case 'appendEntriesResponse':
      return m.reject ? `${head} reject index=${m.index} hint=${m.rejectHint}@${m.hintTerm}` : `${head} index=${m.index}`;
    case 'heartbeat':
      return `${head} commit=${m.commit} round=${m.round}`;
    case 'heartbeatResponse':
      return `${head} round=${m.round}`;
    case 'requestVote':
      return `${head}${m.preVote ? ' pre' : ''}${m.transfer ? ' transfer' : ''} last=${m.lastIndex}@${m.lastTerm}`;
    case 'requestVoteResponse':
      return `${head}${m.preVote ? ' pre' : ''}${m.reject ? ' reject' : ' grant'}${m.commitIndex ? ` commit=${m.commitIndex}@${m.commitTerm}` : ''}`;
    case 'installSnapshot': {
      const md = m.snapshot.metadata;
      return `${head} snapshot=${md.index}@${md.term} voters=${md.confState.voters.join(',')}`;
    }
    case 'timeoutNow':
      return head;
    case 'readIndex':
      return `${head} ctx=${m.context}`;
    case 'readIndexResponse':
      return `${head} ctx=${m.context} index=${m.index}${m.reject ? ' reject' : ''}`;
    case 'propose':
      return `${head} entries=${m.entries.length}`;
    case 'transferLeader':
      return `${head} target=${m.target}`;
    default: {
      const never: never = m;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
}

export class ScenarioRunner {
  private h: Harness | undefined;
  private out: string[] = [];
  private traced = new Set<MessageType>();
  private readonly roles = new Map<NodeId, Role>();
  private readonly crashed = new Map<NodeId, MemoryStorage>();

  /** Execute one command line; returns its output lines. */
  run(line: string): string[] {
    this.out = [];
    const [cmd, ...args] = line.split(/\s+/);
    try {
      this.exec(cmd ?? '', args);
    } catch (e) {
      this.out.push(`error: ${(e as Error).message}`);
    }
    return this.out.length > 0 ? this.out : ['ok'];
  }

  private get harness(): Harness {
    if (!this.h) throw new Error('no cluster: start with "nodes"');
    return this.h;
  }

  private exec(cmd: string, args: string[]): void {
    const arg = (i: number): string => {
      const a = args[i];
      if (a === undefined) throw new Error(`${cmd}: missing argument ${i + 1}`);
      return a;
    };
    const count = (i: number): number => (args[i] === undefined ? 1 : Number(args[i]));
    switch (cmd) {
      case 'nodes':
        return this.start(args);
      case 'elect':
        this.harness.expireLeaderContact();
        this.harness.campaign(arg(0));
        return;
      case 'campaign':
        return this.harness.campaign(arg(0));
      case 'tick':
        return this.harness.tick(arg(0), count(1));
      case 'tick-all':
        return this.harness.tickAll(count(0));
      case 'propose':
        return this.harness.propose(arg(0), args.slice(1).join(' '));
      case 'add-voter':
        return this.harness.proposeConfChange(arg(0), { type: ConfChangeType.AddVoter, nodeId: arg(1) });
      case 'add-learner':
        return this.harness.proposeConfChange(arg(0), { type: ConfChangeType.AddLearner, nodeId: arg(1) });
      case 'remove':
        return this.harness.proposeConfChange(arg(0), { type: ConfChangeType.RemoveNode, nodeId: arg(1) });
      case 'transfer':
        return this.harness.transferLeadership(arg(0), arg(1));
      case 'read-index':
        return this.harness.readIndex(arg(0), arg(1));
      case 'isolate':
        return this.harness.isolate(arg(0));
      case 'cut':
        return this.harness.cutLink(arg(0), arg(1));
      case 'heal':
        return this.harness.heal();
      case 'ignore':
        if (!MESSAGE_TYPES.includes(arg(0) as MessageType)) throw new Error(`unknown message type ${arg(0)}`);
        return this.harness.ignore(arg(0) as MessageType);
      case 'crash':
        this.crashed.set(arg(0), this.harness.crash(arg(0)));
        this.roles.delete(arg(0));
        return;
      case 'restart': {
        const storage = this.crashed.get(arg(0));
        if (!storage) throw new Error(`${arg(0)} has not crashed`);
        this.crashed.delete(arg(0));
        this.harness.restart(arg(0), storage);
        this.noteRole(arg(0));
        this.harness.settle();
        return;
      }
      case 'add-node':
        this.harness.addEmptyNode(arg(0));
        this.noteRole(arg(0));
        return;
      case 'compact':
        return this.compact(arg(0));
      case 'trace':
        if (args[0] === 'off') this.traced.clear();
        else if (args[0] === 'all') this.traced = new Set(MESSAGE_TYPES);
        else {
          for (const t of args) {
            if (!MESSAGE_TYPES.includes(t as MessageType)) throw new Error(`unknown message type ${t}`);
            this.traced.add(t as MessageType);
          }
        }
        return;
      case 'status':
        return this.status();
      case 'progress':
        return this.progress(arg(0));
      case 'log':
        this.out.push(...this.harness.raft(arg(0)).raftLog.allEntries().map(entryText));
        if (this.out.length === 0) this.out.push('(empty)');
        return;
      case 'applied':
        this.out.push(JSON.stringify(this.harness.appliedTexts(arg(0))));
        return;
      default:
        throw new Error(`unknown command ${cmd}`);
    }
  }

  private start(args: string[]): void {
    const ids: NodeId[] = [];
    const opts: HarnessOptions = {};
    for (const a of args) {
      const [k, v] = a.split('=');
      if (v === undefined) {
        ids.push(a);
        continue;
      }
      switch (k) {
        case 'learners':
          opts.learners = v.split(',');
          break;
        case 'preVote':
          opts.preVote = v === 'true';
          break;
        case 'checkQuorum':
          opts.checkQuorum = v === 'true';
          break;
        case 'electionTick':
          opts.electionTick = Number(v);
          break;
        case 'heartbeatTick':
          opts.heartbeatTick = Number(v);
          break;
        case 'seed':
          opts.seed = Number(v);
          break;
        default:
          throw new Error(`unknown option ${k}`);
      }
    }
    const h = new Harness(ids, opts);
    this.h = h;
    for (const id of ids) this.noteRole(id);
    h.readyObservers.push((id, rd) => this.onReady(id, rd));
    h.messageObservers.push((m, dropped) => {
      if (this.traced.has(m.type)) this.out.push(describeMessage(m) + (dropped ? ' (dropped)' : ''));
    });
  }

  private noteRole(id: NodeId): void {
    const r = this.harness.raft(id);
    this.roles.set(id, { state: r.state, term: r.term, lead: r.lead });
  }

  private onReady(id: NodeId, rd: Ready): void {
    const r = this.harness.raft(id);
    const prev = this.roles.get(id);
    if (!prev || prev.state !== r.state || prev.term !== r.term || prev.lead !== r.lead) {
      this.out.push(`${id}: ${r.state} term=${r.term} lead=${r.lead === NONE ? '-' : r.lead}`);
      this.noteRole(id);
    }
    if (rd.snapshot) {
      const md = rd.snapshot.metadata;
      this.out.push(`${id}: restored snapshot ${md.index}@${md.term} voters=${md.confState.voters.join(',')}`);
    }
    for (const rs of rd.readStates) this.out.push(`${id}: read ${rs.context} at index ${rs.index}`);
  }

  private compact(id: NodeId): void {
    const hn = this.harness.get(id);
    const index = hn.core.raftLog.applied;
    const snap = hn.storage.createSnapshot(
      index,
      hn.node.confState(),
      new TextEncoder().encode(JSON.stringify(this.harness.appliedTexts(id))),
    );
    hn.storage.compact(index);
    this.out.push(`${id}: snapshot ${index}@${snap.metadata.term}, log starts at ${hn.core.raftLog.firstIndex()}`);
  }

  private status(): void {
    const h = this.harness;
    const ids = [...new Set([...h.nodes.keys(), ...this.crashed.keys()])].sort();
    const rows = [['id', 'state', 'term', 'lead', 'commit', 'applied', 'last', 'voters', 'learners']];
    for (const id of ids) {
      const hn = h.nodes.get(id);
      if (!hn) {
        rows.push([id, 'crashed', '', '', '', '', '', '', '']);
        continue;
      }
      const st = hn.node.status();
      rows.push([
        id,
        st.state,
        String(st.term),
        st.lead === NONE ? '-' : st.lead,
        String(st.commit),
        String(st.applied),
        String(st.lastIndex),
        st.confState.voters.join(','),
        st.confState.learners.join(',') || '-',
      ]);
    }
    this.out.push(...table(rows));
  }

  private progress(id: NodeId): void {
    const st = this.harness.get(id).node.status();
    if (!st.progress) {
      this.out.push(`${id} is not the leader`);
      return;
    }
    if (st.leadTransferee !== NONE) this.out.push(`transferring leadership to ${st.leadTransferee}`);
    const rows = [['id', 'match', 'next', 'state']];
    for (const [peer, pr] of [...st.progress].sort(([a], [b]) => (a < b ? -1 : 1))) {
      rows.push([peer, String(pr.match), String(pr.next), pr.state + (pr.isLearner ? ' learner' : '')]);
    }
    this.out.push(...table(rows));
  }
}
