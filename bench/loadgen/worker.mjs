// A child process holding a slice of the benchmark's sessions (the fd cap is per process).
// Parent → worker: {cmd:'activity', at} sends one activity frame on every session at `at`;
// {cmd:'exit'} closes everything. Worker → parent: {ready:n} once every session is welcomed.
// cfg.protocol 'pusher' (soketi peer): Pusher presence-channel sessions instead, the app
// ({id,key,secret}) from the environment variable BENCH_PUSHER_APP (never a file), user i in channel
// presence-<prefix><floor(i / membersPerChannel)>.
import { openMany, openSession, sourceAddress } from './lib.mjs';
import { openPusherSession } from './soketi.mjs';

const cfg = JSON.parse(process.argv[2]);
const app = cfg.protocol === 'pusher' ? JSON.parse(process.env.BENCH_PUSHER_APP) : null;
const sockets = await openMany(cfg.count, 200, (i) => (cfg.protocol === 'pusher'
  ? openPusherSession({ url: cfg.url, app, user: `${cfg.prefix}${cfg.from + i}`,
    channel: `presence-${cfg.prefix}${Math.floor((cfg.from + i) / (cfg.membersPerChannel ?? 1))}`,
    localAddress: sourceAddress(cfg.from + i) })
  : openSession({
    url: cfg.url, secret: cfg.secret, tenant: cfg.tenant, user: `${cfg.prefix}${cfg.from + i}`,
    role: cfg.role, localAddress: sourceAddress(cfg.from + i), echo: Boolean(cfg.echo), deflate: Boolean(cfg.deflate),
  })));
process.send({ ready: sockets.length });

process.on('message', (msg) => {
  if (msg.cmd === 'activity') {
    setTimeout(() => {
      const frame = JSON.stringify({ type: 'activity' });
      for (const ws of sockets) ws.send(frame);
      process.send({ sent: sockets.length, at: Date.now() });
    }, Math.max(0, msg.at - Date.now()));
  } else if (msg.cmd === 'exit') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
