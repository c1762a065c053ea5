// Scenario 1 (sessions and memory per node): N authenticated presence sessions on one node, then
// the node's RSS (from /proc) and its live heap after a full GC (`jcmd PID GC.run`, then the used
// size from `jcmd PID GC.heap_info`), each minus the same figure taken with 0 sessions right after
// start, per session; and the time to open them.
//
//   node bench/sessions.mjs [--sessions 15000] [--workers 2] [--server hub|vertx-echo|node-echo]
//
// --server vertx-echo / node-echo: the same sessions against a bare Vert.x SockJS echo
// (bench/engine/SockJsEcho.java) or the reference SockJS server (npm `sockjs`,
// bench/loadgen/sockjs-echo.mjs), each session's auth frame echoed back as its round trip. The
// node peer has no JVM heap: only its RSS is reported.
//
// Sessions are raw-WebSocket presence sessions from worker processes on 127.0.0.2-9; one node
// holds them all, so N stays at most 19,000 (a process here may have 20,000 open files).
import { execFileSync, fork, spawn } from 'node:child_process';
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
  server: { type: 'string', default: 'hub' },
  results: { type: 'string', default: path.join(here, 'RESULTS.md') },
} });
const sessions = Number(opt.sessions);
if (!(sessions >= 1 && sessions <= 19000)) throw new Error('--sessions must be 1..19000 (20,000 open files per process here)');
const workers = Number(opt.workers);
const settleMs = Math.min(Number(opt['settle-ms']), 60000);
const jvmFlags = [`-Xmx${opt.xmx}`, '-XX:+UseG1GC'];
const server = opt.server;
if (!['hub', 'vertx-echo', 'node-echo'].includes(server)) throw new Error(`--server: hub, vertx-echo or node-echo, got ${server}`);
const echo = server !== 'hub';
const url = echo ? `ws://127.0.0.1:${opt.port}/echo/websocket` : `ws://127.0.0.1:${opt.port}/presence/websocket`;

async function startServer() {
  if (server === 'hub') return startHub({ jar: opt.jar, port: Number(opt.port), jvmFlags });
  const cmd = server === 'node-echo'
    ? [process.execPath, [path.join(here, 'loadgen', 'sockjs-echo.mjs'), opt.port]]
    : ['java', [...jvmFlags, '-cp', opt.jar, path.join(here, 'engine', 'SockJsEcho.java'), opt.port]];
  const proc = spawn(cmd[0], cmd[1], { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${server} exited with ${proc.exitCode}`);
    try { if ((await fetch(`http://127.0.0.1:${opt.port}/echo/info`)).ok) return proc; } catch { /* not yet */ }
    await sleep(200);
  }
  proc.kill('SIGKILL');
  throw new Error(`${server} not ready within 60 s`);
}

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

const hub = await startServer();
const jvm = server !== 'node-echo';
const children = [];
try {
  await sleep(1000);
  const heap0 = jvm ? liveHeapKiB(hub.pid) : NaN;
  const rss0 = rssKiB(hub.pid);
  console.log(`0 sessions: RSS ${(rss0 / 1024).toFixed(0)} MiB${jvm ? `, live heap ${(heap0 / 1024).toFixed(1)} MiB` : ''}`);

  const per = Math.ceil(sessions / workers);
  const ready = [];
  const openStart = Date.now();
  for (let w = 0; w < workers; w++) {
    const count = Math.min(per, sessions - w * per);
    const child = fork(path.join(here, 'loadgen', 'worker.mjs'), [JSON.stringify({
      url, secret: BENCH_SECRET, tenant: 'bench', prefix: 's-', from: w * per, count, role: 'client', echo })]);
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
  const heap1 = jvm ? liveHeapKiB(hub.pid) : NaN;
  const rss1AfterGc = rssKiB(hub.pid);

  const per1 = (a, b) => ((b - a) / sessions).toFixed(1);
  const what = { hub: 'idle presence sessions (raw WebSocket, authenticated clients', 'vertx-echo':
    'idle sessions on the bare Vert.x SockJS echo (bench/engine/SockJsEcho.java; raw WebSocket, one echoed frame each', 'node-echo':
    'idle sessions on the reference SockJS server, npm sockjs (bench/loadgen/sockjs-echo.mjs; raw WebSocket, one echoed frame each' }[server];
  const lines = [
    `${sessions} ${what}, ${workers} load processes, 127.0.0.2-9), one ${server === 'hub' ? 'node' : 'server process'}`,
    `opened in ${openSecs.toFixed(1)} s (${Math.round(sessions / openSecs)}/s, 200 handshakes in flight per load process)`,
    `RSS: ${(rss0 / 1024).toFixed(0)} MiB at 0 sessions, ${(rss1 / 1024).toFixed(0)} MiB with ${sessions} → ${per1(rss0, rss1)} KiB/session (after the full GC: ${(rss1AfterGc / 1024).toFixed(0)} MiB, ${per1(rss0, rss1AfterGc)} KiB/session)`,
    jvm ? `live heap after a full GC (jcmd GC.run; GC.heap_info used): ${(heap0 / 1024).toFixed(1)} MiB at 0 sessions, ${(heap1 / 1024).toFixed(1)} MiB with ${sessions} → ${per1(heap0, heap1)} KiB/session`
      : 'live heap: not a JVM (RSS only; RSS after the full GC above is just a second reading)',
  ];
  lines.forEach((l) => console.log(l));
  const title = server === 'hub' ? 'Sessions and memory per node (bench/sessions.mjs)'
    : `Sessions and memory, peer ${server} (bench/sessions.mjs --server ${server})`;
  appendResults(opt.results, title, lines, server === 'node-echo' ? `(node ${process.version}, not a JVM)` : jvmFlags.join(' '));
} finally {
  for (const c of children) { try { c.send({ cmd: 'exit' }); } catch { /* gone */ } }
  await stopHub(hub);
}
process.exit(0);
