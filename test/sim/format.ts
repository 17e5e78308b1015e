// One-line renderings of messages for the trace.
import type { Message } from '../../src/raft/messages.js';

export function formatMessage(m: Message): string {
  const head = `${m.from}→${m.to} ${m.type} t${m.term}`;
  switch (m.type) {
    case 'appendEntries': {
      const n = m.entries.length;
      const span = n === 0 ? '' : ` [${m.entries[0].index}..${m.entries[n - 1].index}]`;
      return `${head} prev=${m.prevIndex}/t${m.prevTerm}${span} c${m.commit}`;
    }
    case 'appendEntriesResponse':
      return m.reject ? `${head} REJECT ${m.index} hint=${m.rejectHint}/t${m.hintTerm}` : `${head} ok ${m.index}`;
    case 'heartbeat':
      return `${head} c${m.commit} r${m.round}`;
    case 'heartbeatResponse':
      return `${head} r${m.round}`;
    case 'requestVote':
      return `${head}${m.preVote ? ' PRE' : ''}${m.transfer ? ' transfer' : ''} last=${m.lastIndex}/t${m.lastTerm}`;
    case 'requestVoteResponse':
      return `${head}${m.preVote ? ' PRE' : ''} ${m.reject ? 'reject' : 'grant'}${m.commitIndex ? ` c${m.commitIndex}/t${m.commitTerm}` : ''}`;
    case 'installSnapshot':
      return `${head} @${m.snapshot.metadata.index}/t${m.snapshot.metadata.term}`;
    case 'timeoutNow':
      return head;
    case 'readIndex':
      return `${head} ${m.context}`;
    case 'readIndexResponse':
      return `${head} ${m.context} ${m.reject ? 'reject' : `@${m.index}`}`;
    case 'propose':
      return `${head} ${m.entries.length} entries`;
    case 'transferLeader':
      return `${head} → ${m.target}`;
    default: {
      const never: never = m;
      return String(never);
    }
  }
}
