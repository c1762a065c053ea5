// Join time under load (issue 17): 3 clustered nodes hold N idle client sessions (default 50,000,
// spread evenly, several load processes on 127.0.0.2-9: a process may hold 20,000 open files here)
// while T techs toggle presence.set away/online at R transitions/s (default 1,000/s, techs on n0
// and n2, a roster("tech") watcher on n1, so every transition crosses the event bus). Then:
//   1. a 4th node (n3) joins: time until /health/ready, and until its view equals the others'
//      (its presence_users online+away = n0's = every user; /metrics, polled every 100 ms);
//   2. n3 is SIGKILLed and started again: the same two times (a restart after kill -9);
//   3. the toggles end; every send is matched at the watcher (k-th send of a tech ↔ its k-th
//      update): lost / extra / wrong must be 0; and n3's view is compared with n0's exactly through
//      the HTTP API (GET /api/v1/tenants/bench/roster?role=tech, every tech's status).
// With each: the joiner's own CPU from spawn to ready (/proc/<pid>/stat) and how busy the machine
// was meanwhile, since on 2 shared cores its time to ready is about the CPU it needs over the share
// it gets.
// Also the capacity model's constants (docs/capacity.md), read on n3, which holds no session:
// the bytes it received over TCP (ss: event bus + Hazelcast) from spawn to ready (the full
// states) and per second at R/s (deltas, digests), its CPU per second at R/s and after the
// toggles end (/proc/<pid>/stat), and its live heap after a full GC (jcmd) over an empty node's.
//
//   node bench/join.mjs [--sessions 50000] [--techs 2000] [--rate 1000] [--warmup-seconds 90] [--toggle-seconds 240]
//                       [--workers-per-node 2] [--toggle-workers 2] [--jar target/presence-hub.jar] [--xmx 2g]
//                       [--shipped true] [--http-port 18190] [--hz-port 18290] [--bus-port 18390]
//                       [--partitions N] [--jvm-extra=FLAGS] [--n3-jvm=FLAGS] [--others-nice 0]
//                       [--results bench/RESULTS.md]
// Each option is checked (an integer in its range, true/false, a heap size, an existing jar) before
// anything starts; the AppCDS training node runs on --http-port+10 and --hz-port+10.
//
// Every node runs with the JVM flags the Dockerfile ships (HUB_JVM_DEFAULTS), and n3 also with the
// AppCDS archive the image builds (deploy/cds/build-archive.sh, made here for --jar in /tmp first):
// a node joins as the shipped image starts it. --shipped false: the JDK's defaults, no archive.
//
// Nodes n0-n3: HTTP 18190+, Hazelcast 18290+, the clustered event bus on 18390+ (a fixed port, as
// the shipped compose file and manifests set PRESENCE_CLUSTER_BUS_PORT; --bus-port 0: any free one,
// whose address a joiner finds only in Hazelcast's partitioned map), a fresh cluster name per run,
// logs in /tmp/<name>/.
// Every process started here is stopped at the end (loadgen/cluster.mjs).
import { execFile, execFileSync, fork } from 'node:child_process';
import { promisify } from 'node:util';
import { accessSync, constants, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendResults, openSession, parseOptions, refuse, token } from './loadgen/lib.mjs';
import { describeCpuByKind, jvmCpuByKind } from './loadgen/cpu.mjs';
import { BENCH_SECRET, HUB_JVM_DEFAULTS } from './loadgen/hub.mjs';
import { Cluster, CpuWindow, cpuMs, describeCpu, renice, loadavg, logEvents, machineMs, metrics, mono, sleep, track, jarInfo } from './loadgen/cluster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseOptions('join.mjs', { options: {
  sessions: { type: 'string', default: '50000' },
  techs: { type: 'string', default: '2000' },
  rate: { type: 'string', default: '1000' },
  // Toggles before the steady-state figures and the join: the nodes' JIT compiles the toggle path
  // meanwhile (on 2 shared cores, minutes), and a cluster that has served this load for a while
  // is the one a node joins in production. Its CPU and JIT share are printed every 10 s.
  'warmup-seconds': { type: 'string', default: '90' },
  'toggle-seconds': { type: 'string', default: '240' },
  'workers-per-node': { type: 'string', default: '2' },
  'toggle-workers': { type: 'string', default: '2' },
  'http-port': { type: 'string', default: '18190' },
  'hz-port': { type: 'string', default: '18290' },
  'bus-port': { type: 'string', default: '18390' },
  jar: { type: 'string', default: path.join(here, '..', 'target', 'presence-hub.jar') },
  xmx: { type: 'string', default: '2g' },
  // Extra JVM flags for the joining node n3 only (space-separated; {start} = 1 for the join, 2 for the
  // restart), e.g. -XX:StartFlightRecording=duration=40s,filename=/tmp/n3-{start}.jfr or a CDS archive.
  'n3-jvm': { type: 'string', default: '' },
  // Extra JVM flags for every node (space-separated), e.g. -Dlogback.configurationFile=… for debug logs.
  'jvm-extra': { type: 'string', default: '' },
  // PRESENCE_CLUSTER_PARTITIONS of every node (the hub's default, Hazelcast's 271, when unset).
  partitions: { type: 'string', default: '' },
  shipped: { type: 'string', default: 'true' },
  // Nice value of n0-n2 and the load processes from the toggles on (0: off). The joiner n3 keeps 0,
  // so it gets most of the 2 cores while it starts: the join as on a host of its own, with the
  // others still serving and toggling (they only slow down).
  'others-nice': { type: 'string', default: '0' },
  results: { type: 'string', default: path.join(here, 'RESULTS.md') },
} });
/** A per-transition figure net of the quiet rate; below 0 (the rate too low to show over the noise) it says so. */
const perTransition = (v, unit) => (v >= 0 ? `${v.toFixed(0)} ${unit}` : `n/a ${unit} (under the quiet rate's noise at this rate)`);
/** The integer option --name, within min..max, or an error naming it. */
function intOption(name, min, max, why = '') {
  const raw = opt[name];
  const v = Number(raw);
  if (!/^-?\d+$/.test(String(raw).trim()) || v < min || v > max) refuse('join.mjs', `--${name} must be an integer in ${min}..${max}${why}, got '${raw}'`);
  return v;
}
const total = intOption('sessions', 3, 54000, ' (about 18,000 per node: 20,000 open files per process here)');
const techs = intOption('techs', 2, 10000);
const rate = intOption('rate', 1, 20000);
const warmupMs = intOption('warmup-seconds', 0, 600) * 1000;
const toggleMs = intOption('toggle-seconds', 10, 900) * 1000;
if (toggleMs < warmupMs + 120000) refuse('join.mjs', `--toggle-seconds (${toggleMs / 1000}) must be at least --warmup-seconds + 120 (${warmupMs / 1000 + 120}): the join, n3's own warm-up and the restart run while the toggles do`);
const wpn = intOption('workers-per-node', 1, 4);
const tw = intOption('toggle-workers', 1, 4);
if (techs < tw) refuse('join.mjs', `--techs (${techs}) must be at least --toggle-workers (${tw})`);
const httpPort = intOption('http-port', 1024, 65000);
const hzPort = intOption('hz-port', 1024, 65000);
const busPort = intOption('bus-port', 0, 65000, ' (0: any free port)');
if (opt.partitions !== '') intOption('partitions', 1, 100000);
const othersNice = intOption('others-nice', 0, 19);
if (!['true', 'false'].includes(opt.shipped)) refuse('join.mjs', `--shipped must be true or false, got '${opt.shipped}'`);
const shipped = opt.shipped === 'true';
if (!/^[1-9]\d*[kKmMgG]?$/.test(opt.xmx)) refuse('join.mjs', `--xmx must be a heap size such as 2g or 512m, got '${opt.xmx}'`);
if (!existsSync(opt.jar) || !statSync(opt.jar).isFile()) refuse('join.mjs', `--jar: no file ${opt.jar} (build it first: mvn -q -B -DskipTests package)`);
// Each base is 4 nodes' ports (n0-n3) and, for HTTP and Hazelcast, the AppCDS training node's at +10.
const ranges = [['http-port', httpPort, 11], ['hz-port', hzPort, 11], ...(busPort > 0 ? [['bus-port', busPort, 4]] : [])];
for (const [a, from, n] of ranges) {
  for (const [b, from2, n2] of ranges) {
    if (a < b && from < from2 + n2 && from2 < from + n) refuse('join.mjs', `--${a} ${from} and --${b} ${from2} overlap (each takes its port and the next ${n - 1})`);
  }
}
try { accessSync(path.dirname(path.resolve(opt.results)), constants.W_OK); } catch {
  refuse('join.mjs', `--results: cannot write to the folder of ${opt.results}`);
}
const jvmFlags = [`-Xmx${opt.xmx}`, '-XX:+UseG1GC', ...(shipped ? HUB_JVM_DEFAULTS : []),
  ...opt['jvm-extra'].split(/\s+/).filter(Boolean)];
