// The seed of the rotating campaigns: PALISADE_SIM_SEED when it is set (to replay a failure),
// otherwise a new one per process. Fixed seeds keep the regression campaigns deterministic but
// explore the same cases on every run; a seed that changes from run to run makes CI a slow soak.
// The seed is printed at start and in every failure, so any failure replays.
const FROM_ENV = process.env['PALISADE_SIM_SEED'];

export const ROTATING_SEED = FROM_ENV !== undefined ? Number(FROM_ENV) : (Date.now() ^ (process.pid << 16)) & 0x7fffffff;

if (!Number.isSafeInteger(ROTATING_SEED)) throw new Error(`PALISADE_SIM_SEED must be an integer, got "${FROM_ENV}"`);

/** The command that replays a failure of the rotating campaigns in `file`. */
export function replayCommand(file: string): string {
  return `PALISADE_SIM_SEED=${ROTATING_SEED} node --import tsx --test ${file}`;
}
