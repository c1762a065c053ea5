// Scenario 2 (activity throughput and CPU per frame): C sessions each keep K activity frames in flight
// ({"type":"activity","id":n}; the hub acks each, and every ack sends the next frame), against a
// bare Vert.x 5 SockJS echo server (bench/engine/SockJsEcho.java) doing the same framing over the
// same raw-WebSocket transport. Alternating runs (hub, echo, hub, echo, …), median msg/s of each
// and the ratio hub/echo; and the server CPU per acked / echoed frame (/proc/<pid>/stat
// utime+stime over the measured window divided by the replies counted in it, the JVM's C1/C2
// compiler threads apart), the figure to read on a shared machine where msg/s is bounded by the
// load client.
//
//   node bench/throughput.mjs [--sessions 1000] [--in-flight 4] [--seconds 10] [--runs 3] [--workers 2]
//                             [--peers vertx|vertx,node] [--jfr DIR] [--hub-jvm NAME=FLAGS …]
//
// --jfr DIR records each hub run with Java Flight Recorder (settings=profile) into DIR; then
// `node bench/jfr-top.mjs DIR/hub-run1.jfr` lists where the hub's CPU samples went.
//
// --peers vertx,node adds the reference SockJS server (npm `sockjs`, bench/loadgen/sockjs-echo.mjs)
// echoing the same frames, alternating hub, vertx, node, hub, ….
//
// The hub's per-session rate limit (50 frames/s, burst 100) would throttle this, so the hub runs
// with PRESENCE_RATE_LIMIT_PER_SECOND=1000000 PRESENCE_RATE_LIMIT_BURST=1000000.
import { fork, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendResults, parseOptions, refuse } from './loadgen/lib.mjs';
import { BENCH_SECRET, startHub, stopHub } from './loadgen/hub.mjs';
import { ProcCpuWindow } from './loadgen/cpu.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseOptions('throughput.mjs', { options: {
  sessions: { type: 'string', default: '1000' },
  'in-flight': { type: 'string', default: '4' },
  seconds: { type: 'string', default: '10' },
  'warmup-seconds': { type: 'string', default: '3' },
  runs: { type: 'string', default: '3' },
  workers: { type: 'string', default: '2' },
  peers: { type: 'string', default: 'vertx' },
  'node-port': { type: 'string', default: '18092' },
  port: { type: 'string', default: '18090' },
  'echo-port': { type: 'string', default: '18091' },
  jar: { type: 'string', default: path.join(here, '..', 'target', 'presence-hub.jar') },
  xmx: { type: 'string', default: '2g' },
  results: { type: 'string', default: path.join(here, 'RESULTS.md') },
  jfr: { type: 'string' },
  'hub-jvm': { type: 'string', multiple: true, default: [] },
} });
// --hub-jvm NAME=FLAGS (repeatable): a hub variant with extra JVM flags (space-separated), run in
// each round right after the plain hub, e.g. --hub-jvm "lean=-XX:G1PeriodicGCInterval=10000".
const variants = opt['hub-jvm'].map((v) => ({ name: `hub:${v.slice(0, v.indexOf('='))}`, flags: v.slice(v.indexOf('=') + 1).split(/\s+/).filter(Boolean) }));
const sessions = Math.min(Number(opt.sessions), 19000);
const inFlight = Number(opt['in-flight']);
const seconds = Number(opt.seconds);
const warmupMs = Number(opt['warmup-seconds']) * 1000;
const runs = Math.min(Number(opt.runs), 10);
const workers = Number(opt.workers);
const peers = opt.peers.split(',').map((x) => x.trim()).filter(Boolean);
for (const p of peers) if (p !== 'vertx' && p !== 'node') refuse('throughput.mjs', `unknown peer ${p} (vertx, node)`);
const jvmFlags = [`-Xmx${opt.xmx}`, '-XX:+UseG1GC'];
let hubRuns = 0;
const RATE_ENV = { PRESENCE_RATE_LIMIT_PER_SECOND: '1000000', PRESENCE_RATE_LIMIT_BURST: '1000000' };

async function waitHttp(url, proc, what) {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}`);
    try { if ((await fetch(url)).ok) return; } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not ready within 60 s`);
}