/** The shipped image's AppCDS archive for --jar (Dockerfile), built with the nodes' flags; null with --shipped false. */
function cdsArchive() {
  if (!shipped) return null;
  const archive = path.join('/tmp', `join-bench-${process.pid}.jsa`);
  // Its training node on ports next to the nodes' (HTTP --http-port+10, Hazelcast --hz-port+10), not the script's defaults.
  execFileSync('bash', [path.join(here, '..', 'deploy', 'cds', 'build-archive.sh'), opt.jar, archive, ...jvmFlags],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 180000,
      env: { ...process.env, CDS_HTTP_PORT: String(httpPort + 10), CDS_CLUSTER_PORT: String(hzPort + 10) } });
  return archive;
}
const tenant = 'bench';
const deadline = Date.now() + (15 * 60 * 1000) + toggleMs; // the whole run, whatever happens

const jcmd = (pid, ...args) => execFileSync('jcmd', [String(pid), ...args], { timeout: 120000 }).toString();
function liveHeapKiB(pid) {
  jcmd(pid, 'GC.run');
  const m = /used (\d+)K/.exec(jcmd(pid, 'GC.heap_info'));
  if (!m) throw new Error('cannot read GC.heap_info');
  return Number(m[1]);
}
/**
 * Bytes a process received and sent over its open TCP connections (`ss -tinp`: bytes_received,
 * bytes_acked), leaving out those on its HTTP port (this script's /metrics polls): the event bus
 * and Hazelcast. /proc/<pid>/io's rchar is no use here: socket reads do not all go through it.
 */
