// Issue #6 scenario 1, 3-node run: N authenticated idle presence sessions spread evenly over 3
// clustered nodes (default 50,000: ~16,700 per node). Per node, as in bench/sessions.mjs: RSS (from
// /proc) and live heap after a full GC (`jcmd PID GC.run`, then `GC.heap_info` used), each minus the
// same figure with 0 sessions, per local session — and per cluster user, since every node also
// holds the replicated view of the others' users. Also the time to open them all, the time until
// every node's view counts every user online (presence_users{status="online"} on /metrics), and
// the CPU of the nodes and load processes while opening.
//
//   node bench/cluster-sessions.mjs [--sessions 50000] [--workers-per-node 2] [--jar target/presence-hub.jar]
//
// Nodes n0-n2: HTTP 18190+, Hazelcast 18290+, a fresh cluster name per run. Load: `--workers-per-node`
// processes per node (bench/loadgen/worker.mjs, 200 handshakes in flight each) on source addresses
// 127.0.0.2-9. A node may hold at most ~19,000 sessions here (20,000 open files per process), so
// --sessions is capped at 57,000; every JVM is -Xmx2g (3 JVMs + the load on 2 cores and 24 GiB).
import { execFileSync, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendResults, parseOptions, refuse } from './loadgen/lib.mjs';
import { BENCH_SECRET, rssKiB } from './loadgen/hub.mjs';
import { Cluster, CpuWindow, describeCpu, loadavg, metrics, saturation, sleep, track, jarInfo } from './loadgen/cluster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseOptions('cluster-sessions.mjs', { options: {
  sessions: { type: 'string', default: '50000' },
  'workers-per-node': { type: 'string', default: '2' },
  'settle-ms': { type: 'string', default: '3000' },
  'open-timeout-s': { type: 'string', default: '420' },
  'http-port': { type: 'string', default: '18190' },
  'hz-port': { type: 'string', default: '18290' },
  jar: { type: 'string', default: path.join(here, '..', 'target', 'presence-hub.jar') },
  xmx: { type: 'string', default: '2g' },
  results: { type: 'string', default: path.join(here, 'RESULTS.md') },
} });
const total = Number(opt.sessions);
if (!(total >= 3 && total <= 57000)) refuse('cluster-sessions.mjs', '--sessions must be 3..57000 (about 19,000 per node: 20,000 open files per process here)');
const wpn = Math.max(1, Math.min(Number(opt['workers-per-node']), 4));
const settleMs = Math.min(Number(opt['settle-ms']), 60000);
const openTimeoutMs = Math.min(Number(opt['open-timeout-s']), 900) * 1000;
const jvmFlags = [`-Xmx${opt.xmx}`, '-XX:+UseG1GC'];

const jcmd = (pid, ...args) => execFileSync('jcmd', [String(pid), ...args], { timeout: 120000 }).toString();
function liveHeapKiB(pid) {
  jcmd(pid, 'GC.run');
  const m = /used (\d+)K/.exec(jcmd(pid, 'GC.heap_info'));
  if (!m) throw new Error('cannot read GC.heap_info');
  return Number(m[1]);
}
const mib = (k) => (k / 1024).toFixed(0);

const machineBefore = loadavg();
const cluster = new Cluster({ jar: opt.jar, jvmFlags, size: 3, httpBase: Number(opt['http-port']),
  hzBase: Number(opt['hz-port']) });
