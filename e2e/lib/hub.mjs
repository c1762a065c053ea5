// Helpers for driving a real presence-hub node with the real sockjs-client.
//
// Everything waits on conditions with deadlines: a frame that should come is awaited with
// nextFrame()/nextUpdate(), and a frame that must NOT come is checked with expectNoUpdate() over
// an explicit window (that window is the behaviour under test, e.g. the offline grace).

import { AssertionError } from 'node:assert';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import SockJS from 'sockjs-client';

// ---- configuration (from the environment) ----------------------------------------------------

function envInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const n = Number.parseInt(raw, 10);
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  }
  return n;
}

const rawUrl = process.env.HUB_URL;
if (!rawUrl) {
  throw new Error('HUB_URL is not set: point it at a running hub with dev tokens on, e.g. HUB_URL=http://127.0.0.1:8080');
}
/** Base URL of the hub, e.g. http://127.0.0.1:8080 (no trailing slash). */
export const HUB_URL = rawUrl.replace(/\/+$/, '');

/**
 * The hub a transport's tests connect to: HUB_URL_<TRANSPORT> (e.g. HUB_URL_XHR_POLLING) when
 * set, else HUB_URL.
 */
export function hubUrl(transport) {
  const own = process.env[`HUB_URL_${transport.toUpperCase().replace(/-/g, '_')}`];
  return own ? own.replace(/\/+$/, '') : HUB_URL;
}
/** The hub's idleTimeoutMs. */
export const IDLE_MS = envInt('HUB_IDLE_MS', 1500);
/** The hub's offlineGraceMs. */
export const GRACE_MS = envInt('HUB_GRACE_MS', 1000);
/** The hub's authTimeoutMs; when unset, the auth-timeout test is skipped. */
export const AUTH_TIMEOUT_MS = process.env.HUB_AUTH_TIMEOUT_MS ? envInt('HUB_AUTH_TIMEOUT_MS', 0) : null;
/** The hub's maxFrameBytes. */
export const MAX_FRAME_BYTES = envInt('HUB_MAX_FRAME_BYTES', 65536);
/** How long to wait for something that should happen "now" (generous: shared 2-core machines). */
export const DEADLINE_MS = envInt('HUB_DEADLINE_MS', 8000);
/** Extra allowance on top of a contractual bound for delivery to the client over loopback. */
export const SLACK_MS = envInt('HUB_SLACK_MS', 2000);
/** Tolerance between the hub's clock and ours (same machine: only rounding). */
export const CLOCK_TOLERANCE_MS = 10;
/** The transports the suite runs on; HUB_TRANSPORTS (comma-separated) narrows them. */
export const TRANSPORTS = (process.env.HUB_TRANSPORTS ?? 'websocket,xhr-streaming,xhr-polling')
  .split(',').map((s) => s.trim()).filter(Boolean);

// ---- HTTP connections ------------------------------------------------------------------------

/**
 * Sends one xhr-polling request (which opens a SockJS session and is answered with the open
 * frame) on a raw HTTP/1.1 connection, reads the whole response, then watches the connection for
 * windowMs. Resolves with {status, headers, body, closedByServerAfterMs} (null when it stayed open).
 */
export function pollConnectionFate(base, windowMs = 500) {
  const url = new URL(base);
  const path = `/presence/000/${uid('ka').replace(/[^a-z0-9]/gi, '')}/xhr`;
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(url.port || 80), url.hostname);
    let buf = '';
    let parsed = null;
    let doneAt = 0;
    let timer;
    const finish = (closedAfter) => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ ...parsed, closedByServerAfterMs: closedAfter });
    };
    sock.setEncoding('latin1');
    sock.on('error', reject);
    sock.on('data', (chunk) => {
      buf += chunk;
      if (parsed) {
        return;
      }
      const headEnd = buf.indexOf('\r\n\r\n');
      if (headEnd < 0) {
        return;
      }
      const [statusLine, ...lines] = buf.slice(0, headEnd).split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => {
        const i = l.indexOf(':');
        return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()];
      }));
      const rawBody = buf.slice(headEnd + 4);
      // A complete response: Content-Length bytes, or a chunked body ending with the zero-size chunk.
      const length = headers['content-length'];
      if (length !== undefined ? rawBody.length < Number(length) : !buf.endsWith('0\r\n\r\n')) {
        return;
      }
      const body = length !== undefined ? rawBody.slice(0, Number(length)) : dechunk(rawBody);
      parsed = { status: Number(statusLine.split(' ')[1]), headers, body };
      doneAt = Date.now();
      timer = setTimeout(() => finish(null), windowMs);
    });
    sock.on('end', () => {
      if (!parsed) {
        reject(new Error(`connection closed before a complete response: ${JSON.stringify(buf)}`));
        return;
      }
      finish(Date.now() - doneAt);
    });
    sock.write(`POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: 0\r\n\r\n`);
  });
}

