// The active role on real agent processes: the failover suite (ha-failover-suite.ts) in plaintext
// on loopback.
import { describeFailover } from './ha-failover-suite.js';

describeFailover('active role on 3 agent processes: failover');
