// Shared pieces of the load generator: tokens, raw-WebSocket presence sessions, stats, results.
import WebSocket from 'ws';
import jwt from 'jsonwebtoken';
import { execSync } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';

export function token(secret, tenant, user, role, ttlSeconds = 3600) {
  return jwt.sign({ sub: user, tenant, role }, secret, { algorithm: 'HS256', expiresIn: ttlSeconds });
}

/**
 * Opens one authenticated session over the raw WebSocket URL (no SockJS framing: the cheapest
 * transport, so the figures are the hub's, not the framing's). Resolves with the socket once the
 * welcome frame arrived; `onFrame` sees every later frame.
 */
export function openSession({ url, secret, tenant, user, role, localAddress, onFrame, echo = false, deflate = false }) {
  return new Promise((resolve, reject) => {
    // deflate: offer permessage-deflate as browsers do (the load generator's default is not to).
    const ws = new WebSocket(url, { localAddress, perMessageDeflate: deflate });
    let welcomed = false;
    const timer = setTimeout(() => { ws.terminate(); reject(new Error(`no welcome for ${user}`)); }, 30000);
    ws.on('open', () => {
      const frame = JSON.stringify({ type: 'auth', token: token(secret, tenant, user, role) });
      ws.authSentAt = Number(process.hrtime.bigint()) / 1e6; // CLOCK_MONOTONIC ms, for churn latencies
      ws.send(frame);
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (!welcomed) {
        // Against an echo server (peer runs) the auth frame coming back is the round trip.
        const ok = echo ? frame.type === 'auth' : frame.type === 'welcome';
        if (!ok) { clearTimeout(timer); reject(new Error(`${user}: ${data}`)); return; }
        welcomed = true; clearTimeout(timer); resolve(ws); return;
      }
      if (onFrame) onFrame(frame, Date.now());
    });
    ws.on('error', (e) => { if (!welcomed) { clearTimeout(timer); reject(e); } });
  });
}

/** Opens `count` sessions with at most `inFlight` handshakes at a time. */
export async function openMany(count, inFlight, open) {
  const sockets = new Array(count);
  let next = 0;
  async function lane() {
    while (next < count) {
      const i = next++;
      sockets[i] = await open(i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  return sockets;
}

/** Loopback source addresses 127.0.0.2…, so no single address runs out of ephemeral ports. */
export function sourceAddress(i, spread = 8) {
  return `127.0.0.${2 + (i % spread)}`;
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)];
}

/** Appends a dated, attributed block of figures to bench/RESULTS.md. */
export function appendResults(file, scenario, lines, jvmFlags) {
  let commit = 'unknown';
  try { commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(); } catch { /* not a checkout */ }
  if (!existsSync(file)) {
    writeFileSync(file, '# Benchmark results\n\nAppended by the scenarios in bench/ (see bench/README.md); newest last.\n');
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const block = [
    '',
    `## ${scenario} — ${new Date().toISOString()}`,
    '',
    `- commit ${commit}; nproc ${os.cpus().length} (${cpu}); ${Math.round(os.totalmem() / 2 ** 30)} GiB; node ${process.version}`,
    `- hub JVM flags: ${jvmFlags}`,
    ...lines.map((l) => `- ${l}`),
    '',
  ].join('\n');
  appendFileSync(file, block);
}

/**
 * A bad option of bench/<script>: `bench/<script>: <message>` on stderr and exit 2. Its message
 * alone: a stack trace says nothing a user can act on.
 */
export function refuse(script, message) {
  console.error(`bench/${script}: ${message}`);
  process.exit(2);
}

/**
 * node:util parseArgs(config), whose own errors (an unknown option, a missing value, a value such
 * as -1 that looks like an option) are refused as above, on one line (some of Node's span three);
 * any other error (a bad config) is thrown.
 */
export function parseOptions(script, config) {
  try {
    return parseArgs(config);
  } catch (e) {
    if (!String(e.code).startsWith('ERR_PARSE_ARGS_')) throw e;
    return refuse(script, e.message.replace(/\s*\n\s*/g, ' '));
  }
}
