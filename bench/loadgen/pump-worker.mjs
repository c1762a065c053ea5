// A child process for scenario 2 (activity throughput): opens `count` sessions and, on {cmd:'go'},
// keeps `inFlight` frames in flight on each — every reply (the hub's ack, or the echo) sends the
// next frame — for warmup + seconds, then reports the replies counted in the measured window.
// Parent → worker: {cmd:'go', warmupMs, measureMs}; worker → parent: {ready:n}, then
// {replies, others, ms}. Bounded: it stops sending at the end of the window and exits on {cmd:'exit'}.
import WebSocket from 'ws';
import { openMany, openSession, sourceAddress } from './lib.mjs';

const cfg = JSON.parse(process.argv[2]);
// mode 'hub': authenticated presence sessions, frames {"type":"activity","id":n}, replies are acks.
// mode 'echo': plain SockJS raw-WebSocket sessions, same frames, replies are the echoes.
function openEcho(i) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(cfg.url, { localAddress: sourceAddress(cfg.from + i), perMessageDeflate: false });
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('echo open timed out')); }, 30000);
    ws.on('open', () => { clearTimeout(timer); resolve(ws); });
    ws.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}
const sockets = await openMany(cfg.count, 200, (i) => (cfg.mode === 'hub'
  ? openSession({ url: cfg.url, secret: cfg.secret, tenant: cfg.tenant, user: `${cfg.prefix}${cfg.from + i}`,
    role: 'client', localAddress: sourceAddress(cfg.from + i) })
  : openEcho(i)));
process.send({ ready: sockets.length });

let sending = false;
let counting = false;
let replies = 0;
let others = 0;
let firstOther = null;

process.on('message', (msg) => {
  if (msg.cmd === 'go') {
    sending = true;
    for (const ws of sockets) {
      let n = 0;
      const next = () => ws.send(`{"type":"activity","id":${n++}}`);
      ws.removeAllListeners('message');
      ws.on('message', (data) => {
        // Byte 9 is the first letter of the type: 'a' for the hub's {"type":"ack",…} and for the
        // echoed {"type":"activity",…} alike, so both modes do the same (string-free) work.
        const c = data[9];
        if (c !== 97) {
          others++; if (firstOther === null) firstOther = data.toString();
          if (c !== 101) return; // not an error either: not a reply to one of ours
        } else if (counting) {
          replies++;
        }
        if (sending) next();
      });
      for (let k = 0; k < cfg.inFlight; k++) next();
    }
    let start = 0;
    setTimeout(() => { counting = true; start = performance.now(); }, msg.warmupMs);
    setTimeout(() => {
      counting = false; sending = false;
      process.send({ replies, others, firstOther, ms: performance.now() - start });
    }, msg.warmupMs + msg.measureMs);
  } else if (msg.cmd === 'exit') {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