async function startNodeEcho(port) {
  const proc = spawn(process.execPath, [path.join(here, 'loadgen', 'sockjs-echo.mjs'), String(port)],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  try { await waitHttp(`http://127.0.0.1:${port}/echo/info`, proc, 'sockjs-node echo'); } catch (e) { proc.kill('SIGKILL'); throw e; }
  return proc;
}

async function startEcho(port) {
  const proc = spawn('java', [...jvmFlags, '-cp', opt.jar, path.join(here, 'engine', 'SockJsEcho.java'), String(port)],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  try { await waitHttp(`http://127.0.0.1:${port}/echo/info`, proc, 'echo server'); } catch (e) { proc.kill('SIGKILL'); throw e; }
  return proc;
}

/**
 * One measured run against a started server (pid): returns {rate: msg/s, cpu: server CPU µs per
 * reply and without the JIT compiler threads} over the measured window.
 */
async function pump(mode, url, pid) {
  const per = Math.ceil(sessions / workers);
  const children = [];
  try {
    const ready = [];
    for (let w = 0; w < workers; w++) {
      const count = Math.min(per, sessions - w * per);
      const child = fork(path.join(here, 'loadgen', 'pump-worker.mjs'), [JSON.stringify({
        mode, url, secret: BENCH_SECRET, tenant: 'bench', prefix: 't-', from: w * per, count, inFlight })]);
      children.push(child);
      ready.push(new Promise((resolve, reject) => {
        child.on('message', (m) => { if (m.ready !== undefined) resolve(); });
        child.on('exit', (code) => reject(new Error(`worker ${w} exited with ${code}`)));
      }));
    }
    await Promise.all(ready);
    const reports = children.map((c) => new Promise((resolve, reject) => {
      c.on('message', (m) => { if (m.replies !== undefined) resolve(m); });
      setTimeout(() => reject(new Error('no report from a worker')), warmupMs + seconds * 1000 + 30000);
    }));
    for (const c of children) c.send({ cmd: 'go', warmupMs, measureMs: seconds * 1000 });
    let cpu = null;
    const cpuStart = setTimeout(() => { cpu = new ProcCpuWindow(pid).start(); }, warmupMs);
    const rs = await Promise.all(reports);
    clearTimeout(cpuStart);
    const used = cpu ? cpu.stop() : { total: NaN, nonJit: NaN, jit: NaN };
    const rate = rs.reduce((s, r) => s + r.replies / (r.ms / 1000), 0);
    const replies = rs.reduce((s, r) => s + r.replies, 0);
    const others = rs.reduce((s, r) => s + r.others, 0);
    if (others > 0) console.log(`  ${mode}: ${others} frames that were not replies, e.g. ${rs.find((r) => r.firstOther)?.firstOther}`);
    return { rate, us: (1000 * used.total) / replies, usNonJit: (1000 * used.nonJit) / replies };
  } finally {
    for (const c of children) { try { c.send({ cmd: 'exit' }); } catch { /* gone */ } }
    await Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.on('exit', r)))));
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const k = (x) => `${(x / 1000).toFixed(1)}k`;
const us = (r) => `${r.us.toFixed(1)} µs server CPU/frame (${r.usNonJit.toFixed(1)} without JIT threads)`;
const med = (runs, f) => median(runs.map(f));

