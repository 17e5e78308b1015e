// Soak the simulator: `npm run sim -- --runs N --seed S --nodes K [--actions A] [--path P]`.
// Prints runs, events, violations, elapsed time and events/second; exits 1 on a violation
// after printing the shrunk counterexample (replay it with the printed --seed and --path).
// `--ha hook|lease` soaks the single-active campaign instead of the Raft one; `--mix NAME` picks
// one of the named weight mixes of test/sim/mixes.ts (`--weights` overrides single groups).
// `--coord` soaks the coordination campaign (test/sim/coord: sessions, elections, locks, a
// semaphore and their clients; `--clients N`, `--lock-delay MS`).
import { parseArgs } from 'node:util';
import { runCampaign } from '../test/sim/campaign.js';
import { runCoordCampaign } from '../test/sim/coord/coord-scenario.js';
import { HA_TIMING_LONG_LEASE, runHaCampaign } from '../test/sim/ha/ha-scenario.js';
import { isMixName, MIX_NAMES, WEIGHT_MIXES } from '../test/sim/mixes.js';

const USAGE =
  'usage: npm run sim -- [--runs N] [--seed S] [--nodes K] [--actions A] [--path P]\n' +
  '                      [--bootstrap log|snapshot|confState] [--no-membership]\n' +
  `                      [--mix ${MIX_NAMES.join('|')}] [--ha hook|lease] [--quiet-ticks] [--long-lease]\n` +
  '                      [--coord [--clients N] [--lock-delay MS]]\n' +
  '                      [--weights wait=6,network=4,process=3,clock=1,membership=1,transfer=1,client=8]';

