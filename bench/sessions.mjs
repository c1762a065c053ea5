// Scenarios 1 and 1c (sessions, memory and set-up CPU per node): N authenticated idle sessions on
// one server, then its RSS (from /proc) and, for a JVM, its live heap after a full GC (`jcmd PID
// GC.run`, then the used size from `jcmd PID GC.heap_info`), each minus the same figure taken with 0
// sessions right after start, per session; the server CPU time spent opening them
// (/proc/<pid>/stat utime+stime over the opening, the JVM's C1/C2 compiler threads reported apart),
// cold (the first N on a fresh process) and warm (a second batch of N after the first one was
// closed, --gap-ms 7000 passed, past the hub's 5 s offline grace, and the server was quiet); and
// the time to open them.
//
//   node bench/sessions.mjs [--sessions 15000] [--workers 2] [--server hub|soketi|vertx-echo|node-echo[,…]]
//                           [--rounds 1] [--warm true] [--members-per-channel 1] [--jfr DIR] [--histogram DIR]
//
// --deflate true: the hub's and echo's clients offer permessage-deflate, as browsers do (default:
// they do not, so the figures are the server's at its cheapest).
// --histogram DIR: `jcmd PID GC.class_histogram` of each JVM server at N sessions (after the full
// GC of the heap figure), written to DIR/sessions-<server>-<n>.txt.
//
// --server takes a list: the servers run one after another, alternating (hub, soketi, vertx-echo,
// hub, … with --rounds 2), each a fresh process, and the ratios hub/peer are printed.
// JVM flags A/B (cold start, issue 15): `--hub-jvm cds=-XX:SharedArchiveFile=… --server hub,hub:cds`
// runs the hub a second time with those extra flags (space-separated), ratios hub:cds/hub printed.
// - hub: presence sessions over the raw WebSocket URL, connect + auth + welcome.
// - soketi: soketi 1.6.1 (bench/loadgen/soketi.mjs; native uWebSockets.js checked), connect +
//   pusher:connection_established + pusher:subscribe to a presence channel, signed with the run's
//   app secret, + subscription_succeeded. --members-per-channel M puts M consecutive sessions in one
//   presence channel (default 1: no member_added fan-out, as nobody watches the hub's clients here;
//   soketi's default cap is 100 members; every member of a Pusher presence channel gets the whole
//   member list on subscribe and every member_added, so large M measures that fan-out too).
// - vertx-echo / node-echo: a bare Vert.x SockJS echo (bench/engine/SockJsEcho.java) or the
//   reference SockJS server (npm `sockjs`), each session's auth frame echoed back as its round trip.
// Non-JVM servers have no heap figure and no compiler threads apart.
//
// Sessions come from worker processes on 127.0.0.2-9; one server holds them all, so N stays at
// most 19,000 (a process here may have 20,000 open files). The machine may be shared: the load
// average before each server's run is printed, and CPU-per-session is the figure to trust.
import { execFileSync, fork, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendResults, parseOptions, refuse } from './loadgen/lib.mjs';
import { BENCH_SECRET, rssKiB, startHub, stopHub } from './loadgen/hub.mjs';
import { newApp, startSoketi } from './loadgen/soketi.mjs';
import { ProcCpuWindow, fmt } from './loadgen/cpu.mjs';
import { track } from './loadgen/cluster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseOptions('sessions.mjs', { options: {
  sessions: { type: 'string', default: '15000' },
  workers: { type: 'string', default: '2' },
  'settle-ms': { type: 'string', default: '3000' },
  'gap-ms': { type: 'string', default: '7000' },
  port: { type: 'string', default: '18090' },
  'metrics-port': { type: 'string', default: '18096' },
  jar: { type: 'string', default: path.join(here, '..', 'target', 'presence-hub.jar') },
  xmx: { type: 'string', default: '2g' },
  server: { type: 'string', default: 'hub' },
  rounds: { type: 'string', default: '1' },
  warm: { type: 'string', default: 'true' },
  'members-per-channel': { type: 'string', default: '1' },
  results: { type: 'string', default: path.join(here, 'RESULTS.md') },
  jfr: { type: 'string' },
  histogram: { type: 'string' },
  deflate: { type: 'string', default: 'false' },
  'hub-jvm': { type: 'string', multiple: true, default: [] },
} });
const sessions = Number(opt.sessions);
if (!(sessions >= 1 && sessions <= 19000)) refuse('sessions.mjs', '--sessions must be 1..19000 (20,000 open files per process here)');
const workers = Math.max(1, Math.min(Number(opt.workers), 8));
const settleMs = Math.min(Number(opt['settle-ms']), 60000);
const gapMs = Math.min(Number(opt['gap-ms']), 60000);
const rounds = Math.max(1, Math.min(Number(opt.rounds), 5));
const warm = opt.warm !== 'false';
const membersPerChannel = Math.max(1, Number(opt['members-per-channel']));
const jvmFlags = [`-Xmx${opt.xmx}`, '-XX:+UseG1GC'];
// --jfr DIR: the hub runs under Java Flight Recorder (settings=profile), one file per hub run;
// `node bench/jfr-top.mjs DIR/sessions-hub-1.jfr` then lists where its CPU samples went. JFR costs CPU
// itself: take the figures from a run without it.
let jfrRuns = 0;
let histograms = 0;
const jfrFlags = () => (opt.jfr ? [`-XX:StartFlightRecording=filename=${path.resolve(opt.jfr, `sessions-hub-${++jfrRuns}.jfr`)},settings=profile`] : []);
const KINDS = ['hub', 'soketi', 'vertx-echo', 'node-echo'];
const servers = opt.server.split(',').map((s) => s.trim()).filter(Boolean);
const variants = new Map(opt['hub-jvm'].map((v) => [`hub:${v.slice(0, v.indexOf('='))}`, v.slice(v.indexOf('=') + 1).split(/\s+/).filter(Boolean)]));
const kind = (s) => (variants.has(s) ? 'hub' : s);
for (const s of servers) if (!KINDS.includes(kind(s))) refuse('sessions.mjs', `--server: ${KINDS.join(', ')} (comma-separated), got ${s}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const isJvm = (s) => kind(s) === 'hub' || s === 'vertx-echo';

async function startServer(server, app) {
  if (kind(server) === 'hub') return track(await startHub({ jar: opt.jar, port: Number(opt.port), jvmFlags: [...jvmFlags, ...(variants.get(server) ?? []), ...jfrFlags()] }));
  if (server === 'soketi') return track(await startSoketi({ port: Number(opt.port), metricsPort: Number(opt['metrics-port']), app, maxMembers: Math.max(100, membersPerChannel) }));
  const cmd = server === 'node-echo'
    ? [process.execPath, [path.join(here, 'loadgen', 'sockjs-echo.mjs'), opt.port]]
    : ['java', [...jvmFlags, '-cp', opt.jar, path.join(here, 'engine', 'SockJsEcho.java'), opt.port]];
  const proc = track(spawn(cmd[0], cmd[1], { stdio: ['ignore', 'ignore', 'inherit'] }));
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${server} exited with ${proc.exitCode}`);
    try { if ((await fetch(`http://127.0.0.1:${opt.port}/echo/info`)).ok) return proc; } catch { /* not yet */ }
    await sleep(200);
  }
  proc.kill('SIGKILL');
  throw new Error(`${server} not ready within 60 s`);
}

