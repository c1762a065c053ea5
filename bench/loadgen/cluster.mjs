// Clustered hub nodes for the cross-node scenarios (bench/cluster-*.mjs): start them one after
// another on loopback, each ready (holding the whole view) before the next; kill, freeze, resume,
// restart; and whatever happens to the script, stop every process it started.
//
// Every child process (hub nodes and forked load workers) goes through track(); an exit handler
// SIGKILLs whatever is still alive, so an error, Ctrl-C or a failed assertion leaves nothing behind.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_SECRET } from './hub.mjs';

/** The checkout: nodes run there, so they find conf/config.json whatever the caller's directory. */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const live = new Set();

/** Registers a child process to be SIGKILLed if the script ends while it still runs. */
export function track(proc) {
  live.add(proc);
  proc.on('exit', () => live.delete(proc));
  return proc;
}

function killAllNow() {
  for (const p of live) {
    try { process.kill(p.pid, 'SIGCONT'); } catch { /* gone */ }
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
}
process.on('exit', killAllNow);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => { console.error(`\n${sig}: stopping every process this script started`); process.exit(130); });
}
process.on('uncaughtException', (e) => { console.error(e); process.exit(1); });
process.on('unhandledRejection', (e) => { console.error(e); process.exit(1); });

/**
 * The failure timeout and grace a scenario overrides (--failure-timeout-ms, --grace-ms), as node
 * environment and as the line that names them in the results.
 */
export function timingOverrides(opt) {
  const env = {};
  if (opt['failure-timeout-ms']) env.PRESENCE_CLUSTER_FAILURE_TIMEOUT_MS = opt['failure-timeout-ms'];
  if (opt['grace-ms']) env.PRESENCE_OFFLINE_GRACE_MS = opt['grace-ms'];
  const timings = `failure timeout ${opt['failure-timeout-ms'] || '3000 (shipped default)'} ms, offline grace ${opt['grace-ms'] || '5000 (shipped default)'} ms`;
  return { env, timings };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds on CLOCK_MONOTONIC: the same clock in every process of this host (sub-ms). */
export const mono = () => Number(process.hrtime.bigint()) / 1e6;

/** Millisecond timestamps in the nodes' logs (JUL), so log events can be put on the script's timeline. */
const LOG_FORMAT = '-Djava.util.logging.SimpleFormatter.format=%1$tF %1$tT.%1$tL %4$s %3$s %5$s%6$s%n';

/** Lines of a node log matching `re`, each with its time (epoch ms; the JVM and this script share the zone). */
export function logEvents(file, re) {
  let text = '';
  try { text = readFileSync(file, 'utf8'); } catch { return []; }
  const out = [];
  for (const line of text.split('\n')) {
    // Logback's ISO lines (2026-11-30T18:42:20.092Z INFO …) and the JUL format of earlier builds
    // (2026-11-30 18:42:20.092 INFO …, local time).
    const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d\.\d{3})(Z|[+-]\d\d:\d\d)? (.*)$/.exec(line);
    if (m && re.test(m[4])) out.push({ at: new Date(`${m[1]}T${m[2]}${m[3] ?? ''}`).getTime(), line: m[4] });
  }
  return out;
}

/**
 * A clustered set of hub nodes n0…n(size-1), HTTP on httpBase+i, Hazelcast on hzBase+i, and the
 * clustered event bus on busBase+i when busBase is given (as the shipped compose file and manifests
 * fix it), else on any free port.
 */
export class Cluster {
  constructor({ jar, jvmFlags, size, httpBase, hzBase, busBase = 0, env = {}, name }) {
    this.jar = jar;
    this.jvmFlags = jvmFlags;
    this.name = name ?? `bench-${Math.random().toString(36).slice(2, 10)}`;
    this.env = env;
    this.logDir = path.join(os.tmpdir(), this.name);
    mkdirSync(this.logDir, { recursive: true });
    this.nodes = Array.from({ length: size }, (_, i) => ({
      id: `n${i}`, index: i, httpPort: httpBase + i, hzPort: hzBase + i, busPort: busBase > 0 ? busBase + i : 0, proc: null, starts: 0,
      url: `ws://127.0.0.1:${httpBase + i}/presence/websocket`,
    }));
    this.members = this.nodes.map((n) => `127.0.0.1:${n.hzPort}`).join(',');
  }

  /** Starts every node in turn, each ready before the next. */
  async startAll() {
    for (const n of this.nodes) await this.start(n.index);
    return this;
  }