function usageError(message: string): never {
  console.error(`sim: ${message}\n${USAGE}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        runs: { type: 'string', default: '1000' },
        seed: { type: 'string' },
        nodes: { type: 'string', default: '3' },
        actions: { type: 'string' },
        path: { type: 'string' },
        bootstrap: { type: 'string', default: 'log' },
        'no-membership': { type: 'boolean', default: false },
        weights: { type: 'string' },
        mix: { type: 'string', default: 'default' },
        ha: { type: 'string' },
        'quiet-ticks': { type: 'boolean', default: false },
        'long-lease': { type: 'boolean', default: false },
        coord: { type: 'boolean', default: false },
        clients: { type: 'string', default: '3' },
        'lock-delay': { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return usageError((err as Error).message);
  }
})();

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

if (!isMixName(values.mix)) usageError(`unknown --mix "${values.mix}" (one of ${MIX_NAMES.join(', ')})`);
const weights: Record<string, number> = { ...WEIGHT_MIXES[values.mix] };
for (const pair of (values.weights ?? '').split(',').filter(Boolean)) {
  const [k, v] = pair.split('=');
  if (!k || v === undefined || !Number.isFinite(Number(v))) usageError(`bad --weights entry "${pair}" (expected group=number)`);
  weights[k] = Number(v);
}
if (values['no-membership']) weights['membership'] = 0;
const ha = values.ha;
if (ha !== undefined && ha !== 'hook' && ha !== 'lease') usageError(`--ha must be hook or lease, not "${ha}"`);
if (values['quiet-ticks'] && ha === undefined) usageError('--quiet-ticks needs --ha');
// HA_TIMING_LONG_LEASE: the lease leaves room to renew every third heartbeat, so the rounds in
// between go out with optional answers (issue 20).
if (values['long-lease'] && ha === undefined) usageError('--long-lease needs --ha');
const coord = values.coord;
if (coord && ha !== undefined) usageError('--coord and --ha are different campaigns: pick one');
const clients = Number(values.clients);
if (!Number.isInteger(clients) || clients < 1) usageError(`--clients must be a positive integer, not "${values.clients}"`);
const lockDelayMs = Number(values['lock-delay']);
if (!Number.isInteger(lockDelayMs) || lockDelayMs < 0)
  usageError(`--lock-delay must be a whole number of ms, not "${values['lock-delay']}"`);

const runs = Number(values.runs);
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 0x7fffffff;
const nodes = Number(values.nodes);
const actions = Number(values.actions ?? (coord ? 25 : ha === undefined ? 40 : 30));
const bootstrap = values.bootstrap === 'snapshot' || values.bootstrap === 'confState' ? values.bootstrap : 'log';
const what = coord
  ? `coordination (${clients} clients, lock-delay ${lockDelayMs} ms)`
  : ha === undefined
    ? 'Raft'
    : `single active (fencing ${ha}${values['quiet-ticks'] ? ', quiet ticks' : ''}${values['long-lease'] ? ', long lease' : ''})`;
console.log(`sim: ${what}, ${runs} runs, ${nodes} nodes, seed ${seed}, mix ${values.mix}, up to ${actions} actions per run`);

function replayArgs(c: { seed: number; path: string }): string {
  const extra = [
    values.mix !== 'default' ? `--mix ${values.mix}` : '',
    values.weights !== undefined ? `--weights ${values.weights}` : '',
    ha !== undefined ? `--ha ${ha}` : '',
    coord ? `--coord --clients ${clients} --lock-delay ${lockDelayMs}` : '',
    values['quiet-ticks'] ? '--quiet-ticks' : '',
    values['long-lease'] ? '--long-lease' : '',
  ].filter(Boolean);
  return `npm run sim -- --runs ${runs} --seed ${c.seed} --nodes ${nodes} ${extra.join(' ')} --path "${c.path}"`;
}

if (coord) {
  const r = runCoordCampaign({
    runs,
    seed,
    nodes,
    clients,
    lockDelayMs,
    maxActions: actions,
    weights,
    ...(values.path !== undefined ? { path: values.path } : {}),
  });
  console.log(
    `runs ${r.runs}, scenarios ${r.scenarios} (incl. shrinking), events ${r.events}, ${JSON.stringify(r.stats)}, ` +
      `violations ${r.counterexample === undefined ? 0 : 1}, elapsed ${(r.elapsedMs / 1000).toFixed(1)} s`,
  );
  if (r.counterexample !== undefined) {
    console.log(`\nreplay: ${replayArgs(r.counterexample)}\n`);
    console.log(r.counterexample.report);
    process.exit(1);
  }
  process.exit(0);
}

if (ha !== undefined) {
  const r = runHaCampaign({
    runs,
    seed,
    nodes,
    fencing: ha,
    maxActions: actions,
    weights: { ...weights, client: 0 },
    quietTicks: values['quiet-ticks'],
    ...(values['long-lease'] ? { haTiming: HA_TIMING_LONG_LEASE } : {}),
    ...(values.path !== undefined ? { path: values.path } : {}),
  });
  console.log(
    `runs ${r.runs}, scenarios ${r.scenarios} (incl. shrinking), events ${r.events}, promotions ${r.promotions}, ` +
      `violations ${r.counterexample === undefined ? 0 : 1}, elapsed ${(r.elapsedMs / 1000).toFixed(1)} s, ` +
      `${Math.round((r.events * 1000) / Math.max(1, r.elapsedMs))} events/s`,
  );
  if (r.counterexample !== undefined) {
    console.log(`\nreplay: ${replayArgs(r.counterexample)}\n`);
    console.log(r.counterexample.report);
    process.exit(1);
  }
  process.exit(0);
}

let done = 0;
let lastReport = performance.now();
const r = runCampaign({
  runs,
  seed,
  nodes,
  maxActions: actions,
  scenario: { bootstrap },
  ...(values.path !== undefined ? { path: values.path } : {}),
  ...(Object.keys(weights).length > 0 ? { weights } : {}),
  onScenario: () => {
    done++;
    const now = performance.now();
    if (now - lastReport > 10_000) {
      lastReport = now;
      console.log(`  ... ${done} scenarios`);
    }
  },
});

const secs = r.elapsedMs / 1000;
console.log(
  `runs ${r.runs}, scenarios ${r.scenarios} (incl. shrinking), events ${r.events}, ` +
    `violations ${r.counterexample === undefined ? 0 : 1}, elapsed ${secs.toFixed(1)} s, ` +
    `${Math.round(r.eventsPerSecond)} events/s` +
    (r.linearizabilityUnknown > 0 ? `, ${r.linearizabilityUnknown} histories too large to decide` : ''),
);
if (r.counterexample !== undefined) {
  const c = r.counterexample;
  console.log(`\nshrunk to ${c.shrunkActions} actions; replay: ${replayArgs(c)}\n`);
  console.log(c.report);
  process.exit(1);
}