const children = [];
try {
  console.log(`starting 3 clustered nodes (${cluster.name}; logs in ${cluster.logDir})`);
  await cluster.startAll();
  await sleep(1000);
  const pids = cluster.nodes.map((n) => n.proc.pid);
  const heap0 = pids.map(liveHeapKiB);
  const rss0 = pids.map(rssKiB);
  console.log(`0 sessions: RSS ${rss0.map(mib).join(' / ')} MiB, live heap ${heap0.map((h) => (h / 1024).toFixed(1)).join(' / ')} MiB`);

  // ---- open ----
  const perNode = cluster.nodes.map((n, i) => Math.floor(total / 3) + (i < total % 3 ? 1 : 0));
  const ready = [];
  const cpu = new CpuWindow(() => ({ ...Object.fromEntries(cluster.nodes.map((n) => [n.id, [n.proc.pid]])), load: children.map((c) => c.pid) }));
  let from = 0;
  const openStart = Date.now();
  for (const n of cluster.nodes) {
    const per = Math.ceil(perNode[n.index] / wpn);
    for (let w = 0; w < wpn; w++) {
      const count = Math.min(per, perNode[n.index] - w * per);
      if (count <= 0) continue;
      const child = track(fork(path.join(here, 'loadgen', 'worker.mjs'), [JSON.stringify({
        url: n.url, secret: BENCH_SECRET, tenant: 'bench', prefix: 's-', from, count, role: 'client' })],
      { execArgv: ['--max-old-space-size=2048'] }));
      from += count;
      children.push(child);
      ready.push(new Promise((resolve, reject) => {
        child.on('message', (m) => { if (m.ready !== undefined) resolve(m.ready); });
        child.on('exit', (code) => reject(new Error(`worker for ${n.id} exited with ${code}`)));
      }));
    }
  }
  cpu.start();
  const progress = setInterval(async () => {
    const ms = await Promise.all(cluster.nodes.map((n) => metrics(n.httpPort)));
    console.log(`  +${((Date.now() - openStart) / 1000).toFixed(0)} s: sessions ${ms.map((m) => m.presence_sessions ?? '?').join(' / ')}`);
  }, 10000);
  const timeout = new Promise((_, rej) => setTimeout(() => rej(new Error(`not all ${total} sessions open within ${openTimeoutMs / 1000} s`)), openTimeoutMs));
  let opened;
  try {
    opened = (await Promise.race([Promise.all(ready), timeout])).reduce((a, b) => a + b, 0);
  } finally { clearInterval(progress); }
  const openSecs = (Date.now() - openStart) / 1000;
  const openCpu = cpu.stop();
  if (opened !== total) throw new Error(`only ${opened}/${total} sessions opened`);
  console.log(`${total} sessions open in ${openSecs.toFixed(1)} s (${perNode.join(' / ')} per node); CPU ${describeCpu(openCpu)}`);

  // ---- every node's view complete ----
  const viewStart = Date.now();
  let views = [];
  while (Date.now() - viewStart < 120000) {
    views = (await Promise.all(cluster.nodes.map((n) => metrics(n.httpPort)))).map((m) => m['presence_users{status="online"}'] ?? 0);
    if (views.every((v) => v >= total)) break;
    await sleep(250);
  }
  const viewLagSecs = (Date.now() - viewStart) / 1000;
  console.log(`views (online users per node): ${views.join(' / ')} ${viewLagSecs.toFixed(1)} s after the last session opened`);
  await sleep(settleMs);
  const rss1 = pids.map(rssKiB);
  const heap1 = pids.map(liveHeapKiB);
  const rss1gc = pids.map(rssKiB);

  const kib = (a, b, n) => ((b - a) / n).toFixed(1);
  const lines = [
    `${total} idle presence sessions (raw WebSocket, authenticated clients) over 3 clustered nodes on loopback (${perNode.join(' / ')}), ${wpn} load processes per node (${children.length} in all, 200 handshakes in flight each, 127.0.0.2-9); load avg before ${machineBefore}`,
    jarInfo(opt.jar),
    `opened in ${openSecs.toFixed(1)} s (${Math.round(total / openSecs)}/s for the cluster); every node's view counted all ${total} online ${viewLagSecs.toFixed(1)} s after the last welcome (views ${views.join(' / ')})`,
    `CPU while opening (% of one core): ${describeCpu(openCpu)} → ${saturation(openCpu, cluster.nodes.map((n) => n.id))}`,
  ];
  for (const n of cluster.nodes) {
    const i = n.index;
    lines.push(`${n.id}: RSS ${mib(rss0[i])} → ${mib(rss1[i])} MiB (after the full GC ${mib(rss1gc[i])} MiB) = ${kib(rss0[i], rss1[i], perNode[i])} KiB per local session (${kib(rss0[i], rss1[i], total)} KiB per cluster user); live heap ${(heap0[i] / 1024).toFixed(1)} → ${(heap1[i] / 1024).toFixed(1)} MiB = ${kib(heap0[i], heap1[i], perNode[i])} KiB per local session (${kib(heap0[i], heap1[i], total)} KiB per cluster user)`);
  }
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  lines.push(`all 3 nodes: RSS +${mib(sum(rss1) - sum(rss0))} MiB, live heap +${mib(sum(heap1) - sum(heap0))} MiB for ${total} sessions → ${kib(sum(rss0), sum(rss1), total)} KiB RSS and ${kib(sum(heap0), sum(heap1), total)} KiB live heap per session, cluster-wide (compare bench/sessions.mjs, one node: 28.7 and 17.3 KiB at 15,000 in RESULTS.md of 2026-11-24)`);
  lines.forEach((l) => console.log(l));
  appendResults(opt.results, 'Sessions and memory, 3-node cluster (bench/cluster-sessions.mjs)', lines, `${jvmFlags.join(' ')} --cluster (per node)`);
} finally {
  for (const c of children) { try { c.send({ cmd: 'exit' }); } catch { /* gone */ } }
  await Promise.all(children.map((c) => (c.exitCode !== null ? null : Promise.race([new Promise((r) => c.on('exit', r)), sleep(10000)]))));
  await cluster.stopAll();
}
process.exit(0);
