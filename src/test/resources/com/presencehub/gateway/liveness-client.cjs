// A portal client as a separate process, for the liveness tests (LivenessTest): it logs in over
// one transport and then only stays, so that the test can freeze it (SIGSTOP) or cut its network.
// It answers WebSocket pings by itself (faye-websocket, as browsers do) and, with --ping, sends
// {"type":"ping"} at the welcome's pingIntervalMs as presence-client.js does.
//
// Run with NODE_PATH=<repo>/e2e/node_modules:
//   node liveness-client.cjs <base-url> <transport> <token> [--ping]
// transport: raw-websocket | websocket | xhr-streaming | eventsource | xhr-polling
// Prints one line per event on stdout: "welcome <json>", "frame <json>", "close <code> <reason>".

'use strict';

const [base, transport, token, ...flags] = process.argv.slice(2);
const ping = flags.includes('--ping');
let pinger = null;
let pings = 0;

function out(line) {
  process.stdout.write(line + '\n');
}

function onFrame(text, send) {
  const f = JSON.parse(text);
  if (f.type === 'welcome') {
    out('welcome ' + text);
    if (ping) {
      pinger = setInterval(() => send(JSON.stringify({ type: 'ping', id: 'p' + (++pings) })), f.pingIntervalMs);
    }
  } else {
    out('frame ' + text);
  }
}

function onClose(code, reason) {
  clearInterval(pinger);
  out('close ' + code + ' ' + reason);
  process.exit(0);
}

const auth = JSON.stringify({ type: 'auth', token });
if (transport === 'raw-websocket') {
  const WebSocket = require('faye-websocket');
  const ws = new WebSocket.Client(base.replace(/^http/, 'ws') + '/presence/websocket');
  ws.on('open', () => ws.send(auth));
  ws.on('message', (e) => onFrame(e.data, (t) => ws.send(t)));
  ws.on('close', (e) => onClose(e.code, e.reason));
} else {
  const SockJS = require('sockjs-client');
  const sock = new SockJS(base + '/presence', null, { transports: [transport], timeout: 10000 });
  sock.onopen = () => {
    out('open ' + sock.transport);
    sock.send(auth);
  };
  sock.onmessage = (e) => onFrame(e.data, (t) => sock.send(t));
  sock.onclose = (e) => onClose(e.code, e.reason);
}
