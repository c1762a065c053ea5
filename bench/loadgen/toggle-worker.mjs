// A child process for bench/cluster-propagation.mjs: holds `count` tech sessions and, on
// {cmd:'go'}, toggles them away/online open-loop on a fixed schedule (it never waits for replies).
//
// Parent → worker: {cmd:'go', start, rate, slot, slots, ms}: the worker's k-th send is due at
//   start + (k*slots + slot) * 1000/rate (ms on CLOCK_MONOTONIC, shared by every process here), so
//   `slots` workers together send `rate` frames/s evenly interleaved; send k goes to session
//   k % count, which alternates {"type":"presence.set","status":"away"} / "online".
//   {cmd:'exit'} closes everything.
// Worker → parent: {ready:n}; after each go {done, sends:[[t…] per session], lag:{…}, errors, firstError}
//   where t is the mono time just before ws.send.
import { openMany, openSession, sourceAddress } from './lib.mjs';

const cfg = JSON.parse(process.argv[2]);
const mono = () => Number(process.hrtime.bigint()) / 1e6;

const sockets = await openMany(cfg.count, 200, (i) => openSession({
  url: cfg.url, secret: cfg.secret, tenant: cfg.tenant, user: `${cfg.prefix}${cfg.from + i}`,
  role: 'tech', localAddress: sourceAddress(cfg.from + i),
}));
let errors = 0;
let firstError = null;
for (const ws of sockets) {
  ws.removeAllListeners('message');
  // Replies are {"type":"ack",…} and the session's own {"type":"presence",…}: byte 9 is the type's
  // first letter, so only errors ('e') get decoded.
  ws.on('message', (data) => {
    if (data[9] === 101) { errors++; if (firstError === null) firstError = data.toString(); }
  });
}
const toggles = new Array(sockets.length).fill(0); // per session, kept across rounds: parity = state
const AWAY = '{"type":"presence.set","status":"away"}';
const ONLINE = '{"type":"presence.set","status":"online"}';
process.send({ ready: sockets.length });

process.on('message', (msg) => {
  if (msg.cmd === 'exit') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
  if (msg.cmd !== 'go') return;
  const period = (1000 * msg.slots) / msg.rate;
  const offset = (1000 * msg.slot) / msg.rate;
  const all = Math.round((msg.ms * msg.rate) / 1000); // sends of every worker together
  const total = msg.slot < all ? Math.ceil((all - msg.slot) / msg.slots) : 0;
  const sends = sockets.map(() => []);
  const lags = new Float64Array(total);
  const firstAway = toggles.map((t) => t % 2 === 0);
  let k = 0;
  const due = (j) => msg.start + offset + j * period;
  function tick() {
    let now = mono();
    while (k < total && due(k) <= now) {
      const u = k % sockets.length;
      const frame = toggles[u]++ % 2 === 0 ? AWAY : ONLINE;
      now = mono();
      sends[u].push(Math.round(now * 1000) / 1000);
      lags[k] = now - due(k);
      sockets[u].send(frame);
      k++;
    }
    if (k < total) {
      setTimeout(tick, Math.max(0, Math.min(1, due(k) - mono())));
    } else {
      const sorted = Array.from(lags).sort((a, b) => a - b);
      const q = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
      process.send({ done: total, sends, firstAway, errors, firstError,
        lag: { p50: q(50), p99: q(99), max: sorted[sorted.length - 1] ?? 0 } });
      errors = 0; firstError = null;
    }
  }
  setTimeout(tick, Math.max(0, msg.start - mono()));
});