console.log(`throughput: ${sessions} sessions x ${inFlight} in flight, ${seconds} s measured after ${warmupMs / 1000} s warmup, ${runs} alternating runs each; ${workers} load process(es)`);
console.log('hub started with PRESENCE_RATE_LIMIT_PER_SECOND=1000000 PRESENCE_RATE_LIMIT_BURST=1000000 (the default 50/s, burst 100 would throttle this)');
const hubRates = [];
const rates = { vertx: [], node: [] };
for (let i = 0; i < runs; i++) {
  hubRuns += 1;
  const recording = opt.jfr
    ? [`-XX:StartFlightRecording=filename=${path.resolve(opt.jfr, `hub-run${hubRuns}.jfr`)},settings=profile`] : [];
  const hub = await startHub({ jar: opt.jar, port: Number(opt.port), jvmFlags: [...jvmFlags, ...recording], env: RATE_ENV });
  try {
    hubRates.push(await pump('hub', `ws://127.0.0.1:${opt.port}/presence/websocket`, hub.pid));
  } finally { await stopHub(hub); }
  console.log(`  run ${i + 1} hub:  ${k(hubRates[i].rate)} msg/s, ${us(hubRates[i])}`);
  for (const v of variants) {
    const h = await startHub({ jar: opt.jar, port: Number(opt.port), jvmFlags: [...jvmFlags, ...v.flags], env: RATE_ENV });
    try {
      (v.rates ??= []).push(await pump('hub', `ws://127.0.0.1:${opt.port}/presence/websocket`, h.pid));
    } finally { await stopHub(h); }
    console.log(`  run ${i + 1} ${v.name}: ${k(v.rates[i].rate)} msg/s, ${us(v.rates[i])}`);
  }
  for (const p of peers) {
    const port = p === 'vertx' ? opt['echo-port'] : opt['node-port'];
    const echo = p === 'vertx' ? await startEcho(Number(port)) : await startNodeEcho(Number(port));
    try {
      rates[p].push(await pump('echo', `ws://127.0.0.1:${port}/echo/websocket`, echo.pid));
    } finally { await stopHub(echo); }
    console.log(`  run ${i + 1} ${p === 'vertx' ? 'Vert.x echo' : 'sockjs-node echo'}: ${k(rates[p][i].rate)} msg/s, ${us(rates[p][i])}`);
  }
}
const hubMed = med(hubRates, (r) => r.rate);
const hubUs = med(hubRates, (r) => r.us);
const hubUsNonJit = med(hubRates, (r) => r.usNonJit);
const lines = [
  `${sessions} sessions x ${inFlight} in flight (raw WebSocket, ${workers} load process(es), 127.0.0.2-9), ${seconds} s measured after ${warmupMs / 1000} s warmup; ${runs} alternating runs each, fresh server per run; load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  `hub: {"type":"activity","id":n} acked; rate limit lifted (PRESENCE_RATE_LIMIT_PER_SECOND=1000000 PRESENCE_RATE_LIMIT_BURST=1000000)`,
  `server CPU per frame = the server's /proc/<pid>/stat utime+stime over the measured window / replies counted in it (the figure to read on a shared machine; msg/s is client+server)`,
  `hub median ${k(hubMed)} msg/s (runs ${hubRates.map((r) => k(r.rate)).join(', ')}); median ${hubUs.toFixed(1)} µs server CPU per acked frame (${hubUsNonJit.toFixed(1)} without the JIT compiler threads; runs ${hubRates.map((r) => r.us.toFixed(1)).join(', ')})`,
];
for (const v of variants) {
  lines.push(`${v.name} (JVM also ${v.flags.join(' ')}) median ${k(med(v.rates, (r) => r.rate))} msg/s; median ${med(v.rates, (r) => r.us).toFixed(1)} µs server CPU per acked frame (${med(v.rates, (r) => r.usNonJit).toFixed(1)} without the JIT compiler threads; runs ${v.rates.map((r) => r.us.toFixed(1)).join(', ')}); ratio ${v.name}/hub ${(med(v.rates, (r) => r.us) / hubUs).toFixed(2)} (without JIT threads ${(med(v.rates, (r) => r.usNonJit) / hubUsNonJit).toFixed(2)})`);
}
for (const p of peers) {
  const name = p === 'vertx' ? 'Vert.x SockJS echo (bench/engine/SockJsEcho.java, 2 instances, same JVM flags)' : 'sockjs-node echo (npm sockjs, bench/loadgen/sockjs-echo.mjs)';
  const short = p === 'vertx' ? 'Vert.x echo' : 'sockjs-node echo';
  const m = med(rates[p], (r) => r.rate);
  const u = med(rates[p], (r) => r.us);
  const un = med(rates[p], (r) => r.usNonJit);
  lines.push(`${name} median ${k(m)} msg/s (runs ${rates[p].map((r) => k(r.rate)).join(', ')}); median ${u.toFixed(1)} µs server CPU per echoed frame (${un.toFixed(1)} without JIT threads; runs ${rates[p].map((r) => r.us.toFixed(1)).join(', ')})`);
  lines.push(`ratio hub/${short}: msg/s ${(hubMed / m).toFixed(2)}; server CPU per frame ${(hubUs / u).toFixed(2)} (without JIT threads ${(hubUsNonJit / un).toFixed(2)})`);
}
lines.forEach((l) => console.log(l));
appendResults(opt.results, 'Activity throughput (bench/throughput.mjs)', lines, jvmFlags.join(' '));
process.exit(0);
