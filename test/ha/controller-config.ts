// The role controller's settings shared by its unit tests: a 3-node cluster in fencing mode
// lease with round numbers (lease 280 ms, outlive 300 ms, demote budget 100 ms).
import type { HaConfig } from '../../src/ha/types.js';

export const CONTROLLER_CFG: HaConfig = {
  nodeId: 'n1',
  fencing: 'lease',
  leaseMs: 280,
  outliveMs: 300,
  demoteBudgetMs: 100,
  noActive: false,
  priority: 0,
  failback: false,
  promoteBackoffMinMs: 500,
  promoteBackoffMaxMs: 4000,
};
