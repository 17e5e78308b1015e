// The spawn helper's own process (started by spawn-helper.ts with an IPC channel): it starts
// the programs the agent asks for and reports back their pid, output, exit and close. It holds
// no policy: timeouts and kills stay with the agent, which signals the pid or process group
// itself. It exits when the agent goes away or stops it (the channel closes), not on a signal.
import { spawn } from 'node:child_process';
import type { HelperReply, HelperRequest } from './spawn-helper-protocol.js';

function reply(m: HelperReply): void {
  if (process.connected) process.send?.(m);
}

function start(req: HelperRequest): void {
  let child;
  try {
    child = spawn(req.file, req.args, {
      shell: false,
      detached: req.detached,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      env: req.env,
    });
  } catch (err) {
    reply({ t: 'error', id: req.id, message: (err as Error).message });
    reply({ t: 'close', id: req.id });
    return;
  }
  const id = req.id;
  child.on('spawn', () => reply({ t: 'spawn', id, pid: child.pid ?? -1 }));
  child.on('error', (err: NodeJS.ErrnoException) =>
    reply({ t: 'error', id, message: err.message, ...(err.code ? { code: err.code } : {}) }),
  );
  child.stdout.setEncoding('utf8').on('data', (data: string) => reply({ t: 'out', id, stream: 'stdout', data }));
  child.stderr.setEncoding('utf8').on('data', (data: string) => reply({ t: 'out', id, stream: 'stderr', data }));
  child.on('exit', (code, signal) => reply({ t: 'exit', id, code, signal }));
  child.on('close', () => reply({ t: 'close', id }));
}

process.on('message', (m) => start(m as HelperRequest));
process.on('disconnect', () => process.exit(0));
// A stop signal to the agent's whole group (systemd's control-group kill, Ctrl-C) must not take
// the helper before the agent's graceful demotion has run its commands: the helper ends with
// the agent, when the channel closes.
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => {});
reply({ t: 'ready' });
