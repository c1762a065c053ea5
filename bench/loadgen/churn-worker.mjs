// A child process for bench/churn.mjs: open-loop joins and leaves. On {cmd:'go', start, rate, slot,
// slots, ms, lifetimeMs, run}: join k of this worker is due at start + (k*slots + slot) * 1000/rate
// (CLOCK_MONOTONIC ms, shared by every process here) and opens a new session for user
// `${prefix}${run}-${slot}-${k}` (hub: connect + auth; soketi: connect + signed presence subscribe to
// cfg.channel); lifetimeMs after it was due (or once open, if later) the session leaves (hub: `bye`
// then close; soketi: close). Sessions are never waited on before the next join (open loop).
// Worker → parent: {ready:0} at start; {done, events:[[user, joinAt, leaveAt]…], errors, firstError, lag}
// where joinAt = auth / subscribe sent, leaveAt = bye sent / close.
import { openSession, sourceAddress } from './lib.mjs';
import { openPusherSession } from './soketi.mjs';

const cfg = JSON.parse(process.argv[2]);
const app = cfg.protocol === 'pusher' ? JSON.parse(process.env.BENCH_PUSHER_APP) : null;
const mono = () => Number(process.hrtime.bigint()) / 1e6;
process.send({ ready: 0 });

process.on('message', (msg) => {
  if (msg.cmd === 'exit') process.exit(0);
  if (msg.cmd !== 'go') return;
  const period = (1000 * msg.slots) / msg.rate;
  const offset = (1000 * msg.slot) / msg.rate;
  const all = Math.round((msg.ms * msg.rate) / 1000);
  const total = msg.slot < all ? Math.ceil((all - msg.slot) / msg.slots) : 0;
  const due = (j) => msg.start + offset + j * period;
  const events = [];
  const lags = [];
  let errors = 0; let firstError = null; let finished = 0; let k = 0;
  const finish = () => {
    if (++finished < total) return;
    lags.sort((a, b) => a - b);
    process.send({ done: total, events, errors, firstError,
      lag: { p50: lags[Math.floor(lags.length / 2)] ?? 0, p99: lags[Math.floor(lags.length * 0.99)] ?? 0, max: lags[lags.length - 1] ?? 0 } });
  };
  const fail = (e) => { errors++; if (!firstError) firstError = String(e.message ?? e); finish(); };
  function join(j) {
    const user = `${cfg.prefix}${msg.run}-${msg.slot}-${j}`;
    const localAddress = sourceAddress(j * msg.slots + msg.slot);
    const opened = cfg.protocol === 'pusher'
      ? openPusherSession({ url: cfg.url, app, channel: cfg.channel, user, localAddress })
      : openSession({ url: cfg.url, secret: cfg.secret, tenant: cfg.tenant, user, role: 'client', localAddress });
    opened.then((ws) => {
      const joinAt = cfg.protocol === 'pusher' ? ws.subscribeSentAt : ws.authSentAt;
      setTimeout(() => {
        const leaveAt = mono();
        if (cfg.protocol !== 'pusher') ws.send('{"type":"bye"}');
        ws.close();
        events.push([user, joinAt, leaveAt]);
        finish();
      }, Math.max(0, due(j) + msg.lifetimeMs - mono()));
    }, fail);
  }
  function tick() {
    const now = mono();
    while (k < total && due(k) <= now) { lags.push(now - due(k)); join(k); k++; }
    if (k < total) setTimeout(tick, Math.max(0, Math.min(1, due(k) - mono())));
  }
  if (total === 0) { process.send({ done: 0, events, errors, firstError, lag: { p50: 0, p99: 0, max: 0 } }); return; }
  setTimeout(tick, Math.max(0, msg.start - mono()));
});
