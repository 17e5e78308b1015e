// Shared pieces of the transport tests: message generators, condition waits, transports on
// loopback ports.
import fc from 'fast-check';
import type { Message } from '../../src/raft/messages.js';
import type { Entry } from '../../src/raft/types.js';
import { seededRng } from '../../src/raft/rng.js';
import { PeerTransport, type PeerTransportOptions } from '../../src/transport/transport.js';

const u = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const small = fc.nat({ max: 1000 });
const id = fc.constantFrom('n1', 'n2', 'n3', 'node-with-a-longer-name');
const bytes = fc.uint8Array({ maxLength: 64 });
const entry: fc.Arbitrary<Entry> = fc
  .record({ term: u, index: u, type: fc.constantFrom('normal', 'confChange' as const), data: bytes })
  .map((e) => ({ ...e })); // fc.record objects have a null prototype

/** `count` entries that may follow prevIndex/prevTerm in a leader of `term` (what the codec checks). */
function appendable(prevIndex: number, prevTerm: number, term: number): fc.Arbitrary<Entry[]> {
  return fc.array(fc.tuple(fc.nat({ max: 3 }), bytes, fc.boolean()), { maxLength: 5 }).map((xs) => {
    let t = prevTerm;
    return xs.map(([bump, data, cc], i) => {
      t = Math.min(term, t + bump);
      return { term: t, index: prevIndex + 1 + i, type: cc ? 'confChange' : 'normal', data };
    });
  });
}

/** Any stream message (not installSnapshot) from n1 to n2. */
export const streamMessage: fc.Arbitrary<Message> = fc.tuple(small, small, small).chain(([term, prevIndex, prevTermRaw]) => {
  const env = { from: 'n1', to: 'n2', term };
  const prevTerm = Math.min(prevTermRaw, term);
  return fc.oneof(
    fc
      .record({
        prevIndex: fc.constant(prevIndex),
        prevTerm: fc.constant(prevTerm),
        entries: appendable(prevIndex, prevTerm, term),
        commit: u,
      })
      .map((b) => ({ ...env, type: 'appendEntries' as const, ...b })),
    fc
      .record({ index: u, reject: fc.boolean(), rejectHint: u, hintTerm: u })
      .map((b) => ({ ...env, type: 'appendEntriesResponse' as const, ...b })),
    fc.record({ commit: u, round: u }).map((b) => ({ ...env, type: 'heartbeat' as const, ...b })),
    fc.record({ commit: u, round: u }).map((b) => ({ ...env, type: 'heartbeat' as const, ...b, replyOptional: true })),
    fc.record({ round: u }).map((b) => ({ ...env, type: 'heartbeatResponse' as const, ...b })),
    fc
      .record({ preVote: fc.boolean(), lastIndex: u, lastTerm: u, transfer: fc.boolean() })
      .map((b) => ({ ...env, type: 'requestVote' as const, ...b })),
    fc
      .record({ preVote: fc.boolean(), reject: fc.boolean(), commitIndex: u, commitTerm: u })
      .map((b) => ({ ...env, type: 'requestVoteResponse' as const, ...b })),
    fc.constant({ ...env, type: 'timeoutNow' as const }),
    fc.record({ context: fc.string() }).map((b) => ({ ...env, type: 'readIndex' as const, ...b })),
    fc.record({ context: fc.string(), index: u, reject: fc.boolean() }).map((b) => ({ ...env, type: 'readIndexResponse' as const, ...b })),
    fc.record({ entries: fc.array(entry, { maxLength: 4 }) }).map((b) => ({ ...env, type: 'propose' as const, ...b })),
    fc.record({ target: id }).map((b) => ({ ...env, type: 'transferLeader' as const, ...b })),
  );
});

export function heartbeat(from: string, to: string, round: number): Message {
  return { type: 'heartbeat', from, to, term: 1, commit: 0, round };
}

/** Polls `cond` until it holds; fails with `what` after `timeoutMs`. Not a sleep: it returns as soon as it can. */
export async function eventually(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A transport on an ephemeral loopback port that records what it receives. */
export interface TestNode {
  readonly transport: PeerTransport;
  readonly received: Message[];
  readonly unreachable: string[];
  readonly snapshots: [string, boolean][];
}

export function testNode(opts: Partial<PeerTransportOptions> & { nodeId: string }): TestNode {
  const received: Message[] = [];
  const unreachable: string[] = [];
  const snapshots: [string, boolean][] = [];
  const transport = new PeerTransport({
    clusterId: 'alpha',
    listen: '127.0.0.1:0',
    peers: new Map(),
    rng: seededRng(7),
    backoff: { initialMs: 10, maxMs: 100 },
    reportUnreachable: (peer) => unreachable.push(peer),
    reportSnapshot: (peer, ok) => snapshots.push([peer, ok]),
    ...opts,
  });
  transport.onMessage((m) => received.push(m));
  return { transport, received, unreachable, snapshots };
}
