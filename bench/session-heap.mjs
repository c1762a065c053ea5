// Scenario 7: the worst-case heap one user can hold with the default limits (PROTOCOL.md §4 limits,
// issue 11 §2). One tech opens S sessions (default 32, the default maxSessionsPerUser); each
// watches maxWatchedUsers (10,000) never-seen ids of the longest length allowed (256 characters),
// sent in subscribe frames just under the 64 KiB frame limit; then every session stops reading its
// socket and floods `query` frames of such ids at 45/s (under the rate limit) for --flood-s
// seconds, so that its write queue is full. The node's live heap after a full GC (jcmd GC.run,
// GC.heap_info used) is taken at 0 sessions, after the subscriptions, and with the queues full,
// each as KiB per session and × S. Must finish the flood within livenessTimeoutMs (45 s), when the
// hub closes such sessions with 4408.
//
//   node bench/session-heap.mjs [--sessions 32] [--flood-s 10] [--xmx 1g] [--id-len 256]
//
// --id-len 36: ids the length of a UUID, a typical case rather than the worst.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startHub, stopHub, BENCH_SECRET } from './loadgen/hub.mjs';
import { openSession, appendResults } from './loadgen/lib.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const sessions = Number(args.sessions ?? 32);
const floodSeconds = Number(args['flood-s'] ?? 10);
const xmx = args.xmx ?? '1g';
const jar = 'target/presence-hub.jar';
const port = 18095;
const WATCH = 10000;
const ID_LEN = Number(args['id-len'] ?? 256);
// As many ids per frame as fit just under maxFrameBytes (65,536), at most maxUsersPerSubscribe.
const PER_FRAME = Math.min(1000, Math.floor(64000 / (ID_LEN + 3)));
const jvmFlags = [`-Xmx${xmx}`, '-XX:+UseG1GC'];

if (!existsSync(jar)) throw new Error(`${jar} missing: mvn -q -B -DskipTests package`);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const jcmd = (pid, cmd) => execFileSync('jcmd', [String(pid), cmd], { encoding: 'utf8' });
function liveHeapKiB(pid) {
  jcmd(pid, 'GC.run');
  const m = /used (\d+)K/.exec(jcmd(pid, 'GC.heap_info'));
  if (!m) throw new Error('cannot read GC.heap_info');
  return Number(m[1]);
}
const longId = (s, i) => `s${s}-${i}-`.padEnd(ID_LEN, 'x');

const hub = await startHub({ jar, port, jvmFlags });
const sockets = [];
try {
  await sleep(1000);
  const heap0 = liveHeapKiB(hub.pid);
  console.log(`0 sessions: live heap ${(heap0 / 1024).toFixed(1)} MiB`);

  const replies = new Map(); // `${s}:${id}` → records received
  let refused = 0;
  let tooLarge = 0;
  for (let s = 0; s < sessions; s++) {
    const ws = await openSession({
      url: `ws://127.0.0.1:${port}/presence/websocket`, secret: BENCH_SECRET, tenant: 'acme', user: 'hog', role: 'tech',
      onFrame: (f) => {
        if (f.type === 'presence' && f.id !== undefined) {
          replies.set(`${s}:${f.id}`, (replies.get(`${s}:${f.id}`) ?? 0) + f.updates.length);
        } else if (f.type === 'error' && f.code === 'rate_limited') {
          refused++;
        } else if (f.type === 'error' && f.code === 'too_large') {
          tooLarge++;
        }
      },
    });
    sockets.push(ws);
    const frames = Math.ceil(WATCH / PER_FRAME);
    for (let k = 0; k < frames; k++) {
      const users = [];
      for (let i = k * PER_FRAME; i < Math.min(WATCH, (k + 1) * PER_FRAME); i++) users.push(longId(s, i));
      ws.send(JSON.stringify({ type: 'subscribe', users, id: `sub${k}` }));
      await sleep(25); // 40/s: under the rate limit
    }
    const deadline = Date.now() + 60000;
    while ([...Array(frames).keys()].some((k) => !replies.has(`${s}:sub${k}`)) && Date.now() < deadline) await sleep(50);
  }
  const watched = [...replies.entries()].filter(([k]) => k.includes(':sub')).reduce((a, [, n]) => a + n, 0);
  // One more id on any session must be refused: the limit holds.
  sockets[0].send(JSON.stringify({ type: 'subscribe', users: ['one-more'], id: 'extra' }));
  await sleep(500);
  const heap1 = liveHeapKiB(hub.pid);
  console.log(`${sessions} sessions watching ${watched} ids (${tooLarge} too_large for one more): live heap ${(heap1 / 1024).toFixed(1)} MiB`);

  // Every session stops reading and floods queries.
  for (const ws of sockets) ws._socket.pause();
  const query = (s, n) => JSON.stringify({ type: 'query', users: Array.from({ length: PER_FRAME }, (_, i) => longId(s, i)), id: `q${n}` });
  const floodEnd = Date.now() + floodSeconds * 1000;
  let sent = 0;
  while (Date.now() < floodEnd) {
    for (let s = 0; s < sockets.length; s++) sockets[s].send(query(s, sent));
    sent++;
    await sleep(1000 / 45);
  }
  await sleep(500);
  const heap2 = liveHeapKiB(hub.pid);
  const perSession = (a, b) => ((b - a) / sessions).toFixed(0);
  const lines = [
    `one user, ${sessions} sessions, ids of ${ID_LEN} characters (default maxSessionsPerUser 32), defaults otherwise (maxWatchedUsers 10000, writeQueueMaxChars 262144, maxFrameBytes 65536)`,
    `live heap after a full GC: ${(heap0 / 1024).toFixed(1)} MiB at 0 sessions; ${(heap1 / 1024).toFixed(1)} MiB with every session watching 10,000 ids of ${ID_LEN} characters (${perSession(heap0, heap1)} KiB/session); ${(heap2 / 1024).toFixed(1)} MiB with every write queue full after ${sent} queries/session of ${PER_FRAME} such ids (${perSession(heap0, heap2)} KiB/session)`,
    `worst case for one user: ${((heap2 - heap0) / 1024).toFixed(1)} MiB for ${sessions} sessions (${((heap2 - heap0) / sessions * 32 / 1024).toFixed(1)} MiB scaled to 32)`,
    `watched ids answered: ${watched}; one more subscribe: ${tooLarge ? 'too_large' : 'NOT refused'}; refused requests read before the flood: ${refused}`,
  ];
  lines.forEach((l) => console.log(l));
  appendResults('bench/RESULTS.md', 'Worst-case heap of one user (bench/session-heap.mjs)', lines, jvmFlags.join(' '));
} finally {
  for (const ws of sockets) ws.terminate();
  await stopHub(hub);
}
