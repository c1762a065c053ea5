// A child process for bench/fanout.mjs. cfg.role:
// - 'watch': holds `count` watcher sessions (hub: client sessions with {"type":"subscribe",
//   "roster":"tech"}; bare: raw WebSocket to FanoutBare sending "sub"). Every change frame
//   ({"type":"presence"} without an id) is parsed; the k-th update of user u at a socket is "u#k".
//   {cmd:'count', on:true|false} starts / stops counting; {cmd:'report'} → {report:true, updates,
//   frames, all (also uncounted), keys:{"u#k": [sockets that got it, latest arrival (mono ms)]}}
//   where k counts from the socket's first change of u, counted or not.
// - 'pub': holds `count` tech sessions (hub: role tech; bare: "pub"); {cmd:'go', start, rate, ms}
//   toggles them away/online round-robin open-loop at `rate`/s (hub: presence.set; bare: the frame
//   the hub would send, from cfg.template, with user and status filled in) and reports
//   {done, sends:{user:{base: sends of earlier rounds, times:[mono ms…]}}, lagP99}.
// Parent → worker {cmd:'exit'} closes everything. Worker → parent {ready:n} once open.
import WebSocket from 'ws';
import { openMany, openSession, sourceAddress } from './lib.mjs';

const cfg = JSON.parse(process.argv[2]);
const mono = () => Number(process.hrtime.bigint()) / 1e6;
const hub = cfg.target === 'hub';

function openBare(i, role) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(cfg.url, { localAddress: sourceAddress(cfg.from + i), perMessageDeflate: false });
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('open timed out')); }, 30000);
    ws.on('open', () => { clearTimeout(timer); ws.send(role); resolve(ws); });
    ws.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

const keys = new Map();
let counting = false; let updates = 0; let frames = 0; let sample = null; let all = 0;
const user = (i) => `${cfg.prefix}${cfg.from + i}`;
const sockets = await openMany(cfg.count, 200, (i) => (hub
  ? openSession({ url: cfg.url, secret: cfg.secret, tenant: cfg.tenant, user: user(i), role: cfg.role === 'pub' ? 'tech' : 'client',
    localAddress: sourceAddress(cfg.from + i) })
  : openBare(i, cfg.role === 'pub' ? 'pub' : 'sub')));
if (cfg.role === 'watch') {
  for (const ws of sockets) {
    const seen = new Map();
    ws.removeAllListeners('message');
    if (hub) ws.send('{"type":"subscribe","roster":"tech","id":"r"}');
    ws.on('message', (data) => {
      const at = mono();
      const f = JSON.parse(data.toString());
      if (f.type !== 'presence' || f.id !== undefined) return;
      // The k-th update of a user at this socket since it opened: matched with the tech's k-th send.
      for (const u of f.updates) {
        const k = (seen.get(u.user) ?? 0);
        seen.set(u.user, k + 1);
        all++;
        if (!counting) continue;
        updates++;
        const key = `${u.user}#${k}`;
        const e = keys.get(key);
        if (e) { e[0]++; if (at > e[1]) e[1] = at; } else keys.set(key, [1, at]);
      }
      if (!counting) return;
      frames++;
      if (sample === null && f.updates.length === 1) sample = data.toString();
    });
  }
}
const state = new Array(sockets.length).fill(false); // per tech, kept across rounds: false = online now → next is away
const sentBefore = new Array(sockets.length).fill(0); // per tech: sends of earlier rounds
process.send({ ready: sockets.length });

process.on('message', (msg) => {
  if (msg.cmd === 'exit') { for (const ws of sockets) ws.terminate(); process.exit(0); }
  if (msg.cmd === 'count') counting = msg.on;
  if (msg.cmd === 'report') process.send({ report: true, all, updates, frames, sample, keys: Object.fromEntries(keys) });
  if (msg.cmd !== 'go') return;
  const period = 1000 / msg.rate;
  const total = Math.round((msg.ms * msg.rate) / 1000);
  const sends = {};
  const lags = [];
  let k = 0;
  function tick() {
    const now = mono();
    while (k < total && msg.start + k * period <= now) {
      const i = k % sockets.length;
      const status = state[i] ? 'online' : 'away';
      state[i] = !state[i];
      const frame = hub ? `{"type":"presence.set","status":"${status}"}`
        : cfg.template.replace('__USER__', user(i)).replace('__STATUS__', status).replace('__SINCE__', String(Date.now()));
      lags.push(now - (msg.start + k * period));
      (sends[user(i)] ??= { base: sentBefore[i], times: [] }).times.push(mono());
      sentBefore[i]++;
      sockets[i].send(frame);
      k++;
    }
    if (k < total) setTimeout(tick, Math.max(0, Math.min(5, msg.start + k * period - mono())));
    else { lags.sort((a, b) => a - b); process.send({ done: total, sends, lagP99: lags[Math.floor(lags.length * 0.99)] ?? 0 }); }
  }
  setTimeout(tick, Math.max(0, msg.start - mono()));
});
