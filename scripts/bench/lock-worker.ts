// A lock worker for bench:locks, forked by the driver with `--import tsx` so that its CPU is
// measured apart: `contenders` closed loops on one name (acquire, release, again), each with its
// own session or lease. Protocol: warm up, send 'ready', wait for 'go', measure, send 'result'.
import type { DriverMessage, LockWorkerMessage, LockWorkerSpec } from './lock-spec.js';
import { openContenders, type Contender } from './lockers.js';

const MAX_ERRORS = 100;

function send(msg: LockWorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(msg, undefined, {}, (err) => (err ? reject(err) : resolve())));
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as LockWorkerSpec;
  const set = await openContenders(spec, spec.contenders);
  let errors = 0;
  const firstErrors: string[] = [];

  const runLoops = async (more: () => boolean, record: (acquireMs: number, releaseMs: number) => void): Promise<void> => {
    const loop = async (c: Contender) => {
      while (more() && errors < MAX_ERRORS) {
        const t0 = performance.now();
        try {
          await c.acquire();
          const t1 = performance.now();
          await c.release();
          record(t1 - t0, performance.now() - t1);
        } catch (err) {
          errors++;
          if (firstErrors.length < 5) firstErrors.push(err instanceof Error ? err.message : String(err));
        }
      }
    };
    await Promise.all(set.contenders.map(loop));
  };

  try {
    let warm = 0;
    const warmFrom = performance.now();
    await runLoops(
      () => warm++ < spec.warmupCycles || performance.now() - warmFrom < spec.warmupMs,
      () => {},
    );
    if (errors >= MAX_ERRORS) throw new Error(`warm-up failed: ${firstErrors.join('; ')}`);
    errors = 0;
    firstErrors.length = 0;

    const go = new Promise<void>((resolve) => process.once('message', (m: DriverMessage) => m.type === 'go' && resolve()));
    await send({ type: 'ready' });
    await go;

    const acquireMs: number[] = [];
    const releaseMs: number[] = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let started = 0;
    await runLoops(
      () => started++ < spec.maxCycles && performance.now() - t0 < spec.measureMs,
      (a, r) => {
        acquireMs.push(a);
        releaseMs.push(r);
      },
    );
    const elapsedMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const clientCpuPercent = Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10;
    await send({ type: 'result', acquireMs, releaseMs, errors, firstErrors, elapsedMs, clientCpuPercent });
  } finally {
    await set.close();
  }
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    await send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }).catch(() => {});
    process.exit(1);
  },
);
