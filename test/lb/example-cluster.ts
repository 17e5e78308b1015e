// The shipped three-node example (cluster-examples/three-node/nN.yaml) as the load-balancer tests
// run it: each YAML is read as shipped and only its addresses and data dir are replaced (free
// ports, a temp dir), so the timings and every other setting are the example's own.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO, type ProcessCluster } from '../process/process-cluster.js';
import { substitute } from './haproxy-config.js';

export const EXAMPLE_DIR = join(REPO, 'cluster-examples/three-node');
export const EXAMPLE_IDS = ['n1', 'n2', 'n3'] as const;

export interface ExampleNode {
  readonly id: string;
  readonly listen: string;
  readonly http: string;
  readonly dataDir: string;
  readonly heartbeatMs: number;
  readonly electionTimeoutMs: number;
}

export function exampleYaml(id: string): string {
  return readFileSync(join(EXAMPLE_DIR, `${id}.yaml`), 'utf8');
}

/** The settings of one example node that the tests depend on, checked to be present. */
export function exampleNode(id: string): ExampleNode {
  const y = parse(exampleYaml(id)) as Record<string, unknown>;
  const str = (k: string): string => {
    const v = y[k];
    if (typeof v !== 'string') throw new Error(`${id}.yaml: ${k} is missing or not a string`);
    return v;
  };
  const num = (k: string): number => {
    const v = y[k];
    if (typeof v !== 'number') throw new Error(`${id}.yaml: ${k} is missing or not a number`);
    return v;
  };
  return {
    id,
    listen: str('listen'),
    http: str('http'),
    dataDir: str('data-dir'),
    heartbeatMs: num('heartbeat-ms'),
    electionTimeoutMs: num('election-timeout-ms'),
  };
}

/**
 * `agent --config <copy>` for ProcessCluster's `argsFor`: the example's YAML with every node's
 * listen and HTTP address replaced by the cluster's (free ports) and the data dir by the node's.
 */
export function exampleArgs(c: ProcessCluster, id: string): string[] {
  const replacements: [string, string][] = [];
  for (const other of EXAMPLE_IDS) {
    const shipped = exampleNode(other);
    const n = c.node(other);
    replacements.push([shipped.listen, n.address]);
    if (other === id) {
      if (n.httpAddress === undefined) throw new Error('start the example cluster with http: true');
      replacements.push([shipped.http, n.httpAddress], [shipped.dataDir, n.dataDir]);
    }
  }
  const file = join(c.root, `${id}.yaml`);
  writeFileSync(file, substitute(exampleYaml(id), replacements));
  return ['agent', '--config', file];
}
