// Crash detection (issue #6 scenario 6; issue #3's "crash-to-offline median and max over 10 kills"):
// 3 clustered nodes; node C holds U client sessions, a roster("client") watcher sits on node A.
// SIGKILL C; measure the time from the kill to the watcher having an offline for every one of C's
// users (first, median, last), and check that no user got more than one offline (PROTOCOL.md §6:
// offline everywhere within 10 s with the shipped defaults, exactly one presence.changes event).
// `--kills N` repeats: restart C (same ports, new process), reconnect its users, wait until all are
// online at A, kill again; then the median and max over the kills of "time to all offline".
//
//   node bench/cluster-crash.mjs [--users 5000] [--kills 1] [--signal KILL|STOP] [--workers 2] [--jar target/presence-hub.jar]
//                                [--failure-timeout-ms N] [--grace-ms N]   (default: the shipped 3000 / 5000)
//
// Nodes n0 (A, the watcher), n1 (B), n2 (C, the users): HTTP 18190+, Hazelcast 18290+, a fresh
// cluster name per run, no PRESENCE_CLUSTER_FAILURE_TIMEOUT_MS / PRESENCE_OFFLINE_GRACE_MS unless
// given. Sessions come from `--workers` processes (bench/loadgen/worker.mjs) on 127.0.0.2-9. A's
// log (millisecond timestamps) says when A noticed the crash ("left the cluster"), which splits the
// figure into failure detection and the rest (grace + publication).
//
// A SIGKILLed process's connections are closed by the kernel at once, so Hazelcast's peers see
// "connection refused" and drop the member well before the heartbeat timeout. --signal STOP
// freezes C instead (connections stay open, nothing answers: a dead host or a cut network), so
// the failure timeout itself is measured; C is SIGKILLed after the measurement.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendResults, openSession, parseOptions, percentile, refuse } from './loadgen/lib.mjs';
import { BENCH_SECRET } from './loadgen/hub.mjs';
import { Cluster, loadavg, logEvents, mono, sleep, track, jarInfo, timingOverrides } from './loadgen/cluster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseOptions('cluster-crash.mjs', { options: {
  users: { type: 'string', default: '5000' },
  kills: { type: 'string', default: '1' },
  signal: { type: 'string', default: 'KILL' },
  workers: { type: 'string', default: '2' },
  'failure-timeout-ms': { type: 'string', default: '' },
  'grace-ms': { type: 'string', default: '' },
  'http-port': { type: 'string', default: '18190' },
  'hz-port': { type: 'string', default: '18290' },
  jar: { type: 'string', default: path.join(here, '..', 'target', 'presence-hub.jar') },
  xmx: { type: 'string', default: '2g' },
  results: { type: 'string', default: path.join(here, 'RESULTS.md') },
} });
const users = Math.min(Number(opt.users), 19000);
const kills = Math.max(1, Math.min(Number(opt.kills), 20));
const workers = Math.max(1, Math.min(Number(opt.workers), 8));
const signal = opt.signal.toUpperCase().replace(/^SIG/, '');
if (signal !== 'KILL' && signal !== 'STOP') refuse('cluster-crash.mjs', '--signal KILL or STOP');
const jvmFlags = [`-Xmx${opt.xmx}`, '-XX:+UseG1GC'];
const tenant = 'bench';
const { env, timings } = timingOverrides(opt);

const machineBefore = loadavg();
const cluster = new Cluster({ jar: opt.jar, jvmFlags, size: 3, httpBase: Number(opt['http-port']),
  hzBase: Number(opt['hz-port']), env });
let children = [];
const lines = [];

async function stopWorkers() {
  for (const c of children) { try { c.send({ cmd: 'exit' }); } catch { /* gone */ } }
  await Promise.all(children.map((c) => (c.exitCode !== null ? null : Promise.race([new Promise((r) => c.on('exit', r)), sleep(5000)]))));
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  children = [];
}

