// The transport logs through this narrow interface (a pino child logger satisfies it).
import type { RaftLogger } from '../raft/logger.js';

export interface TransportLogger extends RaftLogger {
  error(obj: object, msg?: string): void;
}

export const silentTransportLogger: TransportLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
