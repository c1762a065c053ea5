// Convergence after a freeze (issue #3's convergence figure; PROTOCOL.md §6 "every node's view
// converges to the truth: no ghost online, no lost session"): 3 clustered nodes, some hundred
// client sessions spread over them. `kill -STOP` one node (n2) for --freeze-ms; meanwhile sessions
// on the other nodes end (bye) and new ones open; `kill -CONT`; then a tech on every node queries
// every user every --poll-ms until every node's view equals the truth (a user with an open session
// is not offline, a user without one is offline). Reports the time from SIGCONT to convergence
// (per node and overall, and whether it held for --hold-ms more), and during the freeze how long
// the frozen node's users took to show offline on the others and how long the others took to
// agree on the churn.
//
//   node bench/cluster-convergence.mjs [--users 300] [--churn 20] [--freeze-ms 20000] [--poll-ms 100]
//                                      [--jar target/presence-hub.jar]
//
// Nodes n0, n1, n2 (frozen): HTTP 18190+, Hazelcast 18290+, a fresh cluster name per run, shipped
// failure timeout and grace unless --failure-timeout-ms / --grace-ms. The truth is what this
// script's sockets say: a session counts as open until its socket closes or it sent bye.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendResults, openSession, parseOptions, sourceAddress } from './loadgen/lib.mjs';
import { BENCH_SECRET } from './loadgen/hub.mjs';
import { Cluster, loadavg, logEvents, mono, sleep, jarInfo, timingOverrides } from './loadgen/cluster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseOptions('cluster-convergence.mjs', { options: {
  users: { type: 'string', default: '300' },
  churn: { type: 'string', default: '20' },
  'freeze-ms': { type: 'string', default: '20000' },
  'churn-at-ms': { type: 'string', default: '2000' },
  'poll-ms': { type: 'string', default: '100' },
  'hold-ms': { type: 'string', default: '5000' },
  'timeout-ms': { type: 'string', default: '120000' },
  'failure-timeout-ms': { type: 'string', default: '' },
  'grace-ms': { type: 'string', default: '' },
  'http-port': { type: 'string', default: '18190' },
  'hz-port': { type: 'string', default: '18290' },
  jar: { type: 'string', default: path.join(here, '..', 'target', 'presence-hub.jar') },
  xmx: { type: 'string', default: '2g' },
  results: { type: 'string', default: path.join(here, 'RESULTS.md') },
} });
const perNode = Math.max(1, Math.floor(Math.min(Number(opt.users), 600) / 3)); // a query asks for at most 1,000 users
const churn = Math.min(Number(opt.churn), perNode);
const freezeMs = Math.min(Number(opt['freeze-ms']), 120000);
const churnAtMs = Math.min(Number(opt['churn-at-ms']), freezeMs);
const pollMs = Math.max(20, Number(opt['poll-ms']));
const holdMs = Math.min(Number(opt['hold-ms']), 60000);
const timeoutMs = Math.min(Number(opt['timeout-ms']), 300000);
const jvmFlags = [`-Xmx${opt.xmx}`, '-XX:+UseG1GC'];
const tenant = 'bench';
const { env, timings } = timingOverrides(opt);

const machineBefore = loadavg();
const cluster = new Cluster({ jar: opt.jar, jvmFlags, size: 3, httpBase: Number(opt['http-port']),
  hzBase: Number(opt['hz-port']), env });

// ---- the truth: sessions this script holds ----
const sessions = new Map(); // user → {ws, node, open}
let addrSeq = 0;
async function openUser(user, node) {
  const s = { ws: null, node, open: false, closedBy: null };
  sessions.set(user, s);
  s.ws = await openSession({ url: cluster.nodes[node].url, secret: BENCH_SECRET, tenant, user, role: 'client',
    localAddress: sourceAddress(addrSeq++) });
  s.open = true;
  s.ws.on('close', (code) => { if (s.open) { s.open = false; s.closedBy = `hub close ${code}`; } });
  return s;
}
function bye(user) {
  const s = sessions.get(user);
  s.open = false; s.closedBy = 'bye';
  s.ws.send('{"type":"bye"}');
  setTimeout(() => s.ws.terminate(), 200);
}
/** Users whose record at a node differs from the truth, optionally only some users. */
function mismatches(records, only) {
  const bad = [];
  for (const [user, s] of sessions) {
    if (only && !only(user, s)) continue;
    const r = records.get(user);
    const shown = r ? r.status : 'missing';
    if (s.open ? shown === 'offline' || shown === 'missing' : shown !== 'offline') bad.push(`${user}:${shown}${s.open ? '(open)' : '(closed)'}`);
  }
  return bad;
}

