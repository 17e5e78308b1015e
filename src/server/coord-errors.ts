// A refusal the state machine applied the same way on every replica (a coordination command's
// CoordRefusal, a guarded KV write's WriteRefusal) becomes the typed error the client API
// answers with: FAILED_PRECONDITION and the reason as `palisade-error` (src/errors.ts).
import { NotHolderError, QueueMismatchError, SessionNotFoundError, StaleFencingTokenError, type AnyPalisadeError } from '../errors.js';
import type { CoordRefusal, WriteRefusal } from '../statemachine/coord-record.js';

export function refusalError(reason: CoordRefusal | WriteRefusal, detail: string): AnyPalisadeError {
  switch (reason) {
    case 'SESSION_NOT_FOUND':
      return new SessionNotFoundError(detail);
    case 'STALE_FENCING_TOKEN':
      return new StaleFencingTokenError(detail);
    case 'NOT_HOLDER':
      return new NotHolderError(detail);
    case 'QUEUE_MISMATCH':
      return new QueueMismatchError(detail);
    default: {
      const never: never = reason;
      throw new Error(`unknown refusal ${String(never)}`);
    }
  }
}
