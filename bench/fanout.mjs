// Scenario 9 (fan-out): one tenant, T techs toggling presence (presence.set away/online, open loop,
// round-robin, R transitions/s in all) and W client sessions subscribed to roster "tech" (15,000 by
// default). Figures: presence updates delivered per second of server CPU (/proc/<pid>/stat
// utime+stime over the window, the JVM's C1/C2 compiler threads apart), against a bare Vert.x 5
// SockJS server writing the same bytes to the same number of sockets (bench/engine/FanoutBare.java:
// the techs send it the very frame the hub sent for a transition, taken from the hub run, and it
// writes that frame to every subscriber), the ratio hub/bare; and per transition the delay from the
// tech's send to its arrival at the last of the W watchers (p50/p99/max).
//
//   node bench/fanout.mjs [--server hub,bare] [--watchers 15000] [--techs 50] [--rate 2] [--seconds 30]
//                         [--warmup-seconds 10] [--workers 3]
//
// Each server is a fresh process, hub first (its frames are the bare run's template). Unrecorded
// warm-up at the same rate first. Arrival times are taken by the load processes, which on a shared
// 2-core machine are themselves busy reading W frames per transition: the delay to the last watcher
// includes that (their CPU is printed). Watchers on --workers processes, techs on one more,
// source addresses 127.0.0.2-9; W + T stays under the 20,000 open files a process may have.
import { fork, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendResults, parseOptions, percentile, refuse } from './loadgen/lib.mjs';
import { BENCH_SECRET, startHub, stopHub } from './loadgen/hub.mjs';
import { ProcCpuWindow, fmt } from './loadgen/cpu.mjs';
import { CpuWindow, mono, sleep, track } from './loadgen/cluster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseOptions('fanout.mjs', { options: {
  server: { type: 'string', default: 'hub,bare' },
  watchers: { type: 'string', default: '15000' },
  techs: { type: 'string', default: '50' },
  rate: { type: 'string', default: '2' },
  seconds: { type: 'string', default: '30' },
  'warmup-seconds': { type: 'string', default: '10' },
  workers: { type: 'string', default: '3' },
  port: { type: 'string', default: '18090' },
  jar: { type: 'string', default: path.join(here, '..', 'target', 'presence-hub.jar') },
  xmx: { type: 'string', default: '2g' },
  results: { type: 'string', default: path.join(here, 'RESULTS.md') },
  jfr: { type: 'string' },
} });
const servers = opt.server.split(',').map((s) => s.trim()).filter(Boolean);
for (const s of servers) if (s !== 'hub' && s !== 'bare') refuse('fanout.mjs', `--server: hub, bare; got ${s}`);
const watchers = Number(opt.watchers);
const techs = Number(opt.techs);
if (!(watchers >= 1 && techs >= 1 && watchers + techs <= 19000)) refuse('fanout.mjs', '--watchers + --techs must be 2..19000 (20,000 open files per process here)');
const rate = Math.max(0.1, Math.min(Number(opt.rate), 1000));
const seconds = Math.max(1, Math.min(Number(opt.seconds), 120));
const warmupSeconds = Math.max(0, Math.min(Number(opt['warmup-seconds']), 60));
const workers = Math.max(1, Math.min(Number(opt.workers), 8));
const jvmFlags = [`-Xmx${opt.xmx}`, '-XX:+UseG1GC'];
// --jfr DIR: the hub runs under Java Flight Recorder (settings=profile), one file per hub run;
// `node bench/jfr-top.mjs DIR/fanout-hub-1.jfr` then lists where its CPU samples went. JFR costs CPU
// itself: take the figures from a run without it.
let jfrRuns = 0;
const jfrFlags = () => (opt.jfr ? [`-XX:StartFlightRecording=filename=${path.resolve(opt.jfr, `fanout-hub-${++jfrRuns}.jfr`)},settings=profile`] : []);
let template = '{"type":"presence","updates":[{"user":"__USER__","role":"tech","status":"__STATUS__","reason":"preferred","since":__SINCE__,"lastActiveAt":1796047244480}]}';
let templateFrom = 'a hub-shaped frame (no hub run to copy from)';

