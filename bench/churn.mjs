// Scenario 8 (churn): R joins+leaves per second (open loop: R/2 new sessions a second, each leaving
// --lifetime-ms after it joined) with one roster watcher, on a fresh server for --seconds (cold: JIT
// still compiling), then again for --seconds (warm). Per window: the server CPU per 1,000 events
// (/proc/<pid>/stat utime+stime, the JVM's C1/C2 compiler threads apart) and the latency from the
// change on the load side (hub: auth frame sent / bye sent; soketi: presence subscribe sent / close)
// to its arrival at the watcher (p50/p99/max), matched per user.
//
//   node bench/churn.mjs [--server hub,soketi] [--rate 500] [--seconds 30] [--lifetime-ms 200] [--workers 2]
//
// - hub: client sessions (connect + auth + welcome; leave = `bye` + close: offline at once), the
//   watcher a tech with {"type":"subscribe","roster":"client"}.
// - soketi: soketi 1.6.1 (bench/loadgen/soketi.mjs, native uWS checked), every churning session
//   subscribes to one presence channel (signed with the run's app secret) where the watcher is a
//   member and gets pusher_internal:member_added / member_removed. Pusher semantics: every member
//   of that channel also gets the others' member_added/removed and the member list on subscribe,
//   so soketi does that fan-out on top (lifetime × R/2 members at a time, ~50 at the defaults);
//   the hub's clients get nothing here.
// JVM flags A/B (cold start, issue 15): `--hub-jvm cds=-XX:SharedArchiveFile=… --server hub,hub:cds`
// runs the hub again with those extra flags (space-separated).
// Servers alternate in the order given, each a fresh process. Load: --workers processes
// (bench/loadgen/churn-worker.mjs) on 127.0.0.2-9; their lag behind schedule is reported.
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendResults, openSession, parseOptions, percentile, refuse } from './loadgen/lib.mjs';
import { BENCH_SECRET, startHub, stopHub } from './loadgen/hub.mjs';
import { newApp, openPusherSession, startSoketi } from './loadgen/soketi.mjs';
import { ProcCpuWindow, fmt, listenOverflows } from './loadgen/cpu.mjs';
import { machineMs, mono, sleep, track } from './loadgen/cluster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseOptions('churn.mjs', { options: {
  server: { type: 'string', default: 'hub,soketi' },
  rate: { type: 'string', default: '500' },
  seconds: { type: 'string', default: '30' },
  'lifetime-ms': { type: 'string', default: '200' },
  workers: { type: 'string', default: '2' },
  port: { type: 'string', default: '18090' },
  'metrics-port': { type: 'string', default: '18096' },
  jar: { type: 'string', default: path.join(here, '..', 'target', 'presence-hub.jar') },
  xmx: { type: 'string', default: '2g' },
  results: { type: 'string', default: path.join(here, 'RESULTS.md') },
  jfr: { type: 'string' },
  'hub-jvm': { type: 'string', multiple: true, default: [] },
} });
const servers = opt.server.split(',').map((s) => s.trim()).filter(Boolean);
const variants = new Map(opt['hub-jvm'].map((v) => [`hub:${v.slice(0, v.indexOf('='))}`, v.slice(v.indexOf('=') + 1).split(/\s+/).filter(Boolean)]));
const kind = (s) => (variants.has(s) ? 'hub' : s);
for (const s of servers) if (kind(s) !== 'hub' && s !== 'soketi') refuse('churn.mjs', `--server: hub, soketi; got ${s}`);
const rate = Math.max(2, Math.min(Number(opt.rate), 5000)); // events/s = joins/s + leaves/s
const seconds = Math.max(1, Math.min(Number(opt.seconds), 120));
const lifetimeMs = Math.max(0, Math.min(Number(opt['lifetime-ms']), 10000));
const workers = Math.max(1, Math.min(Number(opt.workers), 8));
const jvmFlags = [`-Xmx${opt.xmx}`, '-XX:+UseG1GC'];
// --jfr DIR: the hub runs under Java Flight Recorder (settings=profile), one file per hub run;
// `node bench/jfr-top.mjs DIR/churn-hub-1.jfr` then lists where its CPU samples went. JFR costs CPU
// itself: take the figures from a run without it.
let jfrRuns = 0;
const jfrFlags = () => (opt.jfr ? [`-XX:StartFlightRecording=filename=${path.resolve(opt.jfr, `churn-hub-${++jfrRuns}.jfr`)},settings=profile`] : []);
const CHANNEL = 'presence-churn';