  /** Starts node i (again, after a kill: same ports, new process) and waits for /health/ready. */
  async start(i, timeoutMs = 90000) {
    const n = this.nodes[i];
    n.starts++;
    const log = path.join(this.logDir, `${n.id}.${n.starts}.log`);
    const fd = openSync(log, 'a');
    const proc = spawn('java', [...this.jvmFlags, ...(n.jvmFlags ?? []).map((f) => f.replaceAll('{start}', String(n.starts))), LOG_FORMAT, '-jar', this.jar, '--cluster'], {
      env: {
        ...process.env,
        PRESENCE_HTTP_HOST: '127.0.0.1',
        PRESENCE_HTTP_PORT: String(n.httpPort),
        PRESENCE_JWT_SECRET: BENCH_SECRET,
        // The load generator opens thousands of connections from a few addresses at once.
        PRESENCE_MAX_PENDING_CONNECTIONS_PER_ADDRESS: '1000000',
        PRESENCE_CLUSTER: 'true',
        PRESENCE_CLUSTER_NAME: this.name,
        PRESENCE_CLUSTER_HOST: '127.0.0.1',
        PRESENCE_CLUSTER_PORT: String(n.hzPort),
        PRESENCE_CLUSTER_MEMBERS: this.members,
        PRESENCE_CLUSTER_BUS_PORT: String(n.busPort),
        PRESENCE_NODE_ID: n.id,
        ...this.env,
      },
      stdio: ['ignore', fd, fd],
      cwd: repoRoot,
    });
    closeSync(fd);
    track(proc);
    n.proc = proc;
    n.log = log;
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        let tail = '';
        try { tail = readFileSync(log, 'utf8').trim().split('\n').slice(-3).join('\n  '); } catch { /* no log */ }
        throw new Error(`${n.id} exited (${proc.exitCode ?? proc.signalCode}) while starting; see ${log}:\n  ${tail}`);
      }
      try {
        const r = await fetch(`http://127.0.0.1:${n.httpPort}/health/ready`);
        if (r.ok) { n.readyMs = Date.now() - started; return n; }
      } catch { /* not listening yet */ }
      await sleep(100);
    }
    proc.kill('SIGKILL');
    throw new Error(`${n.id} not ready within ${timeoutMs} ms; see ${log}`);
  }

  pid(i) { return this.nodes[i].proc.pid; }

  signal(i, sig) { process.kill(this.nodes[i].proc.pid, sig); }

  /** SIGKILL (a crash); resolves once the process is gone. */
  async kill(i) {
    const p = this.nodes[i].proc;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  }

  /** SIGTERM every node (SIGCONT first, in case one is frozen), SIGKILL after 20 s. */
  async stopAll() {
    await Promise.all(this.nodes.map((n) => new Promise((resolve) => {
      const p = n.proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) { resolve(); return; }
      const t = setTimeout(() => p.kill('SIGKILL'), 20000);
      p.once('exit', () => { clearTimeout(t); resolve(); });
      try { process.kill(p.pid, 'SIGCONT'); } catch { /* gone */ }
      p.kill('SIGTERM');
    })));
  }
}

// ---- CPU accounting (which side saturated) ---------------------------------------------------

const TICK = 100; // USER_HZ: /proc/<pid>/stat times are in 1/100 s on Linux

/** utime + stime of a process (all its threads), in ms; NaN if it is gone. */
export function cpuMs(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICK;
  } catch { return NaN; }
}

/** Per-thread utime + stime of a process, in ms, by thread id. */
export function threadCpuMs(pid) {
  const out = new Map();
  let tids = [];
  try { tids = readdirSync(`/proc/${pid}/task`); } catch { return out; }
  for (const tid of tids) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), ((Number(f[11]) + Number(f[12])) * 1000) / TICK);
    } catch { /* thread ended */ }
  }
  return out;
}

/**
 * Sets the nice value of every thread of `pid` (on Linux a nice value belongs to a thread, and a
 * thread started later takes its creator's). Positive: lower priority.
 */
export function renice(pid, nice) {
  let tids = [];
  try { tids = readdirSync(`/proc/${pid}/task`); } catch { return; }
  for (const tid of tids) {
    try { os.setPriority(Number(tid), nice); } catch { /* thread ended */ }
  }
}

/** Full thread names of a JVM by native thread id (jcmd Thread.print: nid=0x…). */
export function jvmThreadNames(pid) {
  const names = new Map();
  try {
    const dump = execFileSync('jcmd', [String(pid), 'Thread.print'], { timeout: 30000, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    for (const m of dump.matchAll(/^"([^"]+)".*?nid=(0x[0-9a-f]+)/gm)) names.set(parseInt(m[2], 16), m[1]);
  } catch { /* no jcmd, or the JVM is gone */ }
  return names;
}

/**
 * The busiest threads of some JVMs over a window: start() then stop() → "n0: vert.x-eventloop-thread-3 71%, …".
 */
export class ThreadWindow {
  constructor(pids) { this.pids = pids; }

  start() {
    this.t0 = mono();
    this.before = Object.fromEntries(Object.entries(this.pids()).map(([k, pid]) => [k, threadCpuMs(pid)]));
    return this;
  }

  stop(top = 3) {
    const ms = mono() - this.t0;
    const parts = [];
    for (const [k, pid] of Object.entries(this.pids())) {
      const after = threadCpuMs(pid);
      const before = this.before[k] ?? new Map();
      const names = jvmThreadNames(pid);
      const busy = [...after].map(([tid, v]) => [tid, (100 * (v - (before.get(tid) ?? 0))) / ms])
        .sort((a, b) => b[1] - a[1]).slice(0, top).filter(([, v]) => v >= 1);
      parts.push(`${k}: ${busy.map(([tid, v]) => `${names.get(tid) ?? `tid ${tid}`} ${v.toFixed(0)}%`).join(', ') || '-'}`);
    }
    return parts.join('; ');
  }
}

/** Busy and total ms of the whole machine (all cores) from /proc/stat. */
export function machineMs() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] || 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: ((total - idle) * 1000) / TICK, total: (total * 1000) / TICK };
}