async function io(pid, skipPort) {
  // The client sessions' connections (to n0-n2's HTTP ports) are left out by ss itself: 100,000 of them.
  const sessionPorts = [0, 1, 2].map((i) => cluster.nodes[i].httpPort);
  const filter = `not ( ${sessionPorts.map((p) => `sport = :${p} or dport = :${p}`).join(' or ')} )`;
  // Not execFileSync: ss -p reads every process's descriptors (seconds on a busy machine with 100,000
  // sockets), and this script's event loop must meanwhile go on timing the joiner's queries and view.
  const { stdout } = await promisify(execFile)('ss', ['-tinpH', filter], { timeout: 30000, maxBuffer: 256 * 2 ** 20 });
  const out = stdout.split('\n');
  let r = 0; let w = 0;
  for (let i = 0; i < out.length - 1; i++) {
    const head = out[i];
    if (!head.includes(`pid=${pid},`)) continue;
    const local = head.trim().split(/\s+/)[3] ?? '';
    const info = out[i + 1];
    i++;
    if (local.endsWith(`:${skipPort}`)) continue;
    r += Number(/bytes_received:(\d+)/.exec(info)?.[1] ?? 0);
    w += Number(/bytes_acked:(\d+)/.exec(info)?.[1] ?? 0);
  }
  return { r, w };
}
const connected = (m) => (m['presence_users{status="online"}'] ?? 0) + (m['presence_users{status="away"}'] ?? 0);

