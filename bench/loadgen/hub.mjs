// Starts a hub node from the built jar for a benchmark, on loopback, and stops it afterwards.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

// A fresh HS256 secret per benchmark run (no secret in any shipped file); the scenario passes it to
// its nodes and load workers.
export const BENCH_SECRET = randomBytes(32).toString('hex');

// The heap flags the hub ships with (Dockerfile ENTRYPOINT, README): G1 gives the committed heap
// back when the node is idle (bench/RESULTS.md "Issue 15, RSS"). Every scenario's hub runs with them.
export const HUB_JVM_DEFAULTS = ['-XX:MaxHeapFreeRatio=15', '-XX:MinHeapFreeRatio=5', '-XX:G1PeriodicGCInterval=10000'];

export async function startHub({ jar, port, jvmFlags, env = {} }) {
  const proc = spawn('java', [...HUB_JVM_DEFAULTS, ...jvmFlags, '-jar', jar], {
    env: {
      ...process.env,
      PRESENCE_HTTP_HOST: '127.0.0.1',
      PRESENCE_HTTP_PORT: String(port),
      PRESENCE_JWT_SECRET: BENCH_SECRET,
      // The load generator opens thousands of connections from a few addresses at once.
      PRESENCE_MAX_PENDING_CONNECTIONS_PER_ADDRESS: '1000000',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`hub exited with ${proc.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (r.ok) return proc;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill('SIGKILL');
  throw new Error('hub not ready within 60 s');
}

export function stopHub(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) { resolve(); return; }
    const t = setTimeout(() => proc.kill('SIGKILL'), 15000);
    proc.on('exit', () => { clearTimeout(t); resolve(); });
    proc.kill('SIGTERM');
  });
}

import { readFileSync } from 'node:fs';

export function rssKiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  } catch { return NaN; }
}