try {
  console.log(`starting 3 clustered nodes (${cluster.name}; logs in ${cluster.logDir}); ${timings}`);
  await cluster.startAll();
  const [A, , C] = cluster.nodes;

  // ---- the watcher on A ----
  const status = new Map(); // c-user → last status at the watcher
  let cycle = null; // per kill: {offAt: Map user → [times], other: n}
  const watcher = await openSession({ url: A.url, secret: BENCH_SECRET, tenant, user: 'watcher', role: 'tech',
    onFrame: (frame) => {
      const at = mono();
      if (frame.type !== 'presence') return;
      for (const u of frame.updates) {
        if (!u.user.startsWith('c-')) continue;
        status.set(u.user, u.status);
        if (!cycle || frame.id !== undefined) continue;
        if (u.status === 'offline') {
          let l = cycle.offAt.get(u.user);
          if (!l) cycle.offAt.set(u.user, (l = []));
          l.push(at - cycle.killAt);
        } else {
          cycle.other++;
          if (!cycle.firstOther) cycle.firstOther = `${u.user} ${u.status}/${u.reason} at +${(at - cycle.killAt).toFixed(0)} ms`;
        }
      }
    } });
  watcher.send(JSON.stringify({ type: 'subscribe', roster: 'client', id: 'roster' }));
  const onlineAtA = () => { let n = 0; for (const s of status.values()) if (s === 'online') n++; return n; };

  const results = [];
  for (let k = 1; k <= kills; k++) {
    if (k > 1) {
      const t = Date.now();
      await cluster.start(C.index);
      console.log(`kill ${k}: ${C.id} restarted, ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    // ---- C's users ----
    const per = Math.ceil(users / workers);
    const ready = [];
    const openStart = Date.now();
    for (let w = 0; w < workers; w++) {
      const count = Math.min(per, users - w * per);
      const child = track(fork(path.join(here, 'loadgen', 'worker.mjs'), [JSON.stringify({
        url: C.url, secret: BENCH_SECRET, tenant, prefix: 'c-', from: w * per, count, role: 'client' })]));
      children.push(child);
      ready.push(new Promise((resolve, reject) => {
        child.on('message', (m) => { if (m.ready !== undefined) resolve(); });
        child.on('exit', (code) => reject(new Error(`worker ${w} exited with ${code}`)));
      }));
    }
    await Promise.all(ready);
    const openSecs = (Date.now() - openStart) / 1000;
    const by = Date.now() + 60000;
    while (onlineAtA() < users) {
      if (Date.now() > by) throw new Error(`kill ${k}: only ${onlineAtA()}/${users} online at A's watcher 60 s after opening`);
      await sleep(50);
    }
    console.log(`kill ${k}: ${users} sessions on ${C.id} opened in ${openSecs.toFixed(1)} s, all online at ${A.id}'s watcher`);
    await sleep(1000);

    // ---- the crash ----
    cycle = { offAt: new Map(), other: 0, firstOther: null, killAt: mono() };
    const killWall = Date.now();
    if (signal === 'KILL') await cluster.kill(C.index);
    else cluster.signal(C.index, 'SIGSTOP');
    const deadline = mono() + 60000;
    while (cycle.offAt.size < users && mono() < deadline) await sleep(20);
    const allAt = mono();
    await sleep(3000); // duplicates, flaps
    if (signal === 'STOP') await cluster.kill(C.index);
    const firsts = [...cycle.offAt.values()].map((l) => l[0]).sort((a, b) => a - b);
    const dups = [...cycle.offAt.values()].filter((l) => l.length > 1).length;
    const maxPerUser = Math.max(0, ...[...cycle.offAt.values()].map((l) => l.length));
    const noticed = logEvents(A.log, /left the cluster/).filter((e) => e.at >= killWall - 5).map((e) => e.at - killWall)[0];
    const r = {
      k, got: cycle.offAt.size, first: firsts[0], median: percentile(firsts, 50), last: firsts[firsts.length - 1],
      dups, maxPerUser, other: cycle.other, firstOther: cycle.firstOther, noticed, allMs: allAt - cycle.killAt,
    };
    results.push(r);
    cycle = null;
    console.log(`kill ${k}: ${r.got}/${users} offline at ${A.id}; first ${r.first?.toFixed(0)} ms, median ${r.median?.toFixed(0)} ms, last ${r.last?.toFixed(0)} ms after SIG${signal}; ${A.id} noticed the crash after ${r.noticed ?? '?'} ms; users with >1 offline: ${dups}; other transitions of C's users: ${r.other}${r.firstOther ? ` (first: ${r.firstOther})` : ''}`);
    await stopWorkers();
    if (r.got < users) { console.log('not every user went offline within 60 s: stopping here'); break; }
  }

  const lasts = results.map((r) => r.last).filter((x) => x !== undefined).sort((a, b) => a - b);
  const noticed = results.map((r) => r.noticed).filter((x) => x !== undefined).sort((a, b) => a - b);
  const anyDup = results.reduce((s, r) => s + r.dups, 0);
  const incomplete = results.filter((r) => r.got < users).length;
  lines.push(`3 clustered nodes on loopback; ${users} client sessions on ${C.id} (${workers} load processes, 127.0.0.2-9), a roster("client") watcher on ${A.id}; ${timings}; load avg before ${machineBefore}`);
  lines.push(jarInfo(opt.jar));
  lines.push(`${results.length} SIG${signal}(s) of ${C.id}${signal === 'STOP' ? ' (frozen: its connections stay open, as when a host or its network dies; SIGKILLed once measured)' : ' (the kernel closes its connections at once)'}; restarted on the same ports, users reconnected and all online at ${A.id} before each`);
  for (const r of results) {
    lines.push(`kill ${r.k}: ${r.got}/${users} offline at the watcher; first ${r.first?.toFixed(0)} ms, median ${r.median?.toFixed(0)} ms, last ${r.last?.toFixed(0)} ms after the SIG${signal}; ${A.id} logged "left the cluster" after ${r.noticed ?? '?'} ms; users with more than one offline ${r.dups} (max ${r.maxPerUser} per user); other transitions of C's users ${r.other}`);
  }
  lines.push(`time to all offline over ${lasts.length} kill(s): median ${percentile(lasts, 50)?.toFixed(0)} ms, max ${lasts[lasts.length - 1]?.toFixed(0)} ms, min ${lasts[0]?.toFixed(0)} ms (contract bound 10000 ms: ${lasts.every((x) => x <= 10000) && incomplete === 0 ? 'met every time' : 'MISSED'})`);
  lines.push(`of which failure detection (SIG${signal} → ${A.id}'s "left the cluster" log line, ms resolution): median ${percentile(noticed, 50) ?? '?'} ms, max ${noticed[noticed.length - 1] ?? '?'} ms; the rest is the offline grace and publication`);
  lines.push(`duplicate offlines: ${anyDup === 0 ? 'none (every user exactly one offline per kill)' : `${anyDup} user-kills with more than one offline — NOT CLEAN`}`);
  lines.forEach((l) => console.log(l));
  appendResults(opt.results, `Crash detection, SIG${signal} (bench/cluster-crash.mjs)`, lines, `${jvmFlags.join(' ')} --cluster (per node)`);
  watcher.terminate();
} finally {
  await stopWorkers();
  await cluster.stopAll();
}
process.exit(0);
