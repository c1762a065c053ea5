// A loopback TCP proxy the browser tests control: pages reach the hub through it, and the test
// cuts it to cause an outage (every connection dropped, new ones refused) and restores it later.

import net from 'node:net';

export class TcpProxy {
  /** Forwards 127.0.0.1:<port> to 127.0.0.1:targetPort once started. */
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.port = 0;
    this.server = null;
    this.sockets = new Set();
  }

  /** Listens (on a free port the first time, on the same port after a cut); resolves with the port. */
  async start() {
    const server = net.createServer((client) => this.#forward(client));
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = server.address().port;
    return this.port;
  }

  /** The outage: stops listening (connections are refused) and drops every open connection. */
  async cut() {
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const s of this.sockets) {
      s.destroy();
    }
    this.sockets.clear();
    await closed;
  }

  /** Ends the outage: listens again on the same port. */
  restore() {
    return this.start();
  }

  async close() {
    await this.cut();
  }

  #forward(client) {
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      s.on('close', () => {
        this.sockets.delete(s);
        (s === client ? upstream : client).destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
