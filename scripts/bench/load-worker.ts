// A load worker: a separate client process (forked by the driver with `--import tsx`), so
// the client's CPU is measured on its own and 1 vs 2 client processes can be compared.
// Protocol: warm up, send 'ready', wait for 'go', measure, send 'result', exit.
import { makePutter } from './putter.js';
import type { DriverMessage, WorkerMessage, WorkerSpec } from './load-spec.js';

const MAX_ERRORS = 100;

function send(msg: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(msg, undefined, {}, (err) => (err ? reject(err) : resolve())));
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as WorkerSpec;
  const putter = makePutter(spec.system, spec.endpoints);
  const value = 'v'.repeat(spec.valueBytes);
  let counter = 0;
  const nextKey = () => spec.keyPrefix + String(counter++).padStart(14, '0');
  let errors = 0;
  const firstErrors: string[] = [];

  /** `concurrency` closed loops; `more()` is asked before each put; `record` gets each latency. */
  const runLoops = async (more: () => boolean, record: (ms: number) => void): Promise<void> => {
    const loop = async () => {
      while (more() && errors < MAX_ERRORS) {
        const key = nextKey();
        const t0 = performance.now();
        try {
          await putter.put(key, value);
          record(performance.now() - t0);
        } catch (err) {
          errors++;
          if (firstErrors.length < 5) firstErrors.push(err instanceof Error ? err.message : String(err));
        }
      }
    };
    await Promise.all(Array.from({ length: spec.concurrency }, loop));
  };

  let warm = 0;
  await runLoops(
    () => warm++ < spec.warmupPuts,
    () => {},
  );
  if (errors >= MAX_ERRORS) throw new Error(`warm-up failed: ${firstErrors.join('; ')}`);
  errors = 0;
  firstErrors.length = 0;

  const go = new Promise<void>((resolve) => process.once('message', (m: DriverMessage) => m.type === 'go' && resolve()));
  await send({ type: 'ready' });
  await go;

  const latenciesMs: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const m = spec.measure;
  let started = 0;
  const more = m.kind === 'count' ? () => started++ < m.puts : () => started++ < m.maxPuts && performance.now() - t0 < m.ms;
  await runLoops(more, (ms) => latenciesMs.push(ms));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  putter.close();
  const clientCpuPercent = Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10;
  await send({ type: 'result', latenciesMs, errors, firstErrors, elapsedMs, clientCpuPercent });
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    await send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }).catch(() => {});
    process.exit(1);
  },
);