/** The payload of a complete chunked HTTP/1.1 body. */
function dechunk(raw) {
  let out = '';
  let rest = raw;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) {
      return out;
    }
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** One POST to a SockJS xhr-polling URL on its own connection; resolves with the body, or 'ERR …'. */
function pollOnce(url, holdMs) {
  return new Promise((resolve) => {
    let timer;
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'Content-Length': 0 } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => { clearTimeout(timer); resolve(body); });
    });
    req.on('error', (e) => { clearTimeout(timer); resolve(`ERR ${e.message}`); });
    if (holdMs) {
      timer = setTimeout(() => { req.destroy(); resolve('(held)'); }, holdMs);
    }
    req.end();
  });
}

/**
 * Opens `sessions` SockJS sessions with xhr-polling (raw HTTP, one connection per request, as
 * browsers without keep-alive do) and polls each a second time right after the open frame. The
 * second poll of a live session that has nothing to say is held by the hub (a long poll); an open
 * frame `o` instead means the hub lost the session and made a new one under the same id.
 * Resolves with {sessions, lost, samples}.
 */
export async function pollSessionSurvival(base, { sessions = 500, concurrency = 16, holdMs = 300 } = {}) {
  let lost = 0;
  const samples = [];
  for (let done = 0; done < sessions; done += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, sessions - done) }, async () => {
      const url = `${base}/presence/000/${uid('ps').replace(/[^a-z0-9]/gi, '')}/xhr`;
      const first = await pollOnce(url, 0);
      if (!first.startsWith('o')) {
        throw new Error(`first poll of ${url} answered ${JSON.stringify(first)}`);
      }
      const second = await pollOnce(url, holdMs);
      if (second.startsWith('o')) {
        lost += 1;
        samples.push(url);
      }
    });
    await Promise.all(batch);
  }
  return { sessions, lost, samples: samples.slice(0, 3) };
}

// ---- ids and tokens --------------------------------------------------------------------------

const RUN = `${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}`;
let idSeq = 0;

/** A fresh id, unique across tests, files and runs against the same hub. */
export function uid(prefix) {
  idSeq += 1;
  return `${prefix}-${RUN}-${idSeq}`;
}

/** Mints a token with the hub's dev endpoint (GET /dev/token). */
export async function mintToken({ tenant, user, role, name, ttl }, base = HUB_URL) {
  const q = new URLSearchParams({ tenant, user, role });
  if (name) {
    q.set('name', name);
  }
  if (ttl) {
    q.set('ttl', String(ttl));
  }
  const res = await fetch(`${base}/dev/token?${q}`);
  const body = await res.text();
  if (res.status !== 200) {
    throw new Error(`GET /dev/token answered ${res.status}: ${body} (is devTokens on?)`);
  }
  const { token } = JSON.parse(body);
  if (typeof token !== 'string' || token.split('.').length !== 3) {
    throw new Error(`GET /dev/token returned no JWT: ${body}`);
  }
  return token;
}