async function run(server) {
  const app = server === 'soketi' ? newApp() : null;
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const proc = track(kind(server) === 'hub'
    ? await startHub({ jar: opt.jar, port: Number(opt.port), jvmFlags: [...jvmFlags, ...(variants.get(server) ?? []), ...jfrFlags()] })
    : await startSoketi({ port: Number(opt.port), metricsPort: Number(opt['metrics-port']), app }));
  const children = [];
  const out = { server, load, windows: [], native: proc.native };
  try {
    const online = new Map(); // user → first arrival of online / member_added (mono ms)
    const offline = new Map();
    const see = (map, user, at) => { if (!map.has(user)) map.set(user, at); };
    let watcher;
    if (kind(server) === 'hub') {
      watcher = await openSession({ url: `ws://127.0.0.1:${opt.port}/presence/websocket`, secret: BENCH_SECRET, tenant: 'bench', user: 'watcher', role: 'tech',
        onFrame: (frame) => {
          const at = mono();
          if (frame.type !== 'presence' || frame.id !== undefined) return;
          for (const u of frame.updates) {
            if (u.status === 'online') see(online, u.user, at);
            else if (u.status === 'offline') see(offline, u.user, at);
          }
        } });
      watcher.send(JSON.stringify({ type: 'subscribe', roster: 'client', id: 'roster' }));
    } else {
      watcher = await openPusherSession({ url: `ws://127.0.0.1:${opt.port}`, app, channel: CHANNEL, user: 'watcher',
        onEvent: (m, at) => {
          if (m.event !== 'pusher_internal:member_added' && m.event !== 'pusher_internal:member_removed') return;
          const user = JSON.parse(m.data).user_id;
          see(m.event === 'pusher_internal:member_added' ? online : offline, user, at);
        } });
    }
    const url = kind(server) === 'hub' ? `ws://127.0.0.1:${opt.port}/presence/websocket` : `ws://127.0.0.1:${opt.port}`;
    for (let w = 0; w < workers; w++) {
      const child = track(fork(path.join(here, 'loadgen', 'churn-worker.mjs'), [JSON.stringify({
        url, secret: BENCH_SECRET, tenant: 'bench', prefix: 'c', protocol: kind(server) === 'hub' ? 'hub' : 'pusher', channel: CHANNEL })],
      { env: { ...process.env, BENCH_PUSHER_APP: app ? JSON.stringify(app) : '' } }));
      children.push(child);
      await new Promise((resolve) => child.once('message', resolve));
    }
    await sleep(1000);
    for (const [i, label] of ['cold', 'warm'].entries()) {
      const ms = seconds * 1000;
      const start = mono() + 500;
      const reports = children.map((c) => new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no report from a churn worker')), ms + lifetimeMs + 60000);
        c.on('message', function on(m) { if (m.done !== undefined) { clearTimeout(t); c.off('message', on); resolve(m); } });
      }));
      children.forEach((c, w) => c.send({ cmd: 'go', start, rate: rate / 2, slot: w, slots: workers, ms, lifetimeMs, run: i }));
      await sleep(Math.max(0, start - mono()));
      const cpu = new ProcCpuWindow(proc.pid).start();
      const m0 = machineMs();
      const lo0 = listenOverflows();
      const rs = await Promise.all(reports);
      const events = rs.flatMap((r) => r.events);
      // Drain: until the watcher has every leave, or 5 s.
      const drainBy = mono() + 5000;
      while (mono() < drainBy && events.some(([u]) => !offline.has(u))) await sleep(20);
      const c = cpu.stop();
      const m1 = machineMs();
      const overflows = listenOverflows() - lo0;
      const lat = [];
      let missing = 0;
      for (const [u, joinAt, leaveAt] of events) {
        if (online.has(u)) lat.push(online.get(u) - joinAt); else missing++;
        if (offline.has(u)) lat.push(offline.get(u) - leaveAt); else missing++;
      }
      lat.sort((a, b) => a - b);
      const n = events.length * 2;
      const errors = rs.reduce((s, r) => s + r.errors, 0);
      const win = { label, n, overflows, errors, firstError: rs.find((r) => r.firstError)?.firstError, missing, lat, cpu: c,
        lag: Math.max(...rs.map((r) => r.lag.p99)), machinePct: (200 * (m1.busy - m0.busy)) / (m1.total - m0.total) * os.cpus().length / 2 };
      out.windows.push(win);
      console.log(`${server} ${label}: ${n} events, ${fmt((1000 * c.total) / n / 1000)} s CPU per 1,000 events (JIT threads ${fmt((1000 * c.jit) / n / 1000)} s), p99 ${fmt(percentile(lat, 99))} ms, missing ${missing}, errors ${errors}`);
      await sleep(1000);
    }
    watcher.terminate();
  } finally {
    for (const c of children) { try { c.send({ cmd: 'exit' }); } catch { /* gone */ } }
    await stopHub(proc);
  }
  return out;
}

