// Endpoint lists: "host:port" or "host:port,host:port", IPv6 as "[::1]:7101".
import { InvalidEndpointError } from './errors.js';

const ENDPOINT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/;

/** Checks one "host:port"; returns the problem, or undefined when it is fine. */
export function endpointProblem(endpoint: string): string | undefined {
  const m = ENDPOINT.exec(endpoint);
  if (m === null) return `"${endpoint}" is not HOST:PORT (e.g. 127.0.0.1:7101)`;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `"${endpoint}": port ${port} is not in 1..65535`;
  return undefined;
}

/** A string or list of endpoints → a non-empty, de-duplicated list in the given order. */
export function parseEndpoints(input: string | readonly string[]): string[] {
  const parts = (typeof input === 'string' ? [input] : input)
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) throw new InvalidEndpointError('no endpoint given (expected HOST:PORT[,HOST:PORT...])');
  const problems = parts.map(endpointProblem).filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new InvalidEndpointError(problems.join('; '));
  return [...new Set(parts)];
}