function b64url(value) {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** A well-formed HS256 JWT with valid claims, signed with a secret the hub does not know. */
export function foreignToken({ tenant, user, role }) {
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: user, tenant, role, iat: now, exp: now + 3600 })}`;
  const sig = createHmac('sha256', 'not-the-hub-secret-0123456789abcdef0123456789').update(head).digest('base64url');
  return `${head}.${sig}`;
}

/** The same token with its signature altered (claims untouched). */
export function tamperedToken(token) {
  const [h, p, s] = token.split('.');
  const flipped = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  return `${h}.${p}.${flipped}`;
}

// ---- a SockJS connection as promises ---------------------------------------------------------

const openSockets = new Set();

function timeoutError(message) {
  const e = new AssertionError({ message });
  e.timedOut = true;
  return e;
}

/**
 * One SockJS connection. Received frames are kept in a queue until a nextFrame() consumes them;
 * presence changes (presence frames without an id) are also split into records in a second queue
 * for nextUpdate(). Every frame gets a non-enumerable receivedAt (epoch ms).
 */
export class HubSocket {
  /** Opens a connection on exactly one transport; resolves once SockJS reports it open. */
  static open(transport, label = transport, timeoutMs = DEADLINE_MS + 2000) {
    return new Promise((resolve, reject) => {
      const hs = new HubSocket(transport, label);
      const timer = setTimeout(() => {
        hs.sock.close();
        reject(timeoutError(`${label}: SockJS (${transport}) did not open within ${timeoutMs} ms`));
      }, timeoutMs);
      hs.sock.onopen = () => {
        clearTimeout(timer);
        hs.openedAt = Date.now();
        resolve(hs);
      };
      hs.onCloseBeforeOpen = (ev) => {
        clearTimeout(timer);
        reject(new Error(`${label}: SockJS (${transport}) closed before opening: ${ev.code} ${ev.reason}`));
      };
    });
  }

  constructor(transport, label) {
    this.transport = transport;
    this.label = label;
    this.log = [];
    this.closeEvent = null;
    this.welcome = null;
    this.frameQueue = [];
    this.updateQueue = [];
    this.waiters = new Set();
    this.requestSeq = 0;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.url = `${hubUrl(transport)}/presence`;
    // sockjs-client's own connect timeout is derived from the /info round trip (a few hundred ms on
    // loopback), too short for a loaded build machine: give it the suite's deadline instead.
    this.sock = new SockJS(this.url, null, { transports: [transport], timeout: DEADLINE_MS });
    openSockets.add(this);
    this.sock.onmessage = (ev) => this.onMessage(ev.data);
    this.sock.onclose = (ev) => this.onClose(ev);
  }

  onMessage(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      frame = { type: '<not json>', raw: String(data) };
    }
    const at = Date.now();
    Object.defineProperty(frame, 'receivedAt', { value: at, enumerable: false });
    this.log.push(frame);
    this.frameQueue.push(frame);
    if (frame.type === 'presence' && frame.id === undefined && Array.isArray(frame.updates)) {
      for (const r of frame.updates) {
        Object.defineProperty(r, 'receivedAt', { value: at, enumerable: false });
        this.updateQueue.push(r);
      }
    }
    for (const w of [...this.waiters]) {
      const i = w.queue.findIndex(w.pred);
      if (i >= 0) {
        this.settle(w);
        w.resolve(w.queue.splice(i, 1)[0]);
      }
    }
  }

  onClose(ev) {
    const wasOpen = this.openedAt !== undefined;
    this.closeEvent = { code: ev.code, reason: ev.reason, wasClean: ev.wasClean, at: Date.now() };
    openSockets.delete(this);
    this.resolveClosed(this.closeEvent);
    if (!wasOpen && this.onCloseBeforeOpen) {
      this.onCloseBeforeOpen(ev);
    }
    for (const w of [...this.waiters]) {
      this.settle(w);
      w.reject(new AssertionError({
        message: `${this.label}: socket closed (${ev.code} ${ev.reason}) while waiting for ${w.what}; received: ${this.recent()}`,
      }));
    }
  }

  settle(w) {
    clearTimeout(w.timer);
    this.waiters.delete(w);
  }

  /** The last frames received, for failure messages. */
  recent(n = 8) {
    const tail = this.log.slice(-n).map((f) => JSON.stringify(f));
    return tail.length ? tail.join(' | ') : '(nothing)';
  }

  take(queue, pred, timeoutMs, what) {
    const i = queue.findIndex(pred);
    if (i >= 0) {
      return Promise.resolve(queue.splice(i, 1)[0]);
    }
    if (this.closeEvent) {
      return Promise.reject(new AssertionError({
        message: `${this.label}: socket already closed (${this.closeEvent.code}) and no ${what} received; received: ${this.recent()}`,
      }));
    }
    return new Promise((resolve, reject) => {
      const w = { queue, pred, resolve, reject, what };
      w.timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(timeoutError(`${this.label} (${this.transport}): no ${what} within ${timeoutMs} ms; received: ${this.recent()}`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  /** The first not yet consumed frame matching pred (already received, or arriving within timeoutMs). */
  nextFrame(pred, timeoutMs = DEADLINE_MS, what = 'matching frame') {
    return this.take(this.frameQueue, pred, timeoutMs, what);
  }

  /** The first not yet consumed presence change record matching pred. */
  nextUpdate(pred, timeoutMs = DEADLINE_MS, what = 'matching presence update') {
    return this.take(this.updateQueue, pred, timeoutMs, what);
  }

  /** Fails if a presence change matching pred is queued or arrives within windowMs. */
  async expectNoUpdate(pred, windowMs, what = 'matching presence update') {
    let r;
    try {
      r = await this.nextUpdate(pred, windowMs, what);
    } catch (e) {
      if (e.timedOut) {
        return;
      }
      throw e;
    }
    throw new AssertionError({
      message: `${this.label} (${this.transport}): unexpected ${what} within ${windowMs} ms: ${JSON.stringify(r)}`,
    });
  }

  /** The current records of users (a `query`), as a map user → record. */
  async query(users) {
    const reply = await this.request({ type: 'query', users });
    if (reply.type !== 'presence') {
      throw new AssertionError({ message: `${this.label}: query answered ${JSON.stringify(reply)}` });
    }
    return Object.fromEntries(reply.updates.map((r) => [r.user, r]));
  }

  send(frame) {
    this.sock.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends frame with a fresh id and resolves with the reply carrying that id (ack, error or presence). */
  request(frame, timeoutMs = DEADLINE_MS) {
    this.requestSeq += 1;
    const id = `${frame.type}-${this.requestSeq}`;
    this.send({ ...frame, id });
    return this.nextFrame((f) => f.id === id, timeoutMs, `reply to ${frame.type} (id ${id})`);
  }

  /** Like request(), but fails unless the reply is an ack. */
  async expectAck(frame, timeoutMs = DEADLINE_MS) {
    const reply = await this.request(frame, timeoutMs);
    if (reply.type !== 'ack') {
      throw new AssertionError({ message: `${this.label}: expected an ack to ${JSON.stringify(frame)}, got ${JSON.stringify(reply)}` });
    }
    return reply;
  }

  /** Sends the auth frame and resolves with the welcome (also kept in .welcome); fails on anything else. */
  async auth(token) {
    this.send({ type: 'auth', token, client: { platform: 'e2e' } });
    const first = await this.nextFrame((f) => f.type === 'welcome' || f.type === 'error', DEADLINE_MS, 'welcome');
    if (first.type !== 'welcome') {
      throw new AssertionError({ message: `${this.label}: auth refused: ${JSON.stringify(first)}` });
    }
    this.welcome = first;
    return first;
  }

  /** Resolves with the close event ({code, reason, wasClean, at}) or fails after timeoutMs. */
  waitClosed(timeoutMs = DEADLINE_MS) {
    if (this.closeEvent) {
      return Promise.resolve(this.closeEvent);
    }
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(timeoutError(
        `${this.label} (${this.transport}): not closed within ${timeoutMs} ms; received: ${this.recent()}`)), timeoutMs);
    });
    return Promise.race([this.closed, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Ends the connection from the client side without a bye frame: sockjs-client's close() (a
   * WebSocket close, or the HTTP requests of the xhr transports dropped). For the hub this is an
   * abrupt end: the grace applies.
   */
  abort() {
    this.sock.close();
  }

  /** Ends the session on purpose: sends bye and waits for the hub to close the connection. */
  async bye() {
    this.send({ type: 'bye' });
    return this.waitClosed();
  }
}

/** Opens a connection, authenticates it and resolves once the welcome arrived (kept in .welcome). */
export async function connect(transport, { tenant, user, role, name, label }) {
  const token = await mintToken({ tenant, user, role, name }, hubUrl(transport));
  const hs = await HubSocket.open(transport, label ?? `${role} ${user}`);
  await hs.auth(token);
  return hs;
}

/** Closes every connection a test left open (abruptly) and waits for the close events. */
export async function closeAll() {
  const left = [...openSockets];
  for (const hs of left) {
    hs.sock.close();
  }
  await Promise.all(left.map((hs) => hs.waitClosed(DEADLINE_MS).catch(() => {})));
}

/** Waits ms. Only for windows in which the behaviour under test IS the waiting. */
export function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