const jcmd = (pid, ...args) => execFileSync('jcmd', [String(pid), ...args], { timeout: 60000 }).toString();
/** Live heap: full GC, then the "used" figure of GC.heap_info, in KiB. */
function liveHeapKiB(pid) {
  jcmd(pid, 'GC.run');
  const info = jcmd(pid, 'GC.heap_info');
  const m = /used (\d+)K/.exec(info);
  if (!m) throw new Error(`cannot read GC.heap_info:\n${info}`);
  return Number(m[1]);
}

/** Opens one batch of `sessions` with `workers` processes; resolves with the workers and the seconds it took. */
async function openBatch(server, app, prefix) {
  const url = kind(server) === 'hub' ? `ws://127.0.0.1:${opt.port}/presence/websocket`
    : server === 'soketi' ? `ws://127.0.0.1:${opt.port}` : `ws://127.0.0.1:${opt.port}/echo/websocket`;
  const per = Math.ceil(sessions / workers);
  const ready = [];
  const children = [];
  const t0 = Date.now();
  for (let w = 0; w < workers; w++) {
    const count = Math.min(per, sessions - w * per);
    const child = track(fork(path.join(here, 'loadgen', 'worker.mjs'), [JSON.stringify({
      url, secret: BENCH_SECRET, tenant: 'bench', prefix, from: w * per, count, role: 'client',
      echo: server.endsWith('-echo'), protocol: server === 'soketi' ? 'pusher' : 'hub', membersPerChannel,
      deflate: opt.deflate === 'true' })],
    { env: { ...process.env, BENCH_PUSHER_APP: app ? JSON.stringify(app) : '' } }));
    children.push(child);
    ready.push(new Promise((resolve, reject) => {
      child.on('message', (m) => { if (m.ready !== undefined) resolve(m.ready); });
      child.on('exit', (code) => reject(new Error(`worker ${w} exited with ${code}`)));
    }));
  }
  const opened = (await Promise.all(ready)).reduce((a, b) => a + b, 0);
  if (opened !== sessions) throw new Error(`only ${opened}/${sessions} sessions opened`);
  return { children, secs: (Date.now() - t0) / 1000 };
}

