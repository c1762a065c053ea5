// A child process holding a slice of the benchmark's sessions (the fd cap is per process).
// Parent → worker: {cmd:'activity', at} sends one activity frame on every session at `at`;
// {cmd:'exit'} closes everything. Worker → parent: {ready:n} once every session is welcomed.
import { openMany, openSession, sourceAddress } from './lib.mjs';

const cfg = JSON.parse(process.argv[2]);
const sockets = await openMany(cfg.count, 200, (i) => openSession({
  url: cfg.url, secret: cfg.secret, tenant: cfg.tenant, user: `${cfg.prefix}${cfg.from + i}`,
  role: cfg.role, localAddress: sourceAddress(cfg.from + i), echo: Boolean(cfg.echo),
}));
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
