// soketi 1.6.1 (npm `@soketi/soketi`, Pusher protocol on uWebSockets.js) as the peer of the hub in
// bench/sessions.mjs, bench/churn.mjs: started on 127.0.0.1 with an app id/key/secret generated for
// this run (kept in memory and in the child's environment, never in a file), and a Pusher-protocol
// presence-channel client over plain `ws` that signs its own subscriptions with the app secret, as
// a Pusher auth endpoint would (HMAC-SHA256 of "socket_id:channel:channel_data").
//
// uWebSockets.js comes from the `overrides` entry of bench/loadgen/package.json
// (@trufflesuite/uws-js-unofficial 20.30.0-unofficial.0): that package falls back to a pure-JS
// imitation when its native binary does not load, so startSoketi() reads the server's
// /proc/<pid>/maps and refuses to go on unless a native uws_*.node is mapped.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER = path.join(here, 'node_modules', '@soketi', 'soketi', 'bin', 'server.js');

/** A fresh Pusher app for one run: {id, key, secret} (random, never written anywhere). */
export function newApp() {
  return { id: `bench-${randomBytes(4).toString('hex')}`, key: randomBytes(10).toString('hex'), secret: randomBytes(24).toString('hex') };
}

/** The native uWebSockets.js binary mapped into a process, or null (the pure-JS fallback, or no uWS). */
export function nativeUws(pid) {
  const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
  const m = /\S*uws_[a-z0-9_]+\.node$/m.exec(maps);
  return m ? m[0] : null;
}

/**
 * Starts soketi on 127.0.0.1:port (its /ready, /usage endpoint on 127.0.0.1:metricsPort) with `app`,
 * waits until it is ready and checks that the native uWS is loaded. Returns the child process
 * (proc.native = the .node file). `maxMembers` raises soketi's members-per-presence-channel cap (100).
 */
export async function startSoketi({ port, metricsPort, app, maxMembers = 20000, env = {} }) {
  const childEnv = { ...process.env };
  delete childEnv.UWS_USE_FALLBACK;
  let log = '';
  const proc = spawn(process.execPath, [SERVER, 'start'], {
    cwd: here,
    env: {
      ...childEnv,
      SOKETI_HOST: '127.0.0.1',
      SOKETI_PORT: String(port),
      SOKETI_METRICS_HOST: '127.0.0.1',
      SOKETI_METRICS_SERVER_PORT: String(metricsPort),
      SOKETI_DEFAULT_APP_ID: app.id,
      SOKETI_DEFAULT_APP_KEY: app.key,
      SOKETI_DEFAULT_APP_SECRET: app.secret,
      SOKETI_PRESENCE_MAX_MEMBERS: String(maxMembers),
      SOKETI_DEFAULT_APP_MAX_CONNS: '-1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d) => { log = (log + d.toString()).slice(-4000); };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  proc.log = () => log;
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`soketi exited with ${proc.exitCode}:\n${log}`);
    try { if ((await fetch(`http://127.0.0.1:${metricsPort}/ready`)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (Date.now() >= deadline) { proc.kill('SIGKILL'); throw new Error(`soketi not ready within 60 s:\n${log}`); }
  const native = nativeUws(proc.pid);
  if (!native || /fall(ing)? ?back/i.test(log)) {
    proc.kill('SIGKILL');
    throw new Error(`soketi runs without the native uWebSockets.js (maps: ${native ?? 'no uws_*.node'}); refusing to measure the JS fallback:\n${log}`);
  }
  proc.native = native;
  return proc;
}

/** The Pusher auth signature of a presence subscription: "key:hex(HMAC-SHA256(secret, socket_id:channel:channel_data))". */
export function presenceAuth(app, socketId, channel, channelData) {
  return `${app.key}:${createHmac('sha256', app.secret).update(`${socketId}:${channel}:${channelData}`).digest('hex')}`;
}

/**
 * One Pusher-protocol connection subscribed to a presence channel as `user`: resolves with the
 * socket once pusher_internal:subscription_succeeded arrived (ws.subscribeSentAt = mono ms of the
 * subscribe). `onEvent(msg, monoMs)` sees every later event (member_added / member_removed …);
 * pusher:ping is answered with pusher:pong.
 */
export function openPusherSession({ url, app, channel, user, localAddress, onEvent }) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/app/${app.key}?protocol=7&client=js&version=8.4.0&flash=false`, { localAddress, perMessageDeflate: false });
    let subscribed = false;
    const timer = setTimeout(() => { ws.terminate(); reject(new Error(`no subscription_succeeded for ${user}`)); }, 30000);
    const fail = (e) => { if (!subscribed) { subscribed = true; clearTimeout(timer); ws.terminate(); reject(e); } };
    ws.on('message', (data) => {
      const at = Number(process.hrtime.bigint()) / 1e6;
      const msg = JSON.parse(data.toString());
      if (msg.event === 'pusher:ping') { ws.send('{"event":"pusher:pong","data":{}}'); return; }
      if (!subscribed) {
        if (msg.event === 'pusher:connection_established') {
          const socketId = JSON.parse(msg.data).socket_id;
          const channelData = JSON.stringify({ user_id: user, user_info: {} });
          ws.subscribeSentAt = Number(process.hrtime.bigint()) / 1e6;
          ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, auth: presenceAuth(app, socketId, channel, channelData), channel_data: channelData } }));
        } else if (msg.event === 'pusher_internal:subscription_succeeded') {
          subscribed = true; clearTimeout(timer); resolve(ws);
        } else if (/error/.test(msg.event)) {
          fail(new Error(`${user}: ${data}`));
        }
        return;
      }
      if (onEvent) onEvent(msg, at);
    });
    ws.on('error', fail);
    ws.on('close', (code) => fail(new Error(`${user}: closed ${code} before subscribing`)));
  });
}