async function startBare() {
  const proc = track(spawn('java', [...jvmFlags, '-cp', opt.jar, path.join(here, 'engine', 'FanoutBare.java'), opt.port, '1'], { stdio: ['ignore', 'ignore', 'inherit'] }));
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`FanoutBare exited with ${proc.exitCode}`);
    try { if ((await fetch(`http://127.0.0.1:${opt.port}/fanout/count`)).ok) return proc; } catch { /* not yet */ }
    await sleep(200);
  }
  proc.kill('SIGKILL');
  throw new Error('FanoutBare not ready within 60 s');
}

function spawnWorker(cfg) {
  const child = track(fork(path.join(here, 'loadgen', 'fanout-worker.mjs'), [JSON.stringify(cfg)]));
  child.ready = new Promise((resolve, reject) => {
    child.on('message', (m) => { if (m.ready !== undefined) resolve(m.ready); });
    child.on('exit', (code) => reject(new Error(`fanout worker exited with ${code}`)));
  });
  return child;
}
const ask = (c, cmd, key) => new Promise((resolve) => { c.on('message', function on(m) { if (m[key] !== undefined) { c.off('message', on); resolve(m); } }); c.send(cmd); });

async function run(server) {
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const proc = server === 'hub' ? track(await startHub({ jar: opt.jar, port: Number(opt.port), jvmFlags: [...jvmFlags, ...jfrFlags()] })) : await startBare();
  const url = server === 'hub' ? `ws://127.0.0.1:${opt.port}/presence/websocket` : `ws://127.0.0.1:${opt.port}/fanout/websocket`;
  const base = { url, secret: BENCH_SECRET, tenant: 'bench', target: server, template };
  const children = [];
  try {
    const pub = spawnWorker({ ...base, role: 'pub', prefix: 't-', from: 0, count: techs });
    children.push(pub);
    await pub.ready;
    const per = Math.ceil(watchers / workers);
    const ws = [];
    for (let w = 0; w < workers; w++) ws.push(spawnWorker({ ...base, role: 'watch', prefix: 'w-', from: techs + w * per, count: Math.min(per, watchers - w * per) }));
    children.push(...ws);
    const opened = (await Promise.all(ws.map((c) => c.ready))).reduce((a, b) => a + b, 0);
    if (opened !== watchers) throw new Error(`only ${opened}/${watchers} watchers`);
    await sleep(2000);
    console.log(`${server}: ${techs} techs and ${watchers} watchers open`);
    const round = async (secs, measured) => {
      for (const c of ws) c.send({ cmd: 'count', on: measured });
      const start = mono() + 300;
      const done = ask(pub, { cmd: 'go', start, rate, ms: secs * 1000 }, 'done');
      await sleep(Math.max(0, start - mono()));
      const cpu = new ProcCpuWindow(proc.pid).start();
      const load = new CpuWindow(() => ({ load: children.map((c) => c.pid) })).start();
      const sent = await done;
      const expected = sent.done * watchers;
      let reports = []; let last = -1; let lastChange = mono(); const drainStart = mono();
      for (;;) {
        reports = await Promise.all(ws.map((c) => ask(c, { cmd: 'report' }, 'report')));
        const got = reports.reduce((s, r) => s + r.all, 0);
        if (got !== last) { last = got; lastChange = mono(); }
        // Until every update arrived, or 5 s without progress (60 s at most); the warm-up too, so
        // none of its updates lands in the measured window.
        if (reports.reduce((s, r) => s + r.updates, 0) >= expected || mono() - lastChange > (measured ? 5000 : 1500) || mono() - drainStart > 60000) break;
        await sleep(250);
      }
      for (const c of ws) c.send({ cmd: 'count', on: false });
      const c = cpu.stop();
      const l = load.stop();
      if (!measured) return null;
      const delivered = reports.reduce((s, r) => s + r.updates, 0);
      const frames = reports.reduce((s, r) => s + r.frames, 0);
      const toLast = []; let complete = 0;
      for (const [u, { base, times }] of Object.entries(sent.sends)) {
        times.forEach((t, k) => {
          let n = 0; let latest = -Infinity;
          for (const r of reports) { const e = r.keys[`${u}#${base + k}`]; if (e) { n += e[0]; latest = Math.max(latest, e[1]); } }
          if (n === watchers) { complete++; toLast.push(latest - t); }
        });
      }
      toLast.sort((a, b) => a - b);
      return { sample: reports.find((x) => x.sample)?.sample, sent: sent.done, delivered, expected, frames, complete, toLast, cpu: c, loadPct: l.groups.load, machinePct: l.machinePct, lag: sent.lagP99 };
    };
    if (warmupSeconds > 0) { await round(warmupSeconds, false); await sleep(2000); }
    const r = await round(seconds, true);
    const sample = r.sample;
    if (server === 'hub' && sample) {
      // The bare run writes the very frame the hub wrote for a transition (user, status, since filled in per send).
      const f = JSON.parse(sample);
      if (f.updates.length === 1) {
        const u = f.updates[0];
        template = sample.replace(JSON.stringify(u.user), '"__USER__"').replace(JSON.stringify(u.status), '"__STATUS__"').replace(String(u.since), '__SINCE__');
        templateFrom = `the frame the hub sent, e.g. ${sample}`;
      }
    }
    console.log(`${server}: delivered ${r.delivered}/${r.expected} updates in ${r.frames} frames; ${fmt(r.delivered / (r.cpu.total / 1000))} updates per server-CPU-second; to the last watcher p99 ${fmt(percentile(r.toLast, 99))} ms`);
    return { server, load, ...r };
  } finally {
    for (const c of children) { try { c.send({ cmd: 'exit' }); } catch { /* gone */ } }
    await stopHub(proc);
  }
}

