// The logging the client API does (a pino logger fits). Its own module because the unary
// handlers (client-service.ts) and the write stream (write-stream.ts) both log through it.
export interface ServiceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