// ---- one asker per node: query every user, over and over ----
class Asker {
  constructor(node) { this.node = node; this.seq = 0; this.replies = []; this.waiting = null; this.running = false; }
  async connect() {
    this.ws = await openSession({ url: cluster.nodes[this.node].url, secret: BENCH_SECRET, tenant,
      user: `asker-n${this.node}`, role: 'tech',
      onFrame: (f) => {
        if (f.type !== 'presence' || !this.waiting || f.id !== this.waiting.id) return;
        for (const u of f.updates) this.waiting.records.set(u.user, u);
        if (this.waiting.records.size >= this.waiting.n) {
          const w = this.waiting; this.waiting = null;
          this.replies.push({ at: mono(), sentAt: w.sentAt, records: w.records });
          w.resolve();
        }
      } });
  }
  ask() {
    const users = [...sessions.keys()];
    const id = `q${++this.seq}`;
    return new Promise((resolve) => {
      // A node frozen or merging may answer late; after 60 s the asker gives up on that query.
      const t = setTimeout(() => { if (this.waiting?.id === id) { this.waiting = null; resolve(); } }, 60000);
      this.waiting = { id, n: users.length, records: new Map(), sentAt: mono(), resolve: () => { clearTimeout(t); resolve(); } };
      this.ws.send(JSON.stringify({ type: 'query', id, users }));
    });
  }
  /** Polls every pollMs (never more than one query outstanding) until stop(). */
  start() {
    this.running = true;
    (async () => {
      while (this.running) {
        const t = mono();
        await this.ask();
        await sleep(Math.max(0, pollMs - (mono() - t)));
      }
    })();
  }
  stop() { this.running = false; }
  latest() { return this.replies[this.replies.length - 1]; }
}