const results = [];
for (const s of servers) results.push(await run(s));
const lines = [`one tenant, ${techs} techs toggling presence.set away/online open loop round-robin at ${rate} transitions/s in all, ${watchers} client sessions subscribed to roster "tech" (${workers} load processes + 1 for the techs, 127.0.0.2-9); ${seconds} s measured after ${warmupSeconds} s unrecorded warm-up; servers in the order ${servers.join(', ')}, each fresh; bare = bench/engine/FanoutBare.java (1 verticle instance like the hub's one gateway loop) writing ${templateFrom} to every subscriber`];
for (const r of results) {
  const perCpu = r.delivered / (r.cpu.total / 1000);
  lines.push(`${r.server}: ${r.sent} transitions, delivered ${r.delivered} of ${r.expected} updates in ${r.frames} frames (${(r.delivered / Math.max(1, r.frames)).toFixed(2)} updates/frame), ${r.complete}/${r.sent} transitions reached every watcher; server CPU ${(r.cpu.total / 1000).toFixed(2)} s (JIT threads ${(r.cpu.jit / 1000).toFixed(2)} s) → ${Math.round(perCpu)} updates per server-CPU-second (${Math.round(r.delivered / (r.cpu.nonJit / 1000))} without JIT threads); tech send → last watcher p50 ${fmt(percentile(r.toLast, 50))} ms, p99 ${fmt(percentile(r.toLast, 99))} ms, max ${fmt(r.toLast[r.toLast.length - 1])} ms; load processes ${r.loadPct.toFixed(0)}% of a core, machine ${r.machinePct.toFixed(0)}% of ${os.cpus().length * 100}%; techs' p99 lag behind schedule ${fmt(r.lag)} ms; load average before ${r.load}`);
}
const h = results.find((r) => r.server === 'hub'); const b = results.find((r) => r.server === 'bare');
if (h && b) lines.push(`ratio hub/bare updates per server-CPU-second ${((h.delivered / h.cpu.total) / (b.delivered / b.cpu.total)).toFixed(2)} (without JIT threads ${((h.delivered / h.cpu.nonJit) / (b.delivered / b.cpu.nonJit)).toFixed(2)}); p99 to the last watcher hub/bare ${(percentile(h.toLast, 99) / percentile(b.toLast, 99)).toFixed(2)}`);
lines.forEach((l) => console.log(l));
appendResults(opt.results, `Fan-out (bench/fanout.mjs --server ${servers.join(',')})`, lines, jvmFlags.join(' '));
process.exit(0);
