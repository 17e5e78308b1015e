// The core logs through this narrow interface (pino satisfies it); silent by default.

export interface RaftLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export const silentLogger: RaftLogger = {
  debug() {},
  info() {},
  warn() {},
};