const machineBefore = loadavg();
const cluster = new Cluster({ jar: opt.jar, jvmFlags, size: 4, httpBase: httpPort, hzBase: hzPort, busBase: busPort,
  env: { PRESENCE_RATE_LIMIT_PER_SECOND: '1000000', PRESENCE_RATE_LIMIT_BURST: '1000000', PRESENCE_IDLE_TIMEOUT_MS: '3600000',
    PRESENCE_WRITE_QUEUE_MAX_CHARS: '67108864', ...(opt.partitions ? { PRESENCE_CLUSTER_PARTITIONS: opt.partitions } : {}) } });
const archive = cdsArchive();
cluster.nodes[3].jvmFlags = [...(archive ? [`-XX:SharedArchiveFile=${archive}`] : []), ...opt['n3-jvm'].split(/\s+/).filter(Boolean)];
const children = [];
const lines = [];
const say = (l) => { console.log(l); lines.push(l); };
try {
  console.log(`starting n0-n2 (${cluster.name}; logs in ${cluster.logDir})`);
  for (let i = 0; i < 3; i++) await cluster.start(i);
  await sleep(1000);
  const emptyHeap = liveHeapKiB(cluster.pid(0));

  // ---- N idle clients over n0-n2 ----
  const perNode = [0, 1, 2].map((i) => Math.floor(total / 3) + (i < total % 3 ? 1 : 0));
  const ready = [];
  let from = 0;
  const openStart = Date.now();
  for (let i = 0; i < 3; i++) {
    const n = cluster.nodes[i];
    const per = Math.ceil(perNode[i] / wpn);
    for (let w = 0; w < wpn; w++) {
      const count = Math.min(per, perNode[i] - w * per);
      if (count <= 0) continue;
      const child = track(fork(path.join(here, 'loadgen', 'worker.mjs'), [JSON.stringify({
        url: n.url, secret: BENCH_SECRET, tenant, prefix: 's-', from, count, role: 'client' })],
      { execArgv: ['--max-old-space-size=2048'] }));
      from += count;
      children.push(child);
      ready.push(new Promise((resolve, reject) => {
        child.on('message', (m) => { if (m.ready !== undefined) resolve(m.ready); });
        child.on('exit', (code) => reject(new Error(`worker for ${n.id} exited with ${code}`)));
      }));
    }
  }
  const opened = (await Promise.all(ready)).reduce((a, b) => a + b, 0);
  if (opened !== total) throw new Error(`only ${opened}/${total} sessions opened`);
  console.log(`${total} client sessions open in ${((Date.now() - openStart) / 1000).toFixed(0)} s`);

  // ---- the watcher on n1, the techs on n0 and n2 ----
  const recv = new Map();
  const status = new Map();
  const watcher = await openSession({ url: cluster.nodes[1].url, secret: BENCH_SECRET, tenant, user: 'watcher', role: 'tech',
    onFrame: (frame) => {
      if (frame.type !== 'presence') return;
      for (const u of frame.updates) {
        if (!u.user.startsWith('t-')) continue;
        status.set(u.user, u.status);
        if (frame.id !== undefined) continue;
        let list = recv.get(u.user);
        if (!list) recv.set(u.user, (list = []));
        list.push(u.status);
      }
    } });
  watcher.send(JSON.stringify({ type: 'subscribe', roster: 'tech', id: 'roster' }));
  const togglers = [];
  const per = Math.ceil(techs / tw);
  const tready = [];
  for (let w = 0; w < tw; w++) {
    const count = Math.min(per, techs - w * per);
    const node = cluster.nodes[w % 2 === 0 ? 0 : 2];
    const child = track(fork(path.join(here, 'loadgen', 'toggle-worker.mjs'), [JSON.stringify({
      url: node.url, secret: BENCH_SECRET, tenant, prefix: 't-', from: w * per, count })]));
    child.from = w * per;
    togglers.push(child);
    children.push(child);
    tready.push(new Promise((resolve, reject) => {
      child.on('message', (m) => { if (m.ready !== undefined) resolve(); });
      child.on('exit', (code) => reject(new Error(`toggle worker ${w} exited with ${code}`)));
    }));
  }
  await Promise.all(tready);
  const everyone = total + techs + 1;
  const onlineBy = Date.now() + 60000;
  while ([...status.values()].filter((s) => s === 'online').length < techs) {
    if (Date.now() > onlineBy) throw new Error('the techs are not all online at the watcher after 60 s');
    await sleep(100);
  }
  say(`3 nodes, ${total} idle client sessions (${perNode.join(' / ')}) + ${techs} techs (on n0 and n2) + 1 roster("tech") watcher on n1 = ${everyone} users; load avg before ${machineBefore}`);
  say(jarInfo(opt.jar));

  if (othersNice > 0) {
    for (const pid of [0, 1, 2].map((i) => cluster.pid(i)).concat(children.map((c) => c.pid))) renice(pid, othersNice);
    say(`n0-n2 and the ${children.length} load processes run at nice ${othersNice} from here on; n3 at 0`);
  }

  // ---- toggles on ----
  recv.clear(); // the techs' own logins are not toggles
  const start = mono() + 500;
  const reports = togglers.map((c) => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no report from a toggle worker')), toggleMs + 120000);
    c.on('message', function on(m) { if (m.done !== undefined) { clearTimeout(t); c.off('message', on); resolve(m); } });
  }));
  togglers.forEach((c, w) => c.send({ cmd: 'go', start, rate, slot: w, slots: tw, ms: toggleMs }));
  await sleep(5500); // past the start and the first seconds
  // Warm-up: the nodes' CPU and how much of it their JIT compilers took, per 10 s window.
  const nodePids = () => [0, 1, 2].map((i) => cluster.pid(i));
  for (let w = 0; w < Math.floor(warmupMs / 10000); w++) {
    const k0 = nodePids().map(jvmCpuByKind); const t0 = mono();
    await sleep(10000);
    const k1 = nodePids().map(jvmCpuByKind); const ms = mono() - t0;
    const pct = (a, b, f) => (100 * (f(b) - f(a))) / ms;
    const all = (k) => Object.values(k).reduce((x, y) => x + y, 0);
    console.log(`warm-up ${(w + 1) * 10} s: ${k1.map((k, i) => `n${i} ${pct(k0[i], k, all).toFixed(0)}% (JIT ${pct(k0[i], k, (x) => x.jit).toFixed(0)}%)`).join(', ')}`);
  }
  if (warmupMs > 0) say(`toggles ran ${Math.floor(warmupMs / 10000) * 10} s before the figures below (warm-up; --warmup-seconds)`);
  const steady = new CpuWindow(() => Object.fromEntries(cluster.nodes.slice(0, 3).map((n) => [n.id, [n.proc.pid]]))).start();
  await sleep(10000);
  say(`${rate} transitions/s running: CPU over 10 s ${describeCpu(steady.stop())}`);

  /** The presence of 50 client users spread over the ids, asked of {@code n} once: how long, and how many online. */
  // Never rejects: it runs beside the view poll, and a rejection left unhandled meanwhile would end
  // the script without its cleanup; a failure is reported in the figures instead.
  async function firstQuery(n) {
    const users = Array.from({ length: 50 }, (_, i) => `s-${Math.floor((i * total) / 50)}`);
    const svc = token(BENCH_SECRET, tenant, 'bench-svc', 'service');
    const t = mono();
    try {
      const r = await fetch(`http://127.0.0.1:${n.httpPort}/api/v1/tenants/${tenant}/presence?${users.map((u) => `user=${u}`).join('&')}`,
        { headers: { Authorization: `Bearer ${svc}` } });
      const body = r.status === 200 ? await r.json() : await r.text();
      const ms = Math.round(mono() - t);
      const online = r.status === 200 ? users.filter((u) => body.users?.[u]?.status === 'online').length : 0;
      return { asked: users.length, online, ms, failed: r.status === 200 ? '' : ` (HTTP ${r.status}: ${String(body).slice(0, 200)})` };
    } catch (e) {
      return { asked: users.length, online: 0, ms: Math.round(mono() - t), failed: ` (failed: ${e.message})` };
    }
  }

  /** Starts n3 and times /health/ready and the view equal to n0's (every user connected). */
  async function joinN3(label) {
    const t0 = Date.now();
    const m0 = machineMs();
    const started = cluster.start(3, 120000);
    let pid = null;
    let io0 = null;
    while (!pid) { pid = cluster.nodes[3].proc?.pid; if (!pid) await sleep(5); }
    io0 = { r: 0, w: 0 }; // a new process: no connection yet
    await started;
    const readyMs = Date.now() - t0;
    const readyAt = mono();
    // What a caller gets from n3 the moment it says ready: the presence of 50 client users spread over
    // the id range (GET …/presence, HTTP API), timed. PROTOCOL.md §6: a joined node serves queries
    // only once it holds the whole view, so every one must be online, and promptly.
    const probe = firstQuery(cluster.nodes[3]);
    // The joiner's own CPU from spawn to ready (a new process: it starts at 0), and what the machine had
    // spare meanwhile: its join time is about the CPU it needs over the share of the 2 cores it gets.
    const cpuReady = cpuMs(pid);
    const byKind = jvmCpuByKind(pid);
    const m1 = machineMs();
    const machineBusy = (100 * os.cpus().length * (m1.busy - m0.busy)) / (m1.total - m0.total);
    // Read while the view is polled below; until 2026-12-02 a blocking read here held the poll (and
    // every "view equal" before then) back by the seconds ss took.
    // Settled at once, so that a failed read (ss's 30 s timeout) is thrown below, inside the run's cleanup.
    const ioReadyAt = io(pid, cluster.nodes[3].httpPort).then((v) => ({ v }), (e) => ({ e }));
    let viewMs = NaN; let views = [];
    while (Date.now() - t0 < 120000) {
      views = await Promise.all([metrics(cluster.nodes[3].httpPort), metrics(cluster.nodes[0].httpPort)]);
      if (connected(views[0]) === everyone && connected(views[1]) === everyone) { viewMs = Date.now() - t0; break; }
      await sleep(100);
    }
    // Where the time went, from n3's log (millisecond timestamps): JVM + Hazelcast join, the full
    // states (ReplicationVerticle's "holding the whole view"), the rest of the start (HTTP API, gateways).
    const at = (re) => logEvents(cluster.nodes[3].log, re)[0]?.at;
    const hz = at(/is STARTED/); const whole = at(/holding the whole view/); const listening = at(/presence-hub listening/);
    // Since the shards' barrier before ready: when they had applied the view (absent in earlier jars).
    const applied = at(/the shards applied the whole view/);
    const phases = hz && whole && listening
      ? ` (JVM + Hazelcast member started ${hz - t0} ms; → whole view (full states of the 3 peers) ${whole - hz} ms;${applied ? ` → applied by the shards ${applied - whole} ms;` : ''} → serving ${listening - (applied ?? whole)} ms; → /health/ready seen ${t0 + readyMs - listening} ms)`
      : ' (phases not found in the log)';
    const first = await probe;
    const ioRead = await ioReadyAt;
    if (ioRead.e) throw ioRead.e;
    const ioReady = ioRead.v;
    say(`${label}: ready (/health/ready 200) ${readyMs} ms after spawn${phases}; first query at ready (presence of ${first.asked} clients, HTTP API) answered in ${first.ms} ms${first.failed}, ${first.online} of ${first.asked} online; view equal to n0's (${connected(views[0])} / ${connected(views[1])} users online+away) ${viewMs} ms after spawn; received ${((ioReady.r - io0.r) / 2 ** 20).toFixed(1)} MiB over TCP (event bus + Hazelcast, ss) from spawn to ready; CPU from spawn to ready ${cpuReady.toFixed(0)} ms (by thread, ms: ${describeCpuByKind(byKind)}; ${((100 * cpuReady) / readyMs).toFixed(0)}% of a core on average; the machine ${machineBusy.toFixed(0)}% busy of ${os.cpus().length * 100}% meanwhile)`);
    return { readyMs, viewMs, pid, readyAt, first };
  }

  const join = await joinN3('4th node joins under load');
  // n3's share of the steady state: bytes read and CPU per second, no session on it, once its own
  // JIT has compiled the delta path (right after ready it spends about half its CPU compiling).
  await sleep(Math.min(30000, warmupMs / 3 + 2000));
  const pid3 = cluster.pid(3);
  const io1 = await io(pid3, cluster.nodes[3].httpPort); const c1 = cpuMs(pid3); const j1 = jvmCpuByKind(pid3).jit; const t1 = mono();
  await sleep(10000);
  const io2 = await io(pid3, cluster.nodes[3].httpPort); const c2 = cpuMs(pid3); const j2 = jvmCpuByKind(pid3).jit; const t2 = mono();
  const secs = (t2 - t1) / 1000;
  const readPerS = (io2.r - io1.r) / secs;
  const cpuPerS = (c2 - c1) / secs;
  say(`n3 at ${rate}/s (holds no session): receives ${(readPerS / 1024).toFixed(1)} KiB/s over TCP (= ${(readPerS / rate).toFixed(0)} B per transition: all peers' deltas + digests + Hazelcast), CPU ${(cpuPerS / 10).toFixed(1)}% of a core (= ${((cpuPerS * 1000) / rate).toFixed(0)} µs per transition applied, digests included; its JIT compilers ${((j2 - j1) / (10 * secs)).toFixed(1)}% of a core of it), ${((t1 - join.readyAt) / 1000).toFixed(0)} s after it was ready`);

  // ---- kill -9 and restart ----
  await cluster.kill(3);
  await sleep(1000);
  const restart = await joinN3('n3 restarted after kill -9');

  // ---- toggles end; the watcher's account ----
  const rs = await Promise.all(reports);
  const sent = rs.reduce((s, r) => s + r.done, 0);
  const drainBy = mono() + 30000;
  const got = () => [...recv.values()].reduce((s, l) => s + l.length, 0);
  while (got() < sent && mono() < drainBy) await sleep(100);
  await sleep(500);
  let delivered = 0; let lost = 0; let extra = 0; let wrong = 0; let firstWrong = null;
  rs.forEach((r, w) => r.sends.forEach((times, i) => {
    const user = `t-${togglers[w].from + i}`;
    const list = recv.get(user) ?? [];
    const n = Math.min(times.length, list.length);
    for (let k = 0; k < n; k++) {
      const expect = (k % 2 === 0) === r.firstAway[i] ? 'away' : 'online';
      if (list[k] !== expect) { wrong++; firstWrong ??= `${user} update ${k}: ${list[k]}, expected ${expect}`; }
    }
    delivered += n; lost += Math.max(0, times.length - list.length); extra += Math.max(0, list.length - times.length);
  }));
  const lag = Math.max(...rs.map((r) => r.lag.p99));
  say(`watcher on n1 over ${toggleMs / 1000} s of toggles (join and restart included): sent ${sent}, delivered ${delivered}, lost ${lost}, extra ${extra}, wrong status ${wrong}${firstWrong ? ` (first: ${firstWrong})` : ''}; load side behind schedule p99 ${lag.toFixed(1)} ms`);

  // ---- quiet: n3 idle CPU, exact view comparison through the HTTP API, heap ----
  await sleep(2000);
  const q1 = cpuMs(pid3 === cluster.pid(3) ? pid3 : cluster.pid(3)); const qt1 = mono(); const qio1 = await io(cluster.pid(3), cluster.nodes[3].httpPort);
  await sleep(5000);
  const idleCpuPerS = (cpuMs(cluster.pid(3)) - q1) / ((mono() - qt1) / 1000);
  const idleReadPerS = ((await io(cluster.pid(3), cluster.nodes[3].httpPort)).r - qio1.r) / ((mono() - qt1) / 1000);
  say(`n3 quiet (no transitions): CPU ${(idleCpuPerS / 10).toFixed(1)}% of a core, receives ${(idleReadPerS / 1024).toFixed(1)} KiB/s (digests, Hazelcast heartbeats) → per transition applied: ${perTransition(((cpuPerS - idleCpuPerS) * 1000) / rate, 'µs CPU')}, ${perTransition((readPerS - idleReadPerS) / rate, 'B received')}`);
  const svc = token(BENCH_SECRET, tenant, 'bench-svc', 'service');
  const roster = async (n) => {
    const r = await fetch(`http://127.0.0.1:${n.httpPort}/api/v1/tenants/${tenant}/roster?role=tech&status=online&status=away`,
      { headers: { Authorization: `Bearer ${svc}` } });
    const body = await r.json();
    return new Map((body.users ?? []).map((u) => [u.user ?? u.id, u.status]));
  };
  const [r0, r3] = await Promise.all([roster(cluster.nodes[0]), roster(cluster.nodes[3])]);
  let differ = 0;
  for (const [u, s] of r0) if (r3.get(u) !== s) differ++;
  const counts = (await Promise.all(cluster.nodes.map((n) => metrics(n.httpPort)))).map(connected);
  say(`after the toggles: HTTP API roster(tech) of n3 vs n0: ${r0.size} / ${r3.size} techs, ${differ} differ; users online+away per node ${counts.join(' / ')}`);
  const heap3 = liveHeapKiB(cluster.pid(3));
  // Where n3's heap goes: the largest classes (jcmd GC.class_histogram, after the full GC above).
  try {
    const histo = jcmd(cluster.pid(3), 'GC.class_histogram').split('\n').filter((l) => /^\s*\d+:\s+\d+\s+\d+\s+\S/.test(l)).slice(0, 8)
      .map((l) => { const f = l.trim().split(/\s+/); return `${f[3]} ${(Number(f[2]) / 2 ** 20).toFixed(1)} MiB (${f[1]})`; });
    say(`n3 largest classes: ${histo.join('; ')}`);
  } catch (e) { console.log(`no class histogram: ${e.message}`); }
  say(`n3 live heap after a full GC ${(heap3 / 1024).toFixed(1)} MiB vs ${(emptyHeap / 1024).toFixed(1)} MiB for an empty node → ${(((heap3 - emptyHeap) * 1024) / everyone).toFixed(0)} B per replicated user (no session on n3)`);
  const heaps = [0, 1, 2].map((i) => liveHeapKiB(cluster.pid(i)));
  say(`n0-n2 live heap after a full GC: ${heaps.map((h) => (h / 1024).toFixed(1)).join(' / ')} MiB (each ${perNode.map((p, i) => p + (i === 1 ? 1 : 0)).join(' / ')} client sessions + ${techs / 2} techs on n0 and n2, the whole view)`);
  say(`summary: join ready ${join.readyMs} ms (first query answered ${join.first.ms} ms later${join.first.failed}), view equal ${join.viewMs} ms; restart after kill -9 ready ${restart.readyMs} ms (first query ${restart.first.ms} ms later${restart.first.failed}), view equal ${restart.viewMs} ms (target ≤ 5,000 ms at 50,000 users); lost at the watcher ${lost}`);
  appendResults(opt.results, 'Join time under load (bench/join.mjs)', lines, `${jvmFlags.join(' ')} --cluster (per node${opt.partitions ? `, PRESENCE_CLUSTER_PARTITIONS=${opt.partitions}` : ''}, PRESENCE_CLUSTER_BUS_PORT=${busPort > 0 ? `${busPort}+i` : '0 (any free port)'})${cluster.nodes[3].jvmFlags.length ? `; n3 also ${cluster.nodes[3].jvmFlags.join(' ')}${archive ? ' (the shipped AppCDS archive of the jar, deploy/cds/build-archive.sh)' : ''}` : ''}`);
} finally {
  for (const c of children) { try { c.send({ cmd: 'exit' }); } catch { /* gone */ } }
  await Promise.all(children.map((c) => (c.exitCode !== null ? null : Promise.race([new Promise((r) => c.on('exit', r)), sleep(10000)]))));
  await cluster.stopAll();
  if (archive) rmSync(archive, { force: true });
  if (Date.now() > deadline) console.error('the run went past its bound (15 min + the toggles)');
}
process.exit(0);
