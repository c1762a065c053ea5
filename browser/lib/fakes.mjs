// Test doubles for driving presence-client.js without a hub or a browser: a manual clock, a fake
// SockJS constructor that records what the client sends, and a page (document + window) whose
// events the tests dispatch.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The built npm package @presence-hub/client (clients/js, `npm run build --prefix clients/js`; Maven
 * builds it before the tests): its CommonJS build, and its browser IIFE, which is what the hub
 * serves at /presence-client.js (clients/js's tests check the hub's committed copy is the same).
 */
export const PACKAGE_DIR = fileURLToPath(new URL('../../clients/js/', import.meta.url));
export const CJS_PATH = fileURLToPath(new URL('../../clients/js/dist/index.cjs', import.meta.url));
export const CLIENT_PATH = fileURLToPath(new URL('../../clients/js/dist/presence-client.js', import.meta.url));

/** The library, loaded the CommonJS way (module.exports). */
export const PresenceClient = createRequire(import.meta.url)(CJS_PATH);

/** Lets pending promise callbacks run (the client awaits its token callback). Not a sleep: one macrotask turn. */
export function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A clock whose time only moves in advance(); timers fire in order, each at its own time. */
export class ManualClock {
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
    this.timers = [];
    this.seq = 0;
  }

  now() {
    return this.t;
  }

  setTimeout(fn, ms) {
    this.seq += 1;
    this.timers.push({ handle: this.seq, at: this.t + Math.max(0, ms), fn });
    return this.seq;
  }

  clearTimeout(handle) {
    this.timers = this.timers.filter((x) => x.handle !== handle);
  }

  /** Delays of the timers now pending, from now (for assertions on what the client scheduled). */
  pending() {
    return this.timers.map((x) => x.at - this.t).sort((a, b) => a - b);
  }

  /** Moves time forward by ms, firing due timers one by one and letting promises settle after each. */
  async advance(ms) {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.handle - b.handle)[0];
      if (!due) {
        break;
      }
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
    await settle();
  }
}

/**
 * A fake SockJS: every socket the client creates lands in `sockets`; the test plays the hub.
 * With a clock, each sent frame's time is kept in `sentAt`.
 */
export function fakeSockJS(clock = null) {
  const sockets = [];
  class FakeSockJS {
    constructor(url, reserved, options) {
      this.url = url;
      this.options = options;
      this.readyState = 0;
      this.sent = [];
      this.sentAt = [];
      this.closedByClient = null;
      sockets.push(this);
    }

    send(data) {
      if (this.readyState !== 1) {
        throw new Error('send on a socket that is not open');
      }
      this.sent.push(JSON.parse(data));
      this.sentAt.push(clock ? clock.now() : null);
    }

    close(code = 1000, reason = '') {
      if (this.readyState >= 2) {
        return;
      }
      this.readyState = 3;
      this.closedByClient = { code, reason };
      queueMicrotask(() => this.onclose && this.onclose({ code, reason, wasClean: true }));
    }

    // ---- the hub's side ----

    open() {
      this.readyState = 1;
      this.onopen && this.onopen();
    }

    receive(frame) {
      this.onmessage && this.onmessage({ data: JSON.stringify(frame) });
    }

    serverClose(code, reason = '') {
      this.readyState = 3;
      this.onclose && this.onclose({ code, reason, wasClean: code !== 1006 });
    }

    /** The frames of one type sent so far. */
    frames(type) {
      return this.sent.filter((f) => f.type === type);
    }

    /** The times at which the frames of one type were sent. */
    times(type) {
      return this.sentAt.filter((at, i) => this.sent[i].type === type);
    }
  }
  return { SockJS: FakeSockJS, sockets, last: () => sockets[sockets.length - 1] };
}

/** A document and a window the client listens to. */
export function fakePage() {
  const document = new EventTarget();
  document.visibilityState = 'visible';
  const window = new EventTarget();
  return {
    document,
    window,
    input(type = 'mousemove') {
      document.dispatchEvent(new Event(type));
    },
    visibility(state) {
      document.visibilityState = state;
      document.dispatchEvent(new Event('visibilitychange'));
    },
    pagehide(persisted = false) {
      const e = new Event('pagehide');
      e.persisted = persisted;
      window.dispatchEvent(e);
    },
    pageshow(persisted) {
      const e = new Event('pageshow');
      e.persisted = persisted;
      window.dispatchEvent(e);
    },
  };
}

/** An unsigned JWT-shaped token with the given exp (epoch ms); the client only reads exp. */
export function jwtExpiringAt(expMs, sub = 'u1') {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, tenant: 't', role: 'tech', exp: Math.floor(expMs / 1000) })}.sig`;
}

/** A record as the hub sends it. */
export function record(user, status = 'online', reason = 'active', role = 'client') {
  return { user, role, status, reason, since: 1, lastActiveAt: 1 };
}