async function closeBatch(children) {
  await Promise.all(children.map((c) => new Promise((resolve) => {
    if (c.exitCode !== null) { resolve(); return; }
    c.removeAllListeners('exit');
    c.once('exit', resolve);
    try { c.send({ cmd: 'exit' }); } catch { resolve(); }
  })));
}

/** One server: 0-session figures, cold batch (CPU), hold (RSS, heap), close, warm batch (CPU). */
async function measure(server) {
  const app = server === 'soketi' ? newApp() : null;
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const proc = await startServer(server, app);
  const jvm = isJvm(server);
  const r = { server, load };
  let children = [];
  try {
    await sleep(1000);
    r.heap0 = jvm ? liveHeapKiB(proc.pid) : NaN;
    r.rss0 = rssKiB(proc.pid);
    const cold = new ProcCpuWindow(proc.pid).start();
    const b1 = await openBatch(server, app, 's-');
    children = b1.children;
    r.cold = cold.stop();
    r.coldSecs = b1.secs;
    console.log(`${server}: ${sessions} sessions open in ${b1.secs.toFixed(1)} s (cold); settling ${settleMs} ms`);
    const idle = new ProcCpuWindow(proc.pid).start();
    await sleep(settleMs);
    r.idle = idle.stop();
    r.rss1 = rssKiB(proc.pid);
    r.heap1 = jvm ? liveHeapKiB(proc.pid) : NaN;
    if (jvm && opt.histogram) {
      // --deflate true: the hub's and echo's clients offer permessage-deflate, as browsers do (default:
// they do not, so the figures are the server's at its cheapest).
// --histogram DIR: where the live bytes are at N sessions (after the full GC above).
      const file = path.resolve(opt.histogram, `sessions-${server}-${++histograms}.txt`);
      writeFileSync(file, jcmd(proc.pid, 'GC.class_histogram'));
      console.log(`${server}: class histogram at ${sessions} sessions in ${file}`);
    }
    r.rss1AfterGc = rssKiB(proc.pid);
    if (warm) {
      const gap = new ProcCpuWindow(proc.pid).start();
      await closeBatch(children);
      children = [];
      await sleep(gapMs);
      // ...and until the server is quiet (< 5% of a core over a second, at most 60 s more): a
      // server still busy with the closes would be billed to the warm batch.
      const quietBy = Date.now() + 60000;
      for (;;) {
        const q = new ProcCpuWindow(proc.pid).start();
        await sleep(1000);
        if (q.stop().total < 50 || Date.now() > quietBy) break;
      }
      r.gap = gap.stop();
      const w = new ProcCpuWindow(proc.pid).start();
      const b2 = await openBatch(server, app, 's-');
      children = b2.children;
      r.warm = w.stop();
      r.warmSecs = b2.secs;
      console.log(`${server}: ${sessions} sessions open in ${b2.secs.toFixed(1)} s (warm)`);
    }
    if (server === 'soketi') r.native = proc.native;
  } finally {
    await closeBatch(children);
    await stopHub(proc);
  }
  return r;
}

const ms = (c) => c.total / sessions;
const cpuLine = (c, secs, jvm) => `${fmt(c.total / sessions)} ms CPU/session${jvm ? ` (${fmt(c.nonJit / sessions)} without the JIT compiler threads, which used ${fmt(c.jit / sessions)})` : ''}; ${(c.total / 1000).toFixed(2)} s CPU over ${secs.toFixed(1)} s (${Math.round(sessions / secs)}/s)`;
const WHAT = {
  hub: 'idle presence sessions (raw WebSocket; connect + auth + welcome, role client',
  soketi: `idle Pusher presence-channel sessions on soketi 1.6.1 (connect + connection_established + signed presence subscribe + subscription_succeeded; ${membersPerChannel} member(s) per channel`,
  'vertx-echo': 'idle sessions on the bare Vert.x SockJS echo (bench/engine/SockJsEcho.java; raw WebSocket, one echoed frame each',
  'node-echo': 'idle sessions on the reference SockJS server, npm sockjs (bench/loadgen/sockjs-echo.mjs; raw WebSocket, one echoed frame each',
};

