// Client-side failures that have no server counterpart. They extend the shared classes so the
// CLI and embedders branch on the same stable `code`s (src/errors.ts).
import { InternalError, InvalidArgumentError } from '../errors.js';

/** An endpoint list that is empty or not HOST:PORT. */
export class InvalidEndpointError extends InvalidArgumentError {
  constructor(message: string) {
    super(`invalid endpoints: ${message}`);
  }
}

/** A node answered with a value the client cannot represent (e.g. a revision above 2^53-1). */
export class MalformedResponseError extends InternalError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`malformed response from the server: ${field}: ${problem}`);
  }
}
