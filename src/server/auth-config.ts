// The node's settings for client authentication and its management endpoints (issue 14):
//   tokenAuthFile  bearer tokens for callers without a client certificate (api/token-file.ts)
//   metricsListen  host:port that serves /status and /metrics instead of the --http port, so
//                  the port load balancers reach (/primary /replica /health) tells nothing more
// Checked with the rest of the node config (server/config.ts), every problem at once.
import { TokenFileError, loadTokenFile } from '../api/token-file.js';
import type { OptionGroup, OptionInputs } from './node-options.js';

/** The authentication and management options of the node config (server/node-options.ts, group auth). */
export type AuthSettingsInput = OptionInputs<typeof OptionGroup.Auth>;

export interface AuthConfig {
  readonly tokenAuthFile?: string;
  readonly metricsListen?: string;
}

export function parseAuthSettings(
  input: AuthSettingsInput,
  isHostPort: (field: string, s: string) => boolean,
  problems: string[],
): AuthConfig {
  const out: { tokenAuthFile?: string; metricsListen?: string } = {};
  if (input.tokenAuthFile !== undefined && input.tokenAuthFile !== '') {
    if (typeof input.tokenAuthFile !== 'string')
      problems.push('tokenAuthFile: must be the path of a token file — e.g. tokenAuthFile: /etc/palisade/tokens');
    else {
      try {
        loadTokenFile(input.tokenAuthFile);
        out.tokenAuthFile = input.tokenAuthFile;
      } catch (err) {
        if (!(err instanceof TokenFileError)) throw err;
        problems.push(`tokenAuthFile: ${err.message}`);
      }
    }
  }
  if (input.metricsListen !== undefined && input.metricsListen !== '') {
    if (typeof input.metricsListen !== 'string')
      problems.push('metricsListen: must be a host:port string — e.g. metricsListen: 127.0.0.1:9101');
    else if (isHostPort('metricsListen', input.metricsListen)) out.metricsListen = input.metricsListen;
  }
  return out;
}