const results = [];
for (const s of servers) results.push(await run(s));
const lines = [`${rate} events/s (${rate / 2} joins/s + ${rate / 2} leaves/s, open loop, each session leaving ${lifetimeMs} ms after it joined) for ${seconds} s cold (fresh server) then ${seconds} s warm; one roster watcher; ${workers} load processes on 127.0.0.2-9; servers in the order ${servers.join(', ')}`];
for (const r of results) {
  lines.push(`${r.server}: ${kind(r.server) === 'hub' ? `client sessions${variants.has(r.server) ? ` (JVM also ${variants.get(r.server).join(' ')})` : ''} (connect + auth + welcome; leave = bye + close), watcher = tech subscribed to roster client` : `Pusher presence channel ${CHANNEL} on soketi 1.6.1 (native uWS ${path.basename(r.native ?? '?')}), signed subscribe; leave = close; watcher = a member getting member_added/member_removed`}; load average before ${r.load}`);
  for (const w of r.windows) {
    const c = w.cpu;
    lines.push(`${r.server} ${w.label}: ${w.n} events; server CPU ${fmt(c.total / w.n)} s per 1,000 events${kind(r.server) === 'hub' ? ` (${fmt(c.nonJit / w.n)} s without the JIT compiler threads, which used ${fmt(c.jit / w.n)} s)` : ''}, ${(c.total / 1000).toFixed(2)} s over ${(c.wallMs / 1000).toFixed(1)} s; change→watcher p50 ${fmt(percentile(w.lat, 50))} ms, p99 ${fmt(percentile(w.lat, 99))} ms, max ${fmt(w.lat[w.lat.length - 1])} ms; missing at the watcher ${w.missing}, errors ${w.errors}${w.firstError ? ` (first: ${w.firstError})` : ''}; load side p99 lag behind schedule ${fmt(w.lag)} ms; machine busy ${w.machinePct.toFixed(0)}% of ${os.cpus().length * 100}%; connects dropped by a full listen queue (TcpExt ListenOverflows, whole host) ${w.overflows}`);
  }
}
const hub = results.find((r) => r.server === 'hub');
const sk = results.find((r) => r.server === 'soketi');
if (hub && sk) {
  for (const i of [0, 1]) {
    const h = hub.windows[i]; const s = sk.windows[i];
    lines.push(`ratio hub/soketi ${h.label}: CPU per event ${((h.cpu.total / h.n) / (s.cpu.total / s.n)).toFixed(2)} (hub without JIT threads ${((h.cpu.nonJit / h.n) / (s.cpu.total / s.n)).toFixed(2)}), p99 ${(percentile(h.lat, 99) / percentile(s.lat, 99)).toFixed(2)}`);
  }
}
for (const v of results.filter((r) => hub && variants.has(r.server))) {
  const per = (r, i) => r.windows[i].cpu.total / r.windows[i].n;
  lines.push(`ratio ${v.server}/hub: CPU per event cold ${(per(v, 0) / per(hub, 0)).toFixed(2)}, warm ${(per(v, 1) / per(hub, 1)).toFixed(2)}`);
}
lines.forEach((l) => console.log(l));
appendResults(opt.results, `Churn (bench/churn.mjs --server ${servers.join(',')})`, lines, `${jvmFlags.join(' ')} (hub); soketi on node ${process.version}`);
process.exit(0);
