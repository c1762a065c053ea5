// Cross-node propagation (issue #6 scenario 4; issue #3's "p50/p99 over 10,000 transitions"):
// T tech sessions on node A toggle presence.set away/online open-loop at an aggregate rate R; a
// roster("tech") watcher on node B records when each change arrives. Latency = arrival at B's
// watcher − the moment the frame was handed to ws.send on A's side (one host, CLOCK_MONOTONIC in
// every process). Per-user order is guaranteed, so the k-th send of user u is matched with the k-th
// update of u at the watcher, and each update's status is checked against what the k-th send set.
//
//   node bench/cluster-propagation.mjs [--rates 1000,10000] [--seconds 10] [--techs 2000]
//                                      [--workers 2] [--nodes 2] [--warmup-seconds 5] [--warmup-rounds 2] [--jar target/presence-hub.jar]
//
// Nodes: `--nodes` clustered hubs (n0 = A holds the techs, n1 = B holds the watcher, n2 idle
// member if 3), HTTP 18190+, Hazelcast 18290+, a fresh cluster name per run. The per-session rate
// limit is lifted (PRESENCE_RATE_LIMIT_PER_SECOND=1000000 PRESENCE_RATE_LIMIT_BURST=1000000) and
// the idle timeout is 1 h, so the only transitions are the toggles. Load: `--workers` processes
// (bench/loadgen/toggle-worker.mjs) on source addresses 127.0.0.2-9, each sending its interleaved
// share of the schedule; its lag behind the schedule is reported (a late load process shows there).
// CPU of every process over each measured window is read from /proc/<pid>/stat, to say which
// side saturated, and the busiest JVM threads (by /proc/<pid>/task, named via jcmd Thread.print).
// Before the measured rounds, every rate runs --warmup-seconds unrecorded, --warmup-rounds times (JIT). The nodes run with
// PRESENCE_WRITE_QUEUE_MAX_CHARS=64 MiB: with the default 256 KiB, one burst of ~1,700 records
// already counts as a slow client and the watcher gets the latest record per user only (README
// "Slow clients"), which hides transitions; --write-queue-max-chars 262144 shows that. Each
// node's own presence_transitions_total is read before and after, so a transition missing at the
// watcher can be told apart from one missing in the node's view.
// Diagnostics: --trace prints the watcher's count every 500 ms; --dump-threads-at MS writes a
// thread dump of every node MS into each measured window (into the cluster's log directory);
// --dump-latencies DIR writes each measured round's samples to DIR/latencies-RATE.tsv (send time as
// wall-clock epoch ms, latency ms), to line the tail up with the nodes' GC/safepoint logs (e.g.
// --jvm-extra "-Xlog:gc*,safepoint:file=DIR/gc-%p.log:timemillis,uptime,level,tags"; bench/gc-tail.mjs).
import { execFileSync, fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendResults, openSession, parseOptions, percentile } from './loadgen/lib.mjs';
import { BENCH_SECRET } from './loadgen/hub.mjs';
import { Cluster, CpuWindow, ThreadWindow, describeCpu, loadavg, metrics, mono, saturation, sleep, track, transitions, jarInfo } from './loadgen/cluster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseOptions('cluster-propagation.mjs', { options: {
  rates: { type: 'string', default: '1000,10000' },
  seconds: { type: 'string', default: '10' },
  'warmup-seconds': { type: 'string', default: '5' },
  'warmup-rounds': { type: 'string', default: '2' },
  'write-queue-max-chars': { type: 'string', default: '67108864' },
  techs: { type: 'string', default: '2000' },
  workers: { type: 'string', default: '2' },
  nodes: { type: 'string', default: '2' },
  'http-port': { type: 'string', default: '18190' },
  'hz-port': { type: 'string', default: '18290' },
  jar: { type: 'string', default: path.join(here, '..', 'target', 'presence-hub.jar') },
  xmx: { type: 'string', default: '2g' },
  trace: { type: 'boolean', default: false },
  'dump-threads-at': { type: 'string', default: '' },
  'jvm-extra': { type: 'string', default: '' },
  'dump-latencies': { type: 'string', default: '' },
  results: { type: 'string', default: path.join(here, 'RESULTS.md') },
} });
const rates = opt.rates.split(',').map(Number).filter((r) => r > 0 && r <= 50000);
const seconds = Math.min(Number(opt.seconds), 60);
const warmupSeconds = Math.min(Number(opt['warmup-seconds']), 30);
const techs = Math.min(Number(opt.techs), 19000);
const workers = Math.max(1, Math.min(Number(opt.workers), 8));
const nodes = Math.max(2, Math.min(Number(opt.nodes), 3));
const jvmFlags = [`-Xmx${opt.xmx}`, '-XX:+UseG1GC', ...opt['jvm-extra'].split(' ').filter(Boolean)];
const tenant = 'bench';
const ENV = {
  PRESENCE_RATE_LIMIT_PER_SECOND: '1000000', PRESENCE_RATE_LIMIT_BURST: '1000000',
  PRESENCE_IDLE_TIMEOUT_MS: '3600000',
  // A watcher whose write queue holds more than this gets its updates coalesced (latest per user,
  // README "Slow clients"); one burst of ~1,700 records is 256 KiB, the default, so the benchmark
  // raises it to see every transition (--write-queue-max-chars 262144 shows the default).
  PRESENCE_WRITE_QUEUE_MAX_CHARS: opt['write-queue-max-chars'],
};

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const machineBefore = loadavg();
const cluster = new Cluster({ jar: opt.jar, jvmFlags, size: nodes, httpBase: Number(opt['http-port']),
  hzBase: Number(opt['hz-port']), env: ENV });
