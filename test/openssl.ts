// Whether the system `openssl` (which `palisade certs` and the TLS tests use) can run here.
import { execFileSync } from 'node:child_process';

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
