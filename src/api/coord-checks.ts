// The wire checks of the coordination calls: names follow the key rules, session ids are log
// indexes in decimal, and the TTL, lock-delay, limit and owner stay within SessionLimits. A bad
// field is INVALID_ARGUMENT naming the field and the rule, before anything is proposed.
import { InvalidArgumentError } from '../errors.js';
import { keyProblem, sessionIdProblem } from '../statemachine/commands.js';
import { QueueKind, SessionLimits } from '../statemachine/coord-record.js';

/** A lock, election or semaphore name follows the key rules. */
export function checkName(name: string): string {
  const problem = keyProblem(name);
  if (problem !== undefined) throw new InvalidArgumentError(`name: ${problem.replace(/^key /, '')}`);
  return name;
}

export function checkSessionId(id: string, field = 'session_id'): string {
  if (sessionIdProblem(id) !== undefined)
    throw new InvalidArgumentError(`${field}: "${id}" is not a session id (the decimal log index SessionCreate answered)`);
  return id;
}

/** 0 means the default TTL. */
export function checkTtl(ttlMs: number): number {
  if (ttlMs === 0) return SessionLimits.defaultTtlMs;
  if (ttlMs < SessionLimits.minTtlMs || ttlMs > SessionLimits.maxTtlMs)
    throw new InvalidArgumentError(`ttl_ms: ${ttlMs} is outside ${SessionLimits.minTtlMs}..${SessionLimits.maxTtlMs} (0: the default)`);
  return ttlMs;
}

export function checkLockDelay(ms: number): number {
  if (ms > SessionLimits.maxLockDelayMs) throw new InvalidArgumentError(`lock_delay_ms: ${ms} is above ${SessionLimits.maxLockDelayMs}`);
  return ms;
}

export function checkOwner(owner: string): string {
  if (Buffer.byteLength(owner, 'utf8') > SessionLimits.maxOwnerBytes)
    throw new InvalidArgumentError(`owner: longer than ${SessionLimits.maxOwnerBytes} bytes`);
  return owner;
}

export function checkKind(kind: string): QueueKind {
  const kinds: readonly string[] = Object.values(QueueKind);
  if (!kinds.includes(kind)) throw new InvalidArgumentError(`kind: "${kind}" is not one of ${kinds.join(', ')}`);
  return kind as QueueKind;
}

/** A lock or an election has one slot (0 or 1 on the wire); a semaphore 1..maxSemaphoreLimit. */
export function checkLimit(kind: QueueKind, limit: number): number {
  if (kind !== QueueKind.Semaphore) {
    if (limit > 1) throw new InvalidArgumentError(`limit: a ${kind} has one holder, not ${limit}`);
    return 1;
  }
  if (limit < 1 || limit > SessionLimits.maxSemaphoreLimit)
    throw new InvalidArgumentError(`limit: a semaphore needs 1..${SessionLimits.maxSemaphoreLimit} slots, not ${limit}`);
  return limit;
}
