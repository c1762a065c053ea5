// JVM start of one hub node (issue 15 cold start, issue 17 join time): a clustered node alone
// (one-member Hazelcast cluster on loopback, as deploy/cds/build-archive.sh trains it) started
// --rounds times per variant, variants alternating; per start: spawn → /health/ready (ms) and the
// process's CPU until then (/proc: total, and the C1/C2 compiler threads apart). A variant is
// `NAME=extra JVM flags`, e.g. --variant base= --variant cds=-XX:SharedArchiveFile=/tmp/hub.jsa;
// the medians and the ratio of each variant to the first are printed.
//
//   node bench/start.mjs [--jar target/presence-hub.jar] [--rounds 3] [--variant NAME=FLAGS …] [--standalone]
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendResults, parseOptions } from './loadgen/lib.mjs';
import { procCpu } from './loadgen/cpu.mjs';
import { sleep, track } from './loadgen/cluster.mjs';
import { BENCH_SECRET, HUB_JVM_DEFAULTS } from './loadgen/hub.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseOptions('start.mjs', { options: {
  jar: { type: 'string', default: path.join(here, '..', 'target', 'presence-hub.jar') },
  rounds: { type: 'string', default: '3' },
  variant: { type: 'string', multiple: true, default: [] },
  standalone: { type: 'boolean', default: false },
  port: { type: 'string', default: '18480' },
  xmx: { type: 'string', default: '2g' },
  results: { type: 'string', default: path.join(here, 'RESULTS.md') },
} });
const variants = (opt.variant.length ? opt.variant : ['base=']).map((v) => {
  const i = v.indexOf('=');
  return { name: i < 0 ? v : v.slice(0, i), flags: i < 0 ? [] : v.slice(i + 1).split(/\s+/).filter(Boolean) };
});
const rounds = Math.max(1, Math.min(Number(opt.rounds), 10));
const jvmFlags = [`-Xmx${opt.xmx}`, '-XX:+UseG1GC', ...HUB_JVM_DEFAULTS];
const port = Number(opt.port);

async function startOnce(v, n) {
  const env = { ...process.env, PRESENCE_HTTP_HOST: '127.0.0.1', PRESENCE_HTTP_PORT: String(port), PRESENCE_JWT_SECRET: BENCH_SECRET };
  const args = [...jvmFlags, ...v.flags, '-jar', opt.jar];
  if (!opt.standalone) {
    Object.assign(env, { PRESENCE_CLUSTER: 'true', PRESENCE_CLUSTER_NAME: `start-${process.pid}-${n}`, PRESENCE_CLUSTER_HOST: '127.0.0.1',
      PRESENCE_CLUSTER_PORT: String(port + 1), PRESENCE_CLUSTER_MEMBERS: `127.0.0.1:${port + 1}`, PRESENCE_NODE_ID: 'start' });
    args.push('--cluster');
  }
  const t0 = performance.now();
  const proc = track(spawn('java', args, { env, stdio: 'ignore' }));
  try {
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`${v.name}: the hub exited with ${proc.exitCode}`);
      if (performance.now() - t0 > 120000) throw new Error(`${v.name}: not ready within 120 s`);
      try { if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) break; } catch { /* not yet */ }
      await sleep(20);
    }
    const readyMs = performance.now() - t0;
    const cpu = procCpu(proc.pid);
    return { readyMs, total: cpu.total, jit: cpu.jit };
  } finally {
    const gone = new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
    proc.kill('SIGKILL');
    await gone;
  }
}

const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
const runs = new Map(variants.map((v) => [v.name, []]));
for (let r = 0; r < rounds; r++) {
  for (const v of variants) {
    const m = await startOnce(v, r);
    runs.get(v.name).push(m);
    console.log(`${v.name} #${r + 1}: ready ${m.readyMs.toFixed(0)} ms, CPU ${m.total.toFixed(0)} ms (JIT threads ${m.jit.toFixed(0)} ms)`);
    await sleep(500);
  }
}
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const lines = [`${opt.standalone ? 'standalone' : 'clustered (one-member cluster on loopback)'} hub node, ${rounds} starts per variant, variants alternating; load average before ${load}`];
const first = variants[0].name;
const f = (name, k) => med(runs.get(name).map((m) => m[k]));
for (const v of variants) {
  lines.push(`${v.name}${v.flags.length ? ` (${v.flags.join(' ')})` : ''}: spawn → ready median ${f(v.name, 'readyMs').toFixed(0)} ms (${runs.get(v.name).map((m) => m.readyMs.toFixed(0)).join(' / ')}); CPU until ready median ${f(v.name, 'total').toFixed(0)} ms, of it JIT threads ${f(v.name, 'jit').toFixed(0)} ms`
    + (v.name === first ? '' : `; ratio to ${first}: ready ${(f(v.name, 'readyMs') / f(first, 'readyMs')).toFixed(2)}, CPU ${(f(v.name, 'total') / f(first, 'total')).toFixed(2)}`));
}
lines.forEach((l) => console.log(l));
appendResults(opt.results, 'JVM start of a node (bench/start.mjs)', lines, `${jvmFlags.join(' ')}`);
process.exit(0);