const children = [];
const lines = [];
try {
  console.log(`starting ${nodes} clustered nodes (${cluster.name}; logs in ${cluster.logDir})`);
  await cluster.startAll();
  const A = cluster.nodes[0];
  const B = cluster.nodes[1];

  // ---- the watcher on B ----
  const recv = new Map(); // user → [{at, status, reason}]
  const status = new Map(); // user → last status seen
  let frames = 0;
  let updates = 0;
  const watcher = await openSession({ url: B.url, secret: BENCH_SECRET, tenant, user: 'watcher', role: 'tech',
    onFrame: (frame) => {
      const at = mono();
      if (frame.type !== 'presence') return;
      const change = frame.id === undefined;
      if (change) frames++;
      for (const u of frame.updates) {
        if (!u.user.startsWith('t-')) continue;
        status.set(u.user, u.status);
        if (!change) continue;
        updates++;
        let list = recv.get(u.user);
        if (!list) recv.set(u.user, (list = []));
        list.push({ at, status: u.status, reason: u.reason });
      }
    } });
  watcher.send(JSON.stringify({ type: 'subscribe', roster: 'tech', id: 'roster' }));

  // ---- the techs on A ----
  const per = Math.ceil(techs / workers);
  const ready = [];
  for (let w = 0; w < workers; w++) {
    const count = Math.min(per, techs - w * per);
    const child = track(fork(path.join(here, 'loadgen', 'toggle-worker.mjs'), [JSON.stringify({
      url: A.url, secret: BENCH_SECRET, tenant, prefix: 't-', from: w * per, count })]));
    child.from = w * per;
    children.push(child);
    ready.push(new Promise((resolve, reject) => {
      child.on('message', (m) => { if (m.ready !== undefined) resolve(); });
      child.on('exit', (code) => reject(new Error(`worker ${w} exited with ${code}`)));
    }));
  }
  await Promise.all(ready);
  const allOnlineBy = Date.now() + 60000;
  const onlineAtB = () => [...status.values()].filter((s) => s === 'online').length;
  while (onlineAtB() < techs) {
    if (Date.now() > allOnlineBy) throw new Error(`only ${onlineAtB()}/${techs} techs online at B's watcher after 60 s`);
    await sleep(100);
  }
  console.log(`${techs} techs online on ${A.id}, seen by the watcher on ${B.id}; load avg before ${machineBefore}`);

  const cpu = new CpuWindow(() => {
    const g = {};
    for (const n of cluster.nodes) g[n.id] = [n.proc.pid];
    g.load = children.map((c) => c.pid);
    g.watcher = [process.pid];
    return g;
  });
  const hubKeys = cluster.nodes.map((n) => n.id);
  const threads = new ThreadWindow(() => Object.fromEntries(cluster.nodes.map((n) => [n.id, n.proc.pid])));

  async function round(rate, secs) {
    recv.clear();
    frames = 0; updates = 0;
    const ms = secs * 1000;
    const start = mono() + 500;
    const reports = children.map((c) => new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no report from a load process')), ms + 60000);
      c.on('message', function on(m) { if (m.done !== undefined) { clearTimeout(t); c.off('message', on); resolve(m); } });
    }));
    const mA0 = await metrics(A.httpPort);
    const mB0 = await metrics(B.httpPort);
    children.forEach((c, w) => c.send({ cmd: 'go', start, rate, slot: w, slots: workers, ms }));
    await sleep(Math.max(0, start - mono()));
    const tracer = opt.trace ? setInterval(() => console.log(`  t+${((mono() - start) / 1000).toFixed(1)} s (${new Date().toISOString().slice(11, 23)}): ${updates} updates at the watcher in ${frames} frames`), 500) : null;
    if (opt['dump-threads-at']) {
      setTimeout(() => {
        for (const n of cluster.nodes) {
          const f = path.join(cluster.logDir, `${n.id}.threads.${rate}.${Math.round(mono())}.txt`);
          try { writeFileSync(f, execFileSync('jcmd', [String(n.proc.pid), 'Thread.print'], { timeout: 30000 })); console.log(`  thread dump of ${n.id}: ${f}`); } catch (e) { console.log(`  no thread dump of ${n.id}: ${e.message}`); }
        }
      }, Number(opt['dump-threads-at']));
    }
    cpu.start();
    threads.start();
    const rs = await Promise.all(reports);
    const c = cpu.stop();
    const busiest = threads.stop();
    const sent = rs.reduce((s, r) => s + r.done, 0);
    // Drain: until everything arrived, or 10 s without progress (30 s at most).
    const drainStart = mono();
    let last = -1; let lastChange = mono();
    while (updates < sent && mono() - drainStart < 30000 && mono() - lastChange < 10000) {
      if (updates !== last) { last = updates; lastChange = mono(); }
      await sleep(50);
    }
    await sleep(300); // late duplicates, if any
    if (tracer) clearInterval(tracer);
    const viewA = transitions(await metrics(A.httpPort), ['online', 'away']) - transitions(mA0, ['online', 'away']);
    const viewB = transitions(await metrics(B.httpPort), ['online', 'away']) - transitions(mB0, ['online', 'away']);
    // Match the k-th send of each user with its k-th update at the watcher.
    const lat = [];
    const samples = opt['dump-latencies'] ? [] : null;
    let delivered = 0; let lost = 0; let extra = 0; let wrong = 0; let firstWrong = null;
    for (const r of rs) {
      const child = children[rs.indexOf(r)];
      r.sends.forEach((times, i) => {
        const user = `t-${child.from + i}`;
        const got = recv.get(user) ?? [];
        const n = Math.min(times.length, got.length);
        for (let k = 0; k < n; k++) {
          const expect = (k % 2 === 0) === r.firstAway[i] ? 'away' : 'online';
          if (got[k].status !== expect) { wrong++; if (!firstWrong) firstWrong = `${user} update ${k}: ${got[k].status}/${got[k].reason}, expected ${expect}`; }
          lat.push(got[k].at - times[k]);
          if (samples) samples.push([times[k], got[k].at - times[k]]);
        }
        delivered += n;
        lost += Math.max(0, times.length - got.length);
        extra += Math.max(0, got.length - times.length);
      });
    }
    lat.sort((a, b) => a - b);
    if (samples && secs === seconds) {
      // mono() → wall clock, both read now.
      const offset = Date.now() - mono();
      samples.sort((a, b) => a[0] - b[0]);
      writeFileSync(path.join(opt['dump-latencies'], `latencies-${rate}.tsv`),
        samples.map(([t, l]) => `${(t + offset).toFixed(3)}\t${l.toFixed(3)}`).join('\n') + '\n');
    }
    const errors = rs.reduce((s, r) => s + r.errors, 0);
    const lag = { p99: Math.max(...rs.map((r) => r.lag.p99)), max: Math.max(...rs.map((r) => r.lag.max)), p50: Math.max(...rs.map((r) => r.lag.p50)) };
    return { rate, secs, sent, delivered, lost, extra, wrong, firstWrong, errors, firstError: rs.find((r) => r.firstError)?.firstError,
      lat, lag, cpu: c, busiest, viewA, viewB, frames, updates, drainMs: mono() - drainStart };
  }

  await sleep(2000);
  cpu.start();
  await sleep(2000);
  const idle = cpu.stop();
  console.log(`idle CPU before the load: ${describeCpu(idle)}`);
  // Warm-up (JIT): each rate once; only recorded when something went wrong.
  const warmupIssues = [];
  const warmups = warmupSeconds > 0 ? Array.from({ length: Math.min(Number(opt['warmup-rounds']), 5) }, () => rates).flat() : [];
  for (const [i, rate] of warmups.entries()) {
    const w = await round(rate, warmupSeconds);
    const clean = w.lost === 0 && w.extra === 0 && w.wrong === 0 && w.errors === 0;
    const msg = `warm-up ${rate}/s for ${warmupSeconds} s (${i < rates.length ? 'cold JIT' : `round ${Math.floor(i / rates.length) + 1}`}): sent ${w.sent}, delivered ${w.delivered}, lost ${w.lost}, extra ${w.extra}, wrong status ${w.wrong}; views counted ${A.id} ${w.viewA}, ${B.id} ${w.viewB}; p50 ${fmt(percentile(w.lat, 50))} ms, max ${fmt(w.lat[w.lat.length - 1] ?? NaN)} ms`;
    console.log(msg);
    if (!clean) warmupIssues.push(`${msg} — NOT CLEAN${w.firstWrong ? ` (first: ${w.firstWrong})` : ''}`);
    await sleep(1000);
  }
  lines.push(`${nodes} clustered nodes on loopback; ${techs} tech sessions on ${A.id} (${workers} load processes, 127.0.0.2-9) toggling presence.set away/online open-loop, round-robin over the techs (each tech every ${fmt(techs / rates[0])}-${fmt(techs / rates[rates.length - 1])} s); one roster("tech") watcher on ${B.id}${nodes > 2 ? `; ${cluster.nodes[2].id} an idle member` : ''}; rate limit lifted, idle timeout 1 h, writeQueueMaxChars ${opt['write-queue-max-chars']} (a watcher with that much output pending gets only the latest record per user); unrecorded warm-up (JIT) of ${warmupSeconds} s at each rate, ${opt['warmup-rounds']} round(s), first`);
  lines.push(`idle cluster before the load (2 s): ${describeCpu(idle)}`);
  lines.push(jarInfo(opt.jar));
  lines.push(`latency = arrival at the watcher on ${B.id} − ws.send on the load side (CLOCK_MONOTONIC, same host); k-th send of a user matched with its k-th update; load avg before the run ${machineBefore}`);
  lines.push(...warmupIssues);
  for (const rate of rates) {
    const r = await round(rate, seconds);
    const p = (q) => fmt(percentile(r.lat, q));
    const ok = r.lost === 0 && r.extra === 0 && r.wrong === 0 && r.errors === 0;
    const l = [
      `${rate}/s for ${seconds} s: sent ${r.sent}, delivered ${r.delivered}, lost ${r.lost}, extra ${r.extra}, wrong status ${r.wrong}, hub errors ${r.errors}${ok ? '' : ' — NOT CLEAN'}${r.firstWrong ? ` (first: ${r.firstWrong})` : ''}${r.firstError ? ` (first error: ${r.firstError})` : ''}`,
      `${rate}/s transitions counted by the nodes' own views (presence_transitions_total): ${A.id} ${r.viewA}, ${B.id} ${r.viewB}`,
      `${rate}/s latency: p50 ${p(50)} ms, p99 ${p(99)} ms, p99.9 ${p(99.9)} ms, max ${fmt(r.lat[r.lat.length - 1] ?? NaN)} ms (min ${fmt(r.lat[0] ?? NaN)} ms); ${r.frames} presence frames at the watcher (${(r.updates / Math.max(1, r.frames)).toFixed(1)} updates/frame)`,
      `${rate}/s load side: sends behind schedule p50 ${fmt(r.lag.p50)} ms, p99 ${fmt(r.lag.p99)} ms, max ${fmt(r.lag.max)} ms (worst load process)`,
      `${rate}/s CPU over the ${seconds} s window (% of one core): ${describeCpu(r.cpu)} → ${saturation(r.cpu, hubKeys)}`,
      `${rate}/s busiest hub threads: ${r.busiest}`,
    ];
    l.forEach((x) => console.log(x));
    lines.push(...l);
    await sleep(1000);
  }
  appendResults(opt.results, 'Cross-node propagation (bench/cluster-propagation.mjs)', lines, `${jvmFlags.join(' ')} --cluster (per node)`);
  watcher.terminate();
} finally {
  for (const c of children) { try { c.send({ cmd: 'exit' }); } catch { /* gone */ } }
  await Promise.all(children.map((c) => (c.exitCode !== null ? null : Promise.race([new Promise((r) => c.on('exit', r)), sleep(5000)]))));
  await cluster.stopAll();
}
process.exit(0);
