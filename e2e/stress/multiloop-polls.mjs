// Many polls of real sockjs-client sessions against a hub with several gateway event loops
// (issue 15, MultiLoopPollsTest): CLIENTS_XHR xhr-polling and CLIENTS_STREAMING xhr-streaming
// clients log in, then each sends ping after ping (each pong ends a poll, so the client polls
// again, on whichever pooled connection, hence whichever loop). Runs until a line "stop" arrives
// on stdin or DURATION_MS passes, then checks that no client was closed meanwhile (a poll answered
// by a new session makes sockjs-client close with 1006 "Server lost session"), ends every session
// with bye, and prints one line: RESULT {json}.
//
//   HUB_URL=http://127.0.0.1:8080 CLIENTS_XHR=60 CLIENTS_STREAMING=12 DURATION_MS=80000 \
//     node e2e/stress/multiloop-polls.mjs

import { connect } from '../lib/hub.mjs';
import readline from 'node:readline';

const XHR = Number(process.env.CLIENTS_XHR ?? 60);
const STREAMING = Number(process.env.CLIENTS_STREAMING ?? 12);
const DURATION_MS = Number(process.env.DURATION_MS ?? 80_000);

const clients = [];
const specs = [
  ...Array.from({ length: XHR }, (_, i) => ['xhr-polling', `ml-x${i}`]),
  ...Array.from({ length: STREAMING }, (_, i) => ['xhr-streaming', `ml-s${i}`]),
];
// Log in a few at a time: a loaded machine opens sessions slowly.
for (let i = 0; i < specs.length; i += 8) {
  const batch = specs.slice(i, i + 8).map(([transport, user]) =>
    connect(transport, { tenant: 'acme', user, role: 'tech' }).then((hs) => clients.push(hs)));
  await Promise.all(batch);
}
console.log(`READY ${clients.length}`);

let stopping = false;
let pongs = 0;
const failures = [];
const stopped = new Promise((resolve) => {
  const timer = setTimeout(resolve, DURATION_MS);
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'stop') {
      clearTimeout(timer);
      resolve();
    }
  });
});

async function pingLoop(hs) {
  while (!stopping && !hs.closeEvent) {
    try {
      const reply = await hs.request({ type: 'ping' }, 15_000);
      if (reply.type !== 'pong') {
        failures.push(`${hs.label}: ping answered ${JSON.stringify(reply)}`);
        return;
      }
      pongs += 1;
    } catch (e) {
      failures.push(`${hs.label}: ${e.message}`);
      return;
    }
  }
}

const loops = clients.map(pingLoop);
await stopped;
stopping = true;
await Promise.all(loops);
const closedEarly = clients.filter((hs) => hs.closeEvent)
  .map((hs) => `${hs.label} (${hs.transport}): ${hs.closeEvent.code} ${hs.closeEvent.reason}`);
const byes = await Promise.all(clients.filter((hs) => !hs.closeEvent).map((hs) => hs.bye().then(
  (ev) => ev.code, (e) => `bye failed: ${e.message}`)));
const badByes = byes.filter((c) => typeof c !== 'number' || c >= 4000);
console.log(`RESULT ${JSON.stringify({
  clients: clients.length, xhr: XHR, streaming: STREAMING, pongs, closedEarly, failures: failures.slice(0, 10),
  failureCount: failures.length, badByes: badByes.slice(0, 10),
})}`);
process.exit(0);
