// The reference SockJS server (npm `sockjs`) echoing every message, prefix /echo, for scenario 2's
// optional peer runs (node bench/throughput.mjs --peers vertx,node).
//
//   node bench/loadgen/sockjs-echo.mjs [port]      (127.0.0.1 only)
import http from 'node:http';
import sockjs from 'sockjs';

const port = Number(process.argv[2] ?? 18092);
const echo = sockjs.createServer({ log: () => {} });
echo.on('connection', (conn) => {
  conn.on('data', (msg) => conn.write(msg));
  conn.on('error', () => {});
});
const server = http.createServer();
echo.installHandlers(server, { prefix: '/echo' });
server.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
process.on('SIGTERM', () => process.exit(0));