const lines = [];
try {
  console.log(`starting 3 clustered nodes (${cluster.name}; logs in ${cluster.logDir}); ${timings}`);
  await cluster.startAll();
  for (let n = 0; n < 3; n++) {
    await Promise.all(Array.from({ length: perNode }, (_, i) => openUser(`u${n}-${i}`, n)));
  }
  const askers = [0, 1, 2].map((n) => new Asker(n));
  for (const a of askers) await a.connect();
  const nodeOk = (a, only) => { const r = a.latest(); return r && mismatches(r.records, only).length === 0; };
  askers.forEach((a) => a.start());
  let by = mono() + 30000;
  while (!askers.every((a) => nodeOk(a))) {
    if (mono() > by) throw new Error(`not converged before the freeze: ${askers.map((a) => `${a.node}: ${mismatches(a.latest()?.records ?? new Map()).slice(0, 5)}`).join('; ')}`);
    await sleep(pollMs);
  }
  console.log(`${sessions.size} client sessions (${perNode} per node) seen right by every node; freezing n2 for ${freezeMs} ms`);

  // ---- the freeze ----
  const frozenUsers = (u, s) => s.node === 2;
  const liveUsers = (u, s) => s.node !== 2;
  const stopAt = mono();
  const stopWall = Date.now();
  cluster.signal(2, 'SIGSTOP');
  const seen = { frozenOffline: [null, null], churnAgreed: [null, null] };
  let churnAt = null;
  const watchFreeze = (async () => {
    while (mono() - stopAt < freezeMs) {
      for (const n of [0, 1]) {
        const r = askers[n].latest();
        if (!r || r.sentAt < stopAt) continue;
        if (seen.frozenOffline[n] === null && [...sessions].filter(([u, s]) => frozenUsers(u, s)).every(([u]) => r.records.get(u)?.status === 'offline')) {
          seen.frozenOffline[n] = r.at - stopAt;
        }
        if (churnAt !== null && r.sentAt > churnAt && seen.churnAgreed[n] === null && mismatches(r.records, liveUsers).length === 0) {
          seen.churnAgreed[n] = r.at - churnAt;
        }
      }
      await sleep(pollMs / 2);
    }
  })();
  await sleep(churnAtMs);
  // Churn on the live nodes: byes, then new users.
  churnAt = mono();
  for (const n of [0, 1]) for (let i = 0; i < churn; i++) bye(`u${n}-${i}`);
  await Promise.all([0, 1].flatMap((n) => Array.from({ length: churn }, (_, i) => openUser(`new${n}-${i}`, n))));
  console.log(`churn: ${2 * churn} byes and ${2 * churn} new sessions on n0/n1 at +${(churnAt - stopAt).toFixed(0)} ms`);
  await watchFreeze;
  const liveMismatchAtCont = [0, 1].map((n) => mismatches(askers[n].latest().records, liveUsers).length);

  // ---- the thaw ----
  const contAt = mono();
  const contWall = Date.now();
  cluster.signal(2, 'SIGCONT');
  const convergedAt = [null, null, null];
  const lastBad = [null, null, null];
  // What each node got wrong after SIGCONT: ghosts (no session, shown not offline) and lost
  // sessions (open, shown offline), by the node the user's session is on.
  const wrong = [0, 1, 2].map(() => ({ ghost: 0, lost: 0, lostBy: [0, 0, 0], ghostBy: [0, 0, 0], until: null }));
  const classify = (n, r) => {
    const w = wrong[n];
    let ghost = 0; let lost = 0; const lostBy = [0, 0, 0]; const ghostBy = [0, 0, 0];
    for (const [user, st] of sessions) {
      const shown = r.records.get(user)?.status ?? 'missing';
      if (st.open && (shown === 'offline' || shown === 'missing')) { lost++; lostBy[st.node]++; }
      if (!st.open && shown !== 'offline') { ghost++; ghostBy[st.node]++; }
    }
    if (ghost + lost > 0) w.until = r.at - contAt;
    if (ghost > w.ghost) { w.ghost = ghost; w.ghostBy = ghostBy; }
    if (lost > w.lost) { w.lost = lost; w.lostBy = lostBy; }
  };
  const deadline = contAt + timeoutMs;
  let allAt = null;
  while (mono() < deadline) {
    for (const a of askers) {
      const r = a.latest();
      if (!r || r.sentAt < contAt) continue;
      const bad = mismatches(r.records);
      if (r !== a.classified) { a.classified = r; classify(a.node, r); }
      if (bad.length) { convergedAt[a.node] = null; lastBad[a.node] = { at: r.at - contAt, bad }; } else if (convergedAt[a.node] === null) convergedAt[a.node] = r.at - contAt;
    }
    if (convergedAt.every((x) => x !== null)) {
      if (allAt === null) allAt = Math.max(...convergedAt);
      if (mono() - contAt - allAt >= holdMs) break;
    } else {
      allAt = null;
    }
    await sleep(pollMs / 2);
  }
  askers.forEach((a) => a.stop());
  const held = allAt !== null && mono() - contAt - allAt >= holdMs;
  const closedByHub = [...sessions.values()].filter((s) => s.closedBy && s.closedBy !== 'bye');
  const ev = (n, re, since) => logEvents(cluster.nodes[n].log, re).filter((e) => e.at >= since).map((e) => e.at - since);
  const noticed = [0, 1].map((n) => ev(n, /left the cluster/, stopWall)[0]);
  const merged = [0, 1, 2].map((n) => ev(n, /cluster merged|is back: cancelling|MERGED/, contWall)[0]);
  const fmtMs = (x) => (x === null || x === undefined ? 'never' : `${Math.round(x)} ms`);

  lines.push(`3 clustered nodes on loopback; ${perNode} client sessions per node (${3 * perNode}) + one asker (tech) per node querying every user every ${pollMs} ms; ${timings}; load avg before ${machineBefore}`);
  lines.push(jarInfo(opt.jar));
  lines.push(`SIGSTOP n2 for ${freezeMs} ms; ${(churnAt - stopAt).toFixed(0)} ms in, ${churn} byes and ${churn} new sessions on each of n0 and n1`);
  lines.push(`during the freeze: n2's ${perNode} users all offline at n0 after ${fmtMs(seen.frozenOffline[0])}, at n1 after ${fmtMs(seen.frozenOffline[1])} (n0 logged n2 "left the cluster" after ${fmtMs(noticed[0])}, n1 after ${fmtMs(noticed[1])}); n0/n1 agreed with the truth on the churn after ${fmtMs(seen.churnAgreed[0])} / ${fmtMs(seen.churnAgreed[1])}; users of n0/n1 wrong at n0/n1 just before SIGCONT: ${liveMismatchAtCont.join(' / ')}`);
  lines.push(`after SIGCONT: n0 converged after ${fmtMs(convergedAt[0])}, n1 after ${fmtMs(convergedAt[1])}, n2 after ${fmtMs(convergedAt[2])} → every view equal to the truth ${fmtMs(allAt)} after SIGCONT${held ? `, and still equal ${holdMs} ms later` : ' — NOT CONVERGED (or not stable)'}`);
  lines.push(`wrong after SIGCONT (worst reply of each node): ${wrong.map((w, n) => (w.until === null ? `n${n} never` : `n${n} until +${Math.round(w.until)} ms, at most ${w.lost} open sessions shown offline (users on n0/n1/n2: ${w.lostBy.join('/')}) and ${w.ghost} ghosts shown online (users on n0/n1/n2: ${w.ghostBy.join('/')})`)).join('; ')}`);
  lines.push(`merge seen in the logs after SIGCONT ("cluster merged" / "is back"): n0 ${fmtMs(merged[0])}, n1 ${fmtMs(merged[1])}, n2 ${fmtMs(merged[2])}; sessions the hub closed meanwhile: ${closedByHub.length}${closedByHub.length ? ` (${closedByHub.slice(0, 3).map((s) => s.closedBy).join(', ')})` : ''}`);
  if (!held) {
    for (let n = 0; n < 3; n++) if (lastBad[n]) lines.push(`n${n} last wrong at +${Math.round(lastBad[n].at)} ms: ${lastBad[n].bad.length} users, e.g. ${lastBad[n].bad.slice(0, 8).join(', ')}`);
  }
  lines.forEach((l) => console.log(l));
  appendResults(opt.results, 'Convergence after a freeze (bench/cluster-convergence.mjs)', lines, `${jvmFlags.join(' ')} --cluster (per node)`);
} finally {
  for (const s of sessions.values()) { try { s.ws?.terminate(); } catch { /* gone */ } }
  await cluster.stopAll();
}
process.exit(0);
