// Soak the simulator: `npm run sim -- --runs N --seed S --nodes K [--actions A] [--path P]`.
// Prints runs, events, violations, elapsed time and events/second; exits 1 on a violation
// after printing the shrunk counterexample (replay it with the printed --seed and --path).
import { parseArgs } from 'node:util';
import { runCampaign } from '../test/sim/campaign.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    nodes: { type: 'string', default: '3' },
    actions: { type: 'string', default: '40' },
    path: { type: 'string' },
    bootstrap: { type: 'string', default: 'log' },
    'no-membership': { type: 'boolean', default: false },
    weights: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    'usage: npm run sim -- [--runs N] [--seed S] [--nodes K] [--actions A] [--path P]\n' +
      '                      [--bootstrap log|snapshot|confState] [--no-membership]\n' +
      '                      [--weights wait=6,network=4,process=3,clock=1,membership=1,transfer=1,client=8]',
  );
  process.exit(0);
}

const runs = Number(values.runs);
const weights: Record<string, number> = {};
for (const pair of (values.weights ?? '').split(',').filter(Boolean)) {
  const [k, v] = pair.split('=');
  if (!k || v === undefined || !Number.isFinite(Number(v))) {
    console.error(`sim: bad --weights entry "${pair}" (expected group=number)`);
    process.exit(2);
  }
  weights[k] = Number(v);
}
if (values['no-membership']) weights['membership'] = 0;
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 0x7fffffff;
const nodes = Number(values.nodes);
const bootstrap = values.bootstrap === 'snapshot' || values.bootstrap === 'confState' ? values.bootstrap : 'log';
console.log(`sim: ${runs} runs, ${nodes} nodes, seed ${seed}, up to ${values.actions} actions per run`);

let done = 0;
let lastReport = performance.now();
const r = runCampaign({
  runs,
  seed,
  nodes,
  maxActions: Number(values.actions),
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
  console.log(`\nshrunk to ${c.shrunkActions} actions; replay: npm run sim -- --runs ${runs} --seed ${c.seed} --nodes ${nodes} --path "${c.path}"\n`);
  console.log(c.report);
  process.exit(1);
}
