// Scenario 3 (transition storm): N users are active in the same second, then all fall silent;
// a tech watching the client roster measures, for each away transition, how late it arrived
// after its deadline (lastActiveAt + idleTimeoutMs), and how long until it had them all.
//
//   node bench/idle-storm.mjs [--users 19000] [--workers 2] [--idle-ms 15000]
//
// Sessions are raw-WebSocket presence sessions from worker processes on 127.0.0.x; one node holds
// them all, so N stays under the 20,000 open files a process may have here.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendResults, openSession, parseOptions, percentile } from './loadgen/lib.mjs';
import { BENCH_SECRET, rssKiB, startHub, stopHub } from './loadgen/hub.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseOptions('idle-storm.mjs', { options: {
  users: { type: 'string', default: '19000' },
  workers: { type: 'string', default: '2' },
  'idle-ms': { type: 'string', default: '15000' },
  port: { type: 'string', default: '18090' },
  jar: { type: 'string', default: path.join(here, '..', 'target', 'presence-hub.jar') },
  xmx: { type: 'string', default: '2g' },
  results: { type: 'string', default: path.join(here, 'RESULTS.md') },
} });
const users = Number(opt.users);
const workers = Number(opt.workers);
const idleMs = Number(opt['idle-ms']);
const jvmFlags = [`-Xmx${opt.xmx}`, '-XX:+UseG1GC'];
const url = `ws://127.0.0.1:${opt.port}/presence/websocket`;
const tenant = 'bench';

const hub = await startHub({ jar: opt.jar, port: Number(opt.port), jvmFlags,
  env: { PRESENCE_IDLE_TIMEOUT_MS: String(idleMs), PRESENCE_OFFLINE_GRACE_MS: '5000' } });
const children = [];
try {
  let t0 = Infinity;
  const lateness = [];
  let lastArrival = 0;
  let firstDeadline = Infinity;
  let done;
  const allAway = new Promise((r) => { done = r; });
  const watcher = await openSession({ url, secret: BENCH_SECRET, tenant, user: 'watcher', role: 'tech',
    onFrame: (frame, at) => {
      if (frame.type !== 'presence') return;
      for (const u of frame.updates) {
        // Only the storm's transitions: deadlines after the synchronized activity.
        if (u.status === 'away' && u.reason === 'inactive' && u.since >= t0 + idleMs - 50) {
          lateness.push(at - u.since);
          firstDeadline = Math.min(firstDeadline, u.since);
          lastArrival = Math.max(lastArrival, at);
          if (lateness.length === users) done();
        }
      }
    } });
  watcher.send(JSON.stringify({ type: 'subscribe', roster: 'client', id: 'roster' }));

  const per = Math.ceil(users / workers);
  const ready = [];
  for (let w = 0; w < workers; w++) {
    const count = Math.min(per, users - w * per);
    const child = fork(path.join(here, 'loadgen', 'worker.mjs'), [JSON.stringify({
      url, secret: BENCH_SECRET, tenant, prefix: 'c-', from: w * per, count, role: 'client' })]);
    children.push(child);
    ready.push(new Promise((resolve, reject) => {
      child.on('message', (m) => { if (m.ready !== undefined) resolve(); });
      child.on('exit', (code) => reject(new Error(`worker ${w} exited with ${code}`)));
    }));
  }
  const openStart = Date.now();
  await Promise.all(ready);
  const openSecs = (Date.now() - openStart) / 1000;
  const rss = rssKiB(hub.pid);
  console.log(`${users} sessions open in ${openSecs.toFixed(1)} s; hub RSS ${(rss / 1024).toFixed(0)} MiB`);

  t0 = Date.now() + 1000;
  for (const c of children) c.send({ cmd: 'activity', at: t0 });
  const timeout = new Promise((_, rej) => setTimeout(() => rej(new Error(
    `only ${lateness.length}/${users} away transitions within idle + 60 s`)), idleMs + 61000));
  await Promise.race([allAway, timeout]);

  lateness.sort((a, b) => a - b);
  const lines = [
    `${users} users (raw WebSocket sessions, ${workers} load processes, 127.0.0.2-9), idleTimeoutMs ${idleMs}, one node`,
    `away lateness at the roster watcher (arrival - deadline): p50 ${percentile(lateness, 50)} ms, p99 ${percentile(lateness, 99)} ms, max ${lateness[lateness.length - 1]} ms, min ${lateness[0]} ms`,
    `watcher had all ${users} away transitions ${lastArrival - firstDeadline} ms after the first deadline`,
    `sessions opened in ${openSecs.toFixed(1)} s; hub RSS with ${users} sessions ${(rss / 1024).toFixed(0)} MiB`,
  ];
  lines.forEach((l) => console.log(l));
  appendResults(opt.results, 'Transition storm (bench/idle-storm.mjs)', lines, jvmFlags.join(' '));
  watcher.terminate();
} finally {
  for (const c of children) { try { c.send({ cmd: 'exit' }); } catch { /* gone */ } }
  await stopHub(hub);
}
process.exit(0);