/**
 * CPU use of named groups of processes over a window: start() then stop() returns, per group,
 * the % of one core it used, and the machine's busy % of all cores plus what processes outside
 * the groups used (other work on the host).
 */
export class CpuWindow {
  constructor(groups) { this.groups = groups; }

  start() {
    this.t0 = mono();
    this.m0 = machineMs();
    this.c0 = Object.fromEntries(Object.entries(this.groups()).map(([k, pids]) => [k, pids.map(cpuMs)]));
    return this;
  }

  stop() {
    const ms = mono() - this.t0;
    const m1 = machineMs();
    const out = { ms, groups: {} };
    let ours = 0;
    for (const [k, pids] of Object.entries(this.groups())) {
      const before = this.c0[k] ?? [];
      let used = 0;
      pids.forEach((pid, j) => { const d = cpuMs(pid) - (before[j] ?? NaN); if (Number.isFinite(d)) used += d; });
      out.groups[k] = (100 * used) / ms;
      ours += used;
    }
    const cores = os.cpus().length;
    const busy = m1.busy - this.m0.busy;
    const total = m1.total - this.m0.total;
    out.machinePct = (100 * cores * busy) / total; // in % of one core, out of cores*100
    out.cores = cores;
    out.otherPct = Math.max(0, out.machinePct - (100 * ours) / ms);
    return out;
  }
}

/** "n0 93%, n1 41%, load 80%, … ; machine 190% of 200% (others 12%)" */
export function describeCpu(c) {
  const parts = Object.entries(c.groups).map(([k, v]) => `${k} ${v.toFixed(0)}%`);
  return `${parts.join(', ')}; machine ${c.machinePct.toFixed(0)}% of ${c.cores * 100}% (processes outside this benchmark ${c.otherPct.toFixed(0)}%)`;
}

/** Which side saturated, from a CpuWindow result and the groups that are hub nodes. */
export function saturation(c, hubKeys) {
  const hub = hubKeys.reduce((s, k) => s + (c.groups[k] ?? 0), 0);
  const load = Object.entries(c.groups).filter(([k]) => !hubKeys.includes(k)).reduce((s, [, v]) => s + v, 0);
  const full = c.machinePct >= 0.9 * c.cores * 100;
  const single = Object.entries(c.groups).find(([, v]) => v >= 95);
  const who = hub >= load ? `hub processes (${hub.toFixed(0)}% vs load ${load.toFixed(0)}%)` : `load processes (${load.toFixed(0)}% vs hub ${hub.toFixed(0)}%)`;
  if (full) return `CPU-bound: the machine was busy ${c.machinePct.toFixed(0)}% of ${c.cores * 100}%, most of it ${who}`;
  if (c.machinePct >= 0.75 * c.cores * 100) return `close to CPU saturation: the machine was busy ${c.machinePct.toFixed(0)}% of ${c.cores * 100}%, most of it ${who}`;
  if (single) return `one process at a full core (${single[0]} ${single[1].toFixed(0)}%): single-thread bound there`;
  return `not CPU-saturated (machine ${c.machinePct.toFixed(0)}% of ${c.cores * 100}%; ${who})`;
}

export function loadavg() {
  return os.loadavg().map((x) => x.toFixed(2)).join(' ');
}

/** A node's Prometheus figures: {'presence_transitions_total{to="away"}': n, …} (empty if unreachable). */
export async function metrics(httpPort) {
  const out = {};
  try {
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const i = line.lastIndexOf(' ');
      out[line.slice(0, i)] = Number(line.slice(i + 1));
    }
  } catch { /* node gone or frozen */ }
  return out;
}

/** presence_transitions_total summed over the given statuses. */
export function transitions(m, statuses = ['online', 'away', 'offline']) {
  return statuses.reduce((s, st) => s + (m[`presence_transitions_total{to="${st}"}`] ?? 0), 0);
}

/** "jar target/presence-hub.jar built <time>; HEAD abc1234, src/ and pom.xml clean" — what was measured (src/ and pom.xml stand for every input of the jar: also hub/ and clients/java). */
export function jarInfo(jar) {
  let built = 'unknown';
  try { built = statSync(jar).mtime.toISOString(); } catch { /* missing: the start fails anyway */ }
  let tree = '';
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'pom.xml', 'hub', 'clients/java'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString().split('\n').filter(Boolean).length;
    tree = `; at run time HEAD ${head}, src/ and pom.xml ${dirty ? `with ${dirty} uncommitted change(s)` : 'clean'}`;
  } catch { /* not a checkout */ }
  return `jar ${jar} built ${built}${tree}`;
}
