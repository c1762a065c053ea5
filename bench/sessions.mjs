// Scenario 1 (sessions and memory per node): N authenticated presence sessions on one node, then
// the node's RSS (from /proc) and its live heap after a full GC (`jcmd PID GC.run`, then the used
// size from `jcmd PID GC.heap_info`), each minus the same figure taken with 0 sessions right after
// start, per session; and the time to open them.
//
//   node bench/sessions.mjs [--sessions 15000] [--workers 2]
//
// Sessions are raw-WebSocket presence sessions from worker processes on 127.0.0.2-9; one node
// holds them all, so N stays at most 19,000 (a process here may have 20,000 open files).
import { execFileSync, fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendResults } from './loadgen/lib.mjs';
import { BENCH_SECRET, rssKiB, startHub, stopHub } from './loadgen/hub.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({ options: {
  sessions: { type: 'string', default: '15000' },
  workers: { type: 'string', default: '2' },
  'settle-ms': { type: 'string', default: '3000' },
  port: { type: 'string', default: '18090' },
  jar: { type: 'string', default: path.join(here, '..', 'target', 'presence-hub.jar') },
  xmx: { type: 'string', default: '2g' },
  results: { type: 'string', default: path.join(here, 'RESULTS.md') },
} });
const sessions = Number(opt.sessions);
if (!(sessions >= 1 && sessions <= 19000)) throw new Error('--sessions must be 1..19000 (20,000 open files per process here)');
const workers = Number(opt.workers);
const settleMs = Math.min(Number(opt['settle-ms']), 60000);
const jvmFlags = [`-Xmx${opt.xmx}`, '-XX:+UseG1GC'];
const url = `ws://127.0.0.1:${opt.port}/presence/websocket`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const jcmd = (pid, ...args) => execFileSync('jcmd', [String(pid), ...args], { timeout: 60000 }).toString();
/** Live heap: full GC, then the "used" figure of GC.heap_info, in KiB. */
function liveHeapKiB(pid) {
  jcmd(pid, 'GC.run');
  const info = jcmd(pid, 'GC.heap_info');
  const m = /used (\d+)K/.exec(info);
  if (!m) throw new Error(`cannot read GC.heap_info:\n${info}`);
  return Number(m[1]);
}

const hub = await startHub({ jar: opt.jar, port: Number(opt.port), jvmFlags });
const children = [];
try {
  await sleep(1000);
  const heap0 = liveHeapKiB(hub.pid);
  const rss0 = rssKiB(hub.pid);
  console.log(`0 sessions: RSS ${(rss0 / 1024).toFixed(0)} MiB, live heap ${(heap0 / 1024).toFixed(1)} MiB`);

  const per = Math.ceil(sessions / workers);
  const ready = [];
  const openStart = Date.now();
  for (let w = 0; w < workers; w++) {
    const count = Math.min(per, sessions - w * per);
    const child = fork(path.join(here, 'loadgen', 'worker.mjs'), [JSON.stringify({
      url, secret: BENCH_SECRET, tenant: 'bench', prefix: 's-', from: w * per, count, role: 'client' })]);
    children.push(child);
    ready.push(new Promise((resolve, reject) => {
      child.on('message', (m) => { if (m.ready !== undefined) resolve(m.ready); });
      child.on('exit', (code) => reject(new Error(`worker ${w} exited with ${code}`)));
    }));
  }
  const opened = (await Promise.all(ready)).reduce((a, b) => a + b, 0);
  const openSecs = (Date.now() - openStart) / 1000;
  if (opened !== sessions) throw new Error(`only ${opened}/${sessions} sessions opened`);
  console.log(`${sessions} sessions open in ${openSecs.toFixed(1)} s; settling ${settleMs} ms`);
  await sleep(settleMs);
  const rss1 = rssKiB(hub.pid);
  const heap1 = liveHeapKiB(hub.pid);
  const rss1AfterGc = rssKiB(hub.pid);

  const per1 = (a, b) => ((b - a) / sessions).toFixed(1);
  const lines = [
    `${sessions} idle presence sessions (raw WebSocket, authenticated clients, ${workers} load processes, 127.0.0.2-9), one node`,
    `opened in ${openSecs.toFixed(1)} s (${Math.round(sessions / openSecs)}/s, 200 handshakes in flight per load process)`,
    `RSS: ${(rss0 / 1024).toFixed(0)} MiB at 0 sessions, ${(rss1 / 1024).toFixed(0)} MiB with ${sessions} → ${per1(rss0, rss1)} KiB/session (after the full GC: ${(rss1AfterGc / 1024).toFixed(0)} MiB, ${per1(rss0, rss1AfterGc)} KiB/session)`,
    `live heap after a full GC (jcmd GC.run; GC.heap_info used): ${(heap0 / 1024).toFixed(1)} MiB at 0 sessions, ${(heap1 / 1024).toFixed(1)} MiB with ${sessions} → ${per1(heap0, heap1)} KiB/session`,
  ];
  lines.forEach((l) => console.log(l));
  appendResults(opt.results, 'Sessions and memory per node (bench/sessions.mjs)', lines, jvmFlags.join(' '));
} finally {
  for (const c of children) { try { c.send({ cmd: 'exit' }); } catch { /* gone */ } }
  await stopHub(hub);
}
process.exit(0);
