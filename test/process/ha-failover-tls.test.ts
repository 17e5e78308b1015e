// The failover suite (ha-failover-suite.ts) with mutual TLS: node certificates on the peer port,
// each agent's client API on its own port, the CLI as an admin user (--cacert/--cert/--key).
// Fencing, promotion and the hooks must not depend on the transport.
import { describeFailover } from './ha-failover-suite.js';

describeFailover('active role on 3 agent processes over mutual TLS: failover', { tls: true });