const results = [];
for (let round = 0; round < rounds; round++) {
  for (const s of servers) results.push(await measure(s));
}
const lines = [`${sessions} sessions per server, ${workers} load processes on 127.0.0.2-9, 200 handshakes in flight per load process${opt.deflate === 'true' ? ', clients offering permessage-deflate (as browsers do)' : ''}; order ${results.map((r) => r.server).join(', ')} (each a fresh process); warm batch = the same ${sessions} again after the first batch was closed and ${gapMs} ms passed`];
const per1 = (a, b) => (b - a) / sessions;
for (const r of results) {
  const jvm = isJvm(r.server);
  lines.push(`${r.server}: ${WHAT[kind(r.server)]}${variants.has(r.server) ? `, JVM also ${variants.get(r.server).join(' ')}` : ''}); load average before ${r.load}${r.native ? `; native uWS ${path.basename(r.native)}` : ''}`);
  lines.push(`${r.server}: RSS ${(r.rss0 / 1024).toFixed(0)} MiB at 0 sessions, ${(r.rss1 / 1024).toFixed(0)} MiB with ${sessions} → ${per1(r.rss0, r.rss1).toFixed(1)} KiB/session (after the full GC: ${per1(r.rss0, r.rss1AfterGc).toFixed(1)})`
    + (jvm ? `; live heap after a full GC ${(r.heap0 / 1024).toFixed(1)} → ${(r.heap1 / 1024).toFixed(1)} MiB → ${per1(r.heap0, r.heap1).toFixed(1)} KiB/session` : '; not a JVM (RSS only)'));
  lines.push(`${r.server}: idle with ${sessions} sessions (the ${(r.idle.wallMs / 1000).toFixed(1)} s settle before the RSS): ${(r.idle.total / r.idle.wallMs * 100).toFixed(2)} % of a core (JIT threads ${(r.idle.jit / r.idle.wallMs * 100).toFixed(2)} %)`);
  lines.push(`${r.server}: set-up cold (first ${sessions} on a fresh process): ${cpuLine(r.cold, r.coldSecs, jvm)}`);
  if (r.warm) {
    lines.push(`${r.server}: closing the first batch (load processes terminate their sockets) and the gap (${gapMs} ms, then until the server was quiet: ${(r.gap.wallMs / 1000).toFixed(1)} s in all): ${fmt(r.gap.total / sessions)} ms CPU/session${jvm ? ` (JIT threads ${fmt(r.gap.jit / sessions)})` : ''}`);
    lines.push(`${r.server}: set-up warm (second batch): ${cpuLine(r.warm, r.warmSecs, jvm)}`);
  }
}
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const of = (s, f) => med(results.filter((r) => r.server === s).map(f));
if (servers.includes('hub')) {
  for (const peer of [...new Set(servers)].filter((s) => s !== 'hub')) {
    const parts = [`RSS/session ${(of('hub', (r) => per1(r.rss0, r.rss1)) / of(peer, (r) => per1(r.rss0, r.rss1))).toFixed(2)}`];
    if (isJvm(peer)) parts.push(`live heap/session ${(of('hub', (r) => per1(r.heap0, r.heap1)) / of(peer, (r) => per1(r.heap0, r.heap1))).toFixed(2)}`);
    parts.push(`CPU/session cold ${(of('hub', (r) => ms(r.cold)) / of(peer, (r) => ms(r.cold))).toFixed(2)}`);
    if (warm) parts.push(`warm ${(of('hub', (r) => ms(r.warm)) / of(peer, (r) => ms(r.warm))).toFixed(2)}`);
    if (warm && isJvm(peer)) parts.push(`warm without JIT threads ${(of('hub', (r) => r.warm.nonJit) / of(peer, (r) => r.warm.nonJit)).toFixed(2)}`);
    lines.push(`ratio hub/${peer}: ${parts.join(', ')}`);
  }
}
lines.forEach((l) => console.log(l));
appendResults(opt.results, `Sessions, memory and set-up CPU (bench/sessions.mjs --server ${servers.join(',')})`, lines, `${jvmFlags.join(' ')} (hub, vertx-echo); soketi and sockjs-node on node ${process.version}`);
process.exit(0);
