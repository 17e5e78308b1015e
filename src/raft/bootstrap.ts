// Starting a brand-new cluster. The initial membership is written into the log itself (one
// committed ConfChange entry per member, term 1, like etcd's bootstrap) rather than only into
// each node's storage: a node that joins later with an empty log then learns the membership by
// replaying the log from index 1, exactly as the original members applied it.
import { encodeConfChange } from './conf-change-codec.js';
import { checkConfState } from './conf-change.js';
import { ConfChangeError } from './errors.js';
import type { WritableStorage } from './memory-storage.js';
import { ConfChangeType, EntryType, NONE, type ConfState, type Entry, type NodeId } from './types.js';

/**
 * The entries that record `cs` at indexes 1..n: voters first (a learner needs a voter to
 * exist). `contexts` (e.g. each member's address) rides in ConfChange.context.
 */
export function bootstrapEntries(cs: ConfState, contexts?: ReadonlyMap<NodeId, string>): Entry[] {
  checkConfState(cs);
  if (cs.voters.length === 0) throw new ConfChangeError('a new cluster needs at least one voter');
  const changes = [
    ...cs.voters.map((nodeId) => ({ type: ConfChangeType.AddVoter, nodeId })),
    ...cs.learners.map((nodeId) => ({ type: ConfChangeType.AddLearner, nodeId })),
  ].map((cc) => {
    const context = contexts?.get(cc.nodeId);
    return context === undefined ? cc : { ...cc, context };
  });
  return changes.map((cc, i) => ({ term: 1, index: i + 1, type: EntryType.ConfChange, data: encodeConfChange(cc) }));
}

/**
 * Write the bootstrap entries into empty storage, committed in term 1. Every founding member
 * must be bootstrapped with the same `cs`; the core applies the entries on its first Ready.
 */
export function bootstrapStorage(storage: WritableStorage, cs: ConfState, contexts?: ReadonlyMap<NodeId, string>): void {
  if (storage.lastIndex() !== 0 || storage.initialState().hardState.term !== 0) {
    throw new Error('bootstrap: storage is not empty (this node already belongs to a cluster)');
  }
  const entries = bootstrapEntries(cs, contexts);
  storage.append(entries);
  storage.setHardState({ term: 1, vote: NONE, commit: entries.length });
}
