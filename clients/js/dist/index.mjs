// @presence-hub/client 0.1.0 (Apache-2.0): built by esbuild from clients/js/src; do not edit, run `npm run build:webroot --prefix clients/js`.

// src/index.js
import SockJS from "sockjs-client";

// src/presence-client.js
var root = globalThis;
var SOCKJS_PATH = "webjars/sockjs-client/1.6.1/dist/sockjs.min.js";
var scriptSrc = root.document && root.document.currentScript && root.document.currentScript.src ? root.document.currentScript.src : null;
var DEFAULTS = {
  platform: "web",
  /** Back-off after a failed connection: full jitter in [0, min(maxMs, baseMs * 2^attempt)). */
  backoffBaseMs: 1e3,
  backoffMaxMs: 3e4,
  /**
   * After 4503 (node shutting down) the client reconnects at once, spread over this window so
   * that a draining node's sessions do not all land on the other nodes in the same instant.
   * Well inside the hub's offlineGraceMs (5 s), so the user never flaps to offline.
   */
  drainSpreadMs: 500,
  /** 4401 closes tolerated in a row (each retried with a fresh token) before giving up. */
  authRetries: 1,
  /** Wait before retrying after a 4401: in [authRetryMs, 2 * authRetryMs). */
  authRetryMs: 3e3,
  /** query, presence.set, chat.push, unsubscribe and refresh fail after this long without reply. */
  requestTimeoutMs: 15e3,
  /** Users per subscribe frame when re-subscribing (the hub's maxUsersPerSubscribe). */
  maxUsersPerSubscribe: 1e3,
  /** Listen to the page's mouse, keyboard and visibility (false: report activity yourself). */
  trackActivity: true,
  /**
   * Interval of {"type":"ping"} frames on an open session (docs/protocol.md §4 Liveness). null:
   * the welcome's pingIntervalMs; a hub whose welcome announces none (before v1.1) gets no ping.
   * A number overrides the welcome; 0 turns pings off.
   */
  pingIntervalMs: null
};
var CLOSE_NO_PONG = 4e3;
var INPUT_EVENTS = ["mousemove", "mousedown", "wheel", "keydown", "touchstart"];
function createActivityThrottle(intervalMs) {
  var interval = intervalMs;
  var lastSentAt = -Infinity;
  var swallowedAt = null;
  return {
    setInterval: function(ms) {
      interval = ms;
    },
    interval: function() {
      return interval;
    },
    opened: function(now) {
      lastSentAt = now;
      swallowedAt = null;
    },
    input: function(now) {
      if (now - lastSentAt >= interval) {
        lastSentAt = now;
        swallowedAt = null;
        return { send: true };
      }
      swallowedAt = now;
      return { send: false, flushAt: lastSentAt + interval };
    },
    flush: function(now) {
      if (swallowedAt === null) {
        return null;
      }
      var idleMs = Math.max(0, now - swallowedAt);
      lastSentAt = now;
      swallowedAt = null;
      return { idleMs };
    },
    pending: function() {
      return swallowedAt !== null;
    }
  };
}
function backoffDelay(attempt, options, random) {
  var cap = Math.min(options.backoffMaxMs, options.backoffBaseMs * Math.pow(2, Math.max(0, attempt)));
  return Math.floor(random() * cap);
}
function reconnectPlan(code, state, options, random) {
  var attempt = state.attempt;
  if (code === 4401) {
    var authFailures = state.authFailures + 1;
    if (authFailures > options.authRetries) {
      return { stop: true, state: { attempt: attempt + 1, authFailures } };
    }
    return {
      delayMs: options.authRetryMs + Math.floor(random() * options.authRetryMs),
      nextNode: false,
      state: { attempt: attempt + 1, authFailures }
    };
  }
  if (code === 4503 && attempt === 0) {
    return {
      delayMs: Math.floor(random() * options.drainSpreadMs),
      nextNode: true,
      state: { attempt: attempt + 1, authFailures: state.authFailures }
    };
  }
  return {
    delayMs: backoffDelay(attempt, options, random),
    nextNode: true,
    state: { attempt: attempt + 1, authFailures: state.authFailures }
  };
}
function refreshDelay(expiresAtMs, nowMs) {
  var remaining = expiresAtMs - nowMs;
  if (!(remaining > 0)) {
    return 0;
  }
  var lead = Math.min(6e4, Math.max(remaining / 5, Math.min(5e3, remaining / 2)));
  return Math.max(0, Math.floor(remaining - lead));
}
function tokenExpiry(token) {
  if (typeof token !== "string") {
    return null;
  }
  var parts = token.split(".");
  if (parts.length !== 3) {
    return null;
  }
  try {
    var b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) {
      b64 += "=";
    }
    var json = typeof root.atob === "function" ? decodeURIComponent(Array.prototype.map.call(root.atob(b64), function(c) {
      return "%" + ("00" + c.charCodeAt(0).toString(16)).slice(-2);
    }).join("")) : Buffer.from(b64, "base64").toString("utf8");
    var exp = JSON.parse(json).exp;
    return typeof exp === "number" && isFinite(exp) ? exp * 1e3 : null;
  } catch (e) {
    return null;
  }
}
var PresenceError = class extends Error {
  constructor(frame) {
    super(frame.message || frame.code);
    this.name = "PresenceError";
    Object.assign(this, frame);
    this.frame = frame;
  }
};
function asError(code, cause) {
  var message = cause && cause.message ? cause.message : String(cause);
  var e = new PresenceError({ type: "error", code, message });
  e.cause = cause;
  return e;
}
var systemClock = {
  now: function() {
    return Date.now();
  },
  setTimeout: function(fn, ms) {
    return setTimeout(fn, ms);
  },
  clearTimeout: function(handle) {
    clearTimeout(handle);
  }
};
var loadingSockJS = null;
function userList(users, what) {
  if (!Array.isArray(users) || users.length === 0 || users.some(function(u) {
    return typeof u !== "string" || u === "";
  })) {
    throw new TypeError(what + ": users must be a non-empty array of user ids");
  }
  return Array.from(new Set(users));
}
function inferredOffline(prev) {
  return {
    user: prev.user,
    role: prev.role,
    status: "offline",
    reason: "disconnected",
    since: null,
    lastActiveAt: prev.lastActiveAt === void 0 ? null : prev.lastActiveAt,
    inferred: true
  };
}
function chunks(list, size) {
  var out = [];
  for (var i = 0; i < list.length; i += size) {
    out.push(list.slice(i, i + size));
  }
  return out;
}
var PresenceHub = class {
  constructor(options) {
    if (!options || typeof options.url !== "string" && !Array.isArray(options.url)) {
      throw new TypeError('connect: options.url is required (the SockJS endpoint, e.g. "/presence")');
    }
    if (typeof options.token !== "string" && typeof options.token !== "function") {
      throw new TypeError("connect: options.token is required (a JWT, or a function returning one or a promise of one)");
    }
    this._opts = Object.assign({}, DEFAULTS, options);
    this._urls = [].concat(options.url).map(String);
    this._urlIndex = 0;
    this._clock = options.clock || systemClock;
    this._random = options.random || Math.random;
    this._listeners = /* @__PURE__ */ new Map();
    this._status = "closed";
    this._final = false;
    this._closedByUser = false;
    this._suspended = false;
    this._sock = null;
    this._generation = 0;
    this._retry = { attempt: 0, authFailures: 0 };
    this._timers = { retry: null, refresh: null, flush: null, ping: null };
    this._nextId = 1;
    this._pending = /* @__PURE__ */ new Map();
    this._outbox = [];
    this._resubWaiters = [];
    this._intents = { users: /* @__PURE__ */ new Set(), rosters: /* @__PURE__ */ new Set() };
    this._records = /* @__PURE__ */ new Map();
    this._rosterViews = /* @__PURE__ */ new Map();
    this._fresh = /* @__PURE__ */ new Set();
    this._stale = false;
    this._syncPending = /* @__PURE__ */ new Set();
    this._ping = null;
    this._received = 0;
    this._throttle = createActivityThrottle(75e3);
    this._token = null;
    this._welcome = null;
    this._detachPage = this._watchPage();
  }
  // ---- public API ----
  /** Listens to 'welcome', 'presence' (one record), 'sync' ({roster|users, records, offline, removed, stale, error?}),
   *  'chat.request', 'chat.message', 'status' ({status, stale, …}), 'error', 'refresh' ({expiresAt})
   *  or 'frame' (every frame). Returns a function that stops listening. */
  on(event, fn) {
    if (!this._listeners.has(event)) {
      this._listeners.set(event, /* @__PURE__ */ new Set());
    }
    this._listeners.get(event).add(fn);
    var self = this;
    return function() {
      self.off(event, fn);
    };
  }
  off(event, fn) {
    var set = this._listeners.get(event);
    if (set) {
      set.delete(fn);
    }
  }
  /** 'connecting', 'open' or 'closed'. */
  get status() {
    return this._status;
  }
  /** The current session's welcome frame (user, presence, idleTimeoutMs), or null when not open. */
  get welcome() {
    return this._welcome;
  }
  /**
   * True while the view may not match the hub: from the end of a session until every watched
   * user and roster has been re-subscribed on the next one (then 'sync' says stale: false).
   */
  get stale() {
    return this._stale;
  }
  /**
   * The latest record of a watched user (subscriptions and own changes), or undefined; records of
   * users no subscription watches any more are forgotten. A record the
   * current session has not confirmed (no session open, or not re-synced yet) is a copy with
   * `stale: true`.
   */
  record(user) {
    var r = this._records.get(user);
    return r === void 0 ? void 0 : this._marked(r);
  }
  /**
   * The view of a roster subscription: one record per user of that role the hub reported on it
   * since its last snapshot (the snapshot, then changes, offline ones included), in no
   * particular order. [] when the role is not watched. Records are marked like record()'s.
   */
  roster(role) {
    var view = this._rosterViews.get(role);
    if (!view) {
      return [];
    }
    var out = [];
    var self = this;
    view.forEach(function(u) {
      var r = self._records.get(u);
      if (r && r.role === role) {
        out.push(self._marked(r));
      }
    });
    return out;
  }
  /** Every record of the whole view: the users watched by subscribe() and every watched roster's. */
  records() {
    var users = new Set(this._intents.users);
    this._rosterViews.forEach(function(view) {
      view.forEach(function(u) {
        users.add(u);
      });
    });
    var out = [];
    var self = this;
    users.forEach(function(u) {
      var r = self._records.get(u);
      if (r) {
        out.push(self._marked(r));
      }
    });
    return out;
  }
  /** Watches users; kept across reconnects. Resolves with their current records. */
  subscribe(users) {
    var list;
    try {
      list = userList(users, "subscribe");
    } catch (e) {
      return Promise.reject(e);
    }
    var intents = this._intents.users;
    var added = list.filter(function(u) {
      return !intents.has(u);
    });
    added.forEach(function(u) {
      intents.add(u);
    });
    return this._watch({ users: list }, function() {
      added.forEach(function(u) {
        intents.delete(u);
      });
    });
  }
  /** Watches every user of a role ('tech' or 'client'); kept across reconnects. */
  subscribeRoster(role) {
    if (role !== "tech" && role !== "client") {
      return Promise.reject(new TypeError('subscribeRoster: role must be "tech" or "client"'));
    }
    var rosters = this._intents.rosters;
    var added = !rosters.has(role);
    rosters.add(role);
    return this._watch({ roster: role }, function() {
      if (added) {
        rosters.delete(role);
      }
    });
  }
  unsubscribe(users) {
    var list;
    try {
      list = userList(users, "unsubscribe");
    } catch (e) {
      return Promise.reject(e);
    }
    var intents = this._intents.users;
    var self = this;
    list.forEach(function(u) {
      intents.delete(u);
      self._forgetIfUnwatched(u);
    });
    return this._unwatch({ users: list });
  }
  unsubscribeRoster(role) {
    this._intents.rosters.delete(role);
    var view = this._rosterViews.get(role);
    this._rosterViews.delete(role);
    if (view) {
      view.forEach(this._forgetIfUnwatched, this);
    }
    return this._unwatch({ roster: role });
  }
  /** One-off: resolves with the users' current records. */
  query(users) {
    var list;
    try {
      list = userList(users, "query");
    } catch (e) {
      return Promise.reject(e);
    }
    return this._request({ type: "query", users: list }, "query");
  }
  /** Techs: 'away' (optionally { until: epoch ms or Date }) or 'online'. Resolves with the ack. */
  setPresence(status, options) {
    if (status !== "away" && status !== "online") {
      return Promise.reject(new TypeError('setPresence: status must be "away" or "online"'));
    }
    var frame = { type: "presence.set", status };
    var until = options && options.until;
    if (until !== void 0 && until !== null) {
      frame.until = until instanceof Date ? until.getTime() : until;
    }
    return this._request(frame, "presence.set");
  }
  /** Delivers to every session of `to`: resolves with the ack ({delivered}), rejects with the error frame. */
  pushChat(to, kind, payload) {
    if (typeof to !== "string" || to === "") {
      return Promise.reject(new TypeError("pushChat: to must be a user id"));
    }
    return this._request({ type: "chat.push", to, kind: kind || "chat.request", payload: payload || {} }, "chat.push");
  }
  /** Reports activity from outside the page's events (e.g. an embedding app); throttled the same way. */
  activity() {
    this._onInput();
  }
  /** Starts again after the client gave up (e.g. on repeated 4401 with a new login). */
  reconnect() {
    if (this._closedByUser || this._status !== "closed") {
      return;
    }
    this._clearTimer("retry");
    this._final = false;
    this._retry = { attempt: 0, authFailures: 0 };
    this._open();
  }
  /** Ends the session on purpose: sends bye (the user is offline at once) and stops reconnecting. */
  close() {
    if (this._closedByUser) {
      return;
    }
    this._closedByUser = true;
    this._endSocket("closed by the client");
    this._failAll(new PresenceError({ type: "error", code: "closed", message: "the client was closed" }));
    if (this._detachPage) {
      this._detachPage();
      this._detachPage = null;
    }
    this._setStatus({ status: "closed", code: 1e3, reason: "closed by the client", final: true });
  }
  // ---- connection ----
  _url() {
    return this._urls[this._urlIndex];
  }
  async _open() {
    if (this._closedByUser || this._suspended) {
      return;
    }
    var gen = ++this._generation;
    var url = root.location ? new URL(this._url(), root.location.href).href : this._url();
    this._setStatus({ status: "connecting", url, attempt: this._retry.attempt });
    var token;
    var SockJS2;
    try {
      token = await this._fetchToken();
      SockJS2 = await this._sockjs(url);
    } catch (e) {
      if (gen === this._generation && !this._closedByUser && !this._suspended) {
        this._emit("error", e instanceof PresenceError ? e : asError("sockjs", e));
        this._afterClose(null, e && e.message ? e.message : String(e));
      }
      return;
    }
    if (gen !== this._generation || this._closedByUser || this._suspended) {
      return;
    }
    var self = this;
    var sock = new SockJS2(url, null, this._opts.sockjs || {});
    this._sock = sock;
    sock.onopen = function() {
      if (gen === self._generation) {
        self._sendRaw({ type: "auth", token, client: { platform: self._opts.platform } });
      }
    };
    sock.onmessage = function(e) {
      if (gen === self._generation) {
        self._onMessage(e.data, token);
      }
    };
    sock.onclose = function(e) {
      if (gen === self._generation) {
        self._sock = null;
        self._onSessionEnded();
        self._afterClose(e.code, e.reason);
      }
    };
  }
  async _fetchToken() {
    var source = this._opts.token;
    var token;
    try {
      token = typeof source === "function" ? await source() : source;
    } catch (e) {
      throw asError("token", e);
    }
    if (typeof token !== "string" || token === "") {
      throw new PresenceError({ type: "error", code: "token", message: "the token callback returned no token" });
    }
    return token;
  }
  _sockjs(url) {
    if (this._opts.SockJS) {
      return Promise.resolve(this._opts.SockJS);
    }
    if (typeof root.SockJS === "function") {
      return Promise.resolve(root.SockJS);
    }
    if (defaultSockJS) {
      return Promise.resolve(defaultSockJS);
    }
    var doc = root.document;
    if (!doc) {
      return Promise.reject(new Error("sockjs-client not found: pass options.SockJS"));
    }
    if (!loadingSockJS) {
      var base = scriptSrc || url.replace(/\/+$/, "");
      var src = this._opts.sockjsUrl || new URL(SOCKJS_PATH, base).href;
      loadingSockJS = new Promise(function(resolve, reject) {
        var script = doc.createElement("script");
        script.src = src;
        script.async = true;
        script.onload = function() {
          if (typeof root.SockJS === "function") {
            resolve(root.SockJS);
          } else {
            loadingSockJS = null;
            reject(new Error("loaded " + src + " but it defined no SockJS"));
          }
        };
        script.onerror = function() {
          loadingSockJS = null;
          reject(new Error("could not load sockjs-client from " + src));
        };
        (doc.head || doc.documentElement).appendChild(script);
      });
    }
    return loadingSockJS;
  }
  /** After a socket ended (or never opened): reconnect per reconnectPlan, or give up. */
  _afterClose(code, reason) {
    if (this._closedByUser || this._suspended) {
      this._setStatus({ status: "closed", code, reason, final: this._closedByUser });
      return;
    }
    var plan = reconnectPlan(code, this._retry, this._opts, this._random);
    this._retry = plan.state;
    if (plan.stop) {
      this._final = true;
      this._failAll(new PresenceError({
        type: "error",
        code: "closed",
        message: "the hub refused the token again (" + code + " " + reason + "); not retrying"
      }));
      this._setStatus({ status: "closed", code, reason, final: true });
      return;
    }
    if (plan.nextNode) {
      this._urlIndex = (this._urlIndex + 1) % this._urls.length;
    }
    this._setStatus({ status: "closed", code, reason, retryInMs: plan.delayMs, final: false });
    var self = this;
    this._timers.retry = this._clock.setTimeout(function() {
      self._timers.retry = null;
      self._open();
    }, plan.delayMs);
  }
  /** Session over (socket closed by either side): timers stop, requests in flight fail or wait. */
  _onSessionEnded() {
    if (this._welcome !== null) {
      this._stale = true;
    }
    this._welcome = null;
    this._fresh.clear();
    this._syncPending.clear();
    this._ping = null;
    this._clearTimer("refresh");
    this._clearTimer("flush");
    this._clearTimer("ping");
    var self = this;
    var inFlight = Array.from(this._pending.values());
    this._pending.clear();
    inFlight.forEach(function(req) {
      if (req.kind === "subscribe") {
        self._resubWaiters.push(req);
      } else {
        self._clearReqTimer(req);
        req.reject(new PresenceError({
          type: "error",
          code: "disconnected",
          message: "the session ended before the hub answered " + req.frame.type
        }));
      }
    });
  }
  /** Closes the socket on our side, sending bye first if the session is open. */
  _endSocket(reason) {
    this._generation++;
    this._clearTimer("retry");
    var sock = this._sock;
    this._sock = null;
    if (sock) {
      if (this._status === "open") {
        this._sendOn(sock, { type: "bye" });
      }
      try {
        sock.close(1e3, reason);
      } catch (e) {
      }
    }
    this._onSessionEnded();
  }
  // ---- frames ----
  _sendOn(sock, frame) {
    if (!sock || sock.readyState !== 1) {
      return false;
    }
    sock.send(JSON.stringify(frame));
    return true;
  }
  _sendRaw(frame) {
    return this._sendOn(this._sock, frame);
  }
  _onMessage(data, token) {
    var frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (!frame || typeof frame !== "object") {
      return;
    }
    this._received += 1;
    this._emit("frame", frame);
    switch (frame.type) {
      case "welcome":
        this._onWelcome(frame, token);
        break;
      case "presence":
        this._onPresence(frame);
        break;
      case "ack":
        this._settle(frame, true);
        break;
      case "error":
        if (this._isPingReply(frame)) {
          this._onPingRefused(frame);
        } else if (!this._settle(frame, false)) {
          this._emit("error", new PresenceError(frame));
        }
        break;
      case "pong":
        this._onPong(frame);
        break;
      case "chat.request":
      case "chat.message":
        this._emit(frame.type, frame);
        break;
      default:
        break;
    }
  }
  _onWelcome(frame, token) {
    this._welcome = frame;
    this._token = token;
    this._retry = { attempt: 0, authFailures: 0 };
    this._fresh.clear();
    if (typeof frame.idleTimeoutMs === "number" && frame.idleTimeoutMs > 0) {
      this._throttle.setInterval(frame.idleTimeoutMs / 4);
    }
    this._throttle.opened(this._clock.now());
    if (this._intents.users.size === 0 && this._intents.rosters.size === 0) {
      this._stale = false;
    }
    this._setStatus({ status: "open", session: frame.session });
    this._startPing(frame);
    this._emit("welcome", frame);
    if (frame.presence) {
      this._onRecord(frame.presence, true);
    }
    this._armRefresh(tokenExpiry(token));
    this._resubscribe();
    var queued = this._outbox;
    this._outbox = [];
    var self = this;
    queued.forEach(function(req) {
      self._dispatch(req);
    });
  }
  _onPresence(frame) {
    var updates = Array.isArray(frame.updates) ? frame.updates : [];
    var req = frame.id !== void 0 ? this._pending.get(frame.id) : void 0;
    var self = this;
    if (req) {
      this._pending.delete(frame.id);
      this._clearReqTimer(req);
      if (req.kind === "subscribe" && req.target) {
        this._applySnapshot(req, updates);
      } else if (req.kind !== "query") {
        updates.forEach(function(r) {
          self._onRecord(r, true);
        });
      }
      req.resolve(updates);
      return;
    }
    updates.forEach(function(r) {
      if (self._onRecord(r, true) && self._intents.rosters.has(r.role)) {
        self._rosterView(r.role).add(r.user);
      }
    });
  }
  /** Stores a record from the hub (or inferred from a snapshot); false when it has no user. */
  _onRecord(record, emit) {
    if (!record || typeof record.user !== "string") {
      return false;
    }
    this._records.set(record.user, record);
    this._fresh.add(record.user);
    if (emit) {
      this._emit("presence", record);
    }
    return true;
  }
  /** The record as accessors hand it out: a copy marked stale unless this session confirmed it. */
  _marked(record) {
    if (this._status === "open" && this._fresh.has(record.user)) {
      return record;
    }
    return Object.assign({}, record, { stale: true });
  }
  /** Drops a user's record when no subscription watches the user any more (and it is not the caller's own). */
  _forgetIfUnwatched(user) {
    if (this._intents.users.has(user) || this._welcome && this._welcome.user && this._welcome.user.id === user) {
      return;
    }
    var watched = false;
    this._rosterViews.forEach(function(view) {
      watched = watched || view.has(user);
    });
    if (!watched) {
      this._records.delete(user);
      this._fresh.delete(user);
    }
  }
  _rosterView(role) {
    var view = this._rosterViews.get(role);
    if (!view) {
      view = /* @__PURE__ */ new Set();
      this._rosterViews.set(role, view);
    }
    return view;
  }
  /**
   * A subscribe reply replaces the view of that subscription (docs/presence-client.md, Resync).
   * A roster snapshot lists everyone of the role who is not offline: a user the view held who is
   * missing from it, and whom this session has not reported otherwise, has gone offline meanwhile
   * (a leave while the client was disconnected sends no change to it): reported as an inferred
   * offline record. Then 'sync'.
   */
  _applySnapshot(req, updates) {
    var self = this;
    var target = req.target;
    var offline = [];
    var removed = [];
    var listed = /* @__PURE__ */ new Set();
    updates.forEach(function(r) {
      if (self._onRecord(r, true)) {
        listed.add(r.user);
      }
    });
    if (target.roster) {
      var role = target.roster;
      var view = this._rosterView(role);
      view.forEach(function(u) {
        if (listed.has(u)) {
          return;
        }
        var prev = self._records.get(u);
        if (!prev || prev.role !== role || prev.status === "offline") {
          view.delete(u);
          removed.push(u);
          self._forgetIfUnwatched(u);
        } else if (!self._fresh.has(u)) {
          self._onRecord(inferredOffline(prev), true);
          offline.push(u);
        }
      });
      listed.forEach(function(u) {
        if (self._records.get(u).role === role) {
          view.add(u);
        }
      });
    }
    this._afterSync(req, {
      roster: target.roster,
      users: target.users,
      offline,
      removed,
      records: target.roster ? this.roster(target.roster) : target.users.map(function(u) {
        return self.record(u);
      }).filter(Boolean)
    });
  }
  /** After a subscription's snapshot (or its refusal): the 'sync' event; the view is fresh once the welcome's re-subscriptions are all answered. */
  _afterSync(req, event) {
    this._syncPending.delete(req);
    if (this._syncPending.size === 0 && this._status === "open") {
      this._stale = false;
    }
    var out = {};
    if (event.roster !== void 0) {
      out.roster = event.roster;
    } else {
      out.users = event.users;
    }
    out.records = event.records;
    out.offline = event.offline;
    out.removed = event.removed || [];
    if (event.error) {
      out.error = event.error;
    }
    out.stale = this._stale;
    this._emit("sync", out);
  }
  /** Answers the request a frame replies to; false when it replies to none. */
  _settle(frame, ok) {
    var req = frame.id !== void 0 ? this._pending.get(frame.id) : void 0;
    if (!req) {
      return false;
    }
    this._pending.delete(frame.id);
    this._clearReqTimer(req);
    if (ok) {
      req.resolve(frame);
    } else {
      if (req.undo) {
        req.undo();
      }
      var error = new PresenceError(frame);
      req.reject(error);
      if (req.kind === "subscribe" && req.target) {
        if (req.target.roster && !this._intents.rosters.has(req.target.roster)) {
          this._rosterViews.delete(req.target.roster);
        }
        var self = this;
        this._afterSync(req, {
          roster: req.target.roster,
          users: req.target.users,
          offline: [],
          error,
          records: req.target.roster ? this.roster(req.target.roster) : req.target.users.map(function(u) {
            return self.record(u);
          }).filter(Boolean)
        });
      }
    }
    return true;
  }
  // ---- requests ----
  _request(frame, kind, extra) {
    if (this._closedByUser || this._final) {
      return Promise.reject(new PresenceError({ type: "error", code: "closed", message: "the client is closed" }));
    }
    var self = this;
    return new Promise(function(resolve, reject) {
      var req = Object.assign({ frame, kind, resolve, reject, timer: null }, extra);
      if (req.resync) {
        self._syncPending.add(req);
      }
      if (kind !== "subscribe") {
        req.timer = self._clock.setTimeout(function() {
          self._expire(req);
        }, self._opts.requestTimeoutMs);
      }
      if (self._status === "open") {
        self._dispatch(req);
      } else {
        self._outbox.push(req);
      }
    });
  }
  _dispatch(req) {
    var id = this._nextId++;
    req.id = id;
    this._pending.set(id, req);
    this._sendRaw(Object.assign({}, req.frame, { id }));
  }
  _expire(req) {
    req.timer = null;
    if (req.id !== void 0 && this._pending.get(req.id) === req) {
      this._pending.delete(req.id);
    }
    var i = this._outbox.indexOf(req);
    if (i >= 0) {
      this._outbox.splice(i, 1);
    }
    req.reject(new PresenceError({
      type: "error",
      code: "timeout",
      message: "no reply to " + req.frame.type + " within " + this._opts.requestTimeoutMs + " ms"
    }));
  }
  _clearReqTimer(req) {
    if (req.timer !== null && req.timer !== void 0) {
      this._clock.clearTimeout(req.timer);
      req.timer = null;
    }
  }
  _failAll(error) {
    var self = this;
    var all = Array.from(this._pending.values()).concat(this._outbox, this._resubWaiters);
    this._pending.clear();
    this._outbox = [];
    this._resubWaiters = [];
    all.forEach(function(req) {
      self._clearReqTimer(req);
      req.reject(error);
    });
  }
  // ---- subscriptions ----
  _watch(target, undo) {
    if (this._closedByUser || this._final) {
      undo();
      return Promise.reject(new PresenceError({ type: "error", code: "closed", message: "the client is closed" }));
    }
    var self = this;
    if (this._status !== "open") {
      return new Promise(function(resolve, reject) {
        self._resubWaiters.push({
          frame: Object.assign({ type: "subscribe" }, target),
          kind: "subscribe",
          target,
          resolve,
          reject,
          undo,
          timer: null
        });
      });
    }
    return this._request(Object.assign({ type: "subscribe" }, target), "subscribe", { target, undo });
  }
  _unwatch(target) {
    if (this._status !== "open") {
      return Promise.resolve();
    }
    return this._request(Object.assign({ type: "unsubscribe" }, target), "unsubscribe").then(function() {
      return void 0;
    });
  }
  /** On welcome: subscribes again to every user and roster watched, and answers waiting subscribe() calls. */
  _resubscribe() {
    var waiters = this._resubWaiters;
    this._resubWaiters = [];
    var self = this;
    var userWaiters = waiters.filter(function(w) {
      return w.target.users;
    });
    var users = Array.from(this._intents.users);
    if (users.length > 0) {
      var replies = chunks(users, this._opts.maxUsersPerSubscribe).map(function(chunk) {
        return self._request({ type: "subscribe", users: chunk }, "subscribe", { target: { users: chunk }, resync: true });
      });
      Promise.all(replies).then(function(parts) {
        var records = [].concat.apply([], parts);
        userWaiters.forEach(function(w) {
          var mine = new Set(w.target.users);
          w.resolve(records.filter(function(r) {
            return mine.has(r.user);
          }));
        });
      }, function(e) {
        self._resubscribeFailed(e, userWaiters);
      });
    } else {
      userWaiters.forEach(function(w) {
        w.resolve([]);
      });
    }
    this._intents.rosters.forEach(function(role) {
      var roleWaiters = waiters.filter(function(w) {
        return w.target.roster === role;
      });
      self._request({ type: "subscribe", roster: role }, "subscribe", { target: { roster: role }, resync: true }).then(function(records) {
        roleWaiters.forEach(function(w) {
          w.resolve(records);
        });
      }, function(e) {
        self._resubscribeFailed(e, roleWaiters);
      });
    });
    waiters.forEach(function(w) {
      if (w.target.roster && !self._intents.rosters.has(w.target.roster)) {
        w.resolve([]);
      }
    });
  }
  _resubscribeFailed(error, waiters) {
    if (error.code === "closed") {
      return;
    }
    if (error.code === "disconnected") {
      return;
    }
    var users = this._intents.users;
    if (Array.isArray(error.users)) {
      error.users.forEach(function(u) {
        users.delete(u);
      });
    }
    this._emit("error", error);
    waiters.forEach(function(w) {
      if (w.undo) {
        w.undo();
      }
      w.reject(error);
    });
  }
  // ---- liveness: ping / pong (docs/protocol.md §4 Liveness) ----
  /**
   * Pings at the welcome's pingIntervalMs (or options.pingIntervalMs), so that the hub sees this
   * session alive on every transport, streaming ones included, however quiet the user. Pings are
   * not activity: they never touch the activity throttle.
   */
  _startPing(welcome) {
    var ms = this._opts.pingIntervalMs !== null && this._opts.pingIntervalMs !== void 0 ? this._opts.pingIntervalMs : welcome.pingIntervalMs;
    if (typeof ms !== "number" || !isFinite(ms) || ms <= 0) {
      return;
    }
    this._ping = { intervalMs: ms, seq: 0, outstanding: null, answered: false };
    this._armPing(ms);
  }
  _armPing(delayMs) {
    var self = this;
    this._clearTimer("ping");
    this._timers.ping = this._clock.setTimeout(function() {
      self._timers.ping = null;
      self._pingTick();
    }, delayMs);
  }
  /**
   * Sends the next ping. When the hub has answered pings on this session but sent nothing at all
   * since the previous one, a whole interval ago, the link is dead (a laptop back from sleep, a
   * dropped network): the session is dropped and the client reconnects at once rather than wait
   * for TCP to give up. A hub that never answered a ping is never taken for dead.
   */
  _pingTick() {
    var p = this._ping;
    if (!p || this._status !== "open") {
      return;
    }
    if (p.answered && p.outstanding && this._received === p.outstanding.received) {
      this._dropDeadSession("no reply from the hub to a ping within " + p.intervalMs + " ms");
      return;
    }
    p.seq += 1;
    p.outstanding = { id: "ping-" + p.seq, received: this._received, sentAt: this._clock.now() };
    this._sendRaw({ type: "ping", id: p.outstanding.id });
    this._armPing(p.intervalMs);
  }
  _isPingReply(frame) {
    return typeof frame.id === "string" && frame.id.indexOf("ping-") === 0;
  }
  _onPong(frame) {
    var p = this._ping;
    if (p && p.outstanding && (frame.id === void 0 || frame.id === p.outstanding.id)) {
      var due = p.outstanding.sentAt + p.intervalMs - this._clock.now();
      p.outstanding = null;
      p.answered = true;
      this._armPing(Math.max(0, due));
    }
  }
  /** An error answering a ping is never the application's business: a hub that does not know ping stops being pinged. */
  _onPingRefused(frame) {
    if (frame.code === "bad_request" && this._ping) {
      this._ping = null;
      this._clearTimer("ping");
    }
  }
  _dropDeadSession(reason) {
    var sock = this._sock;
    this._generation++;
    this._sock = null;
    if (sock) {
      try {
        sock.close(CLOSE_NO_PONG, reason);
      } catch (e) {
      }
    }
    this._onSessionEnded();
    this._afterClose(CLOSE_NO_PONG, reason);
  }
  // ---- token refresh ----
  _armRefresh(expiresAt) {
    this._clearTimer("refresh");
    if (expiresAt === null || typeof this._opts.token !== "function") {
      return;
    }
    var self = this;
    this._timers.refresh = this._clock.setTimeout(function() {
      self._timers.refresh = null;
      self._refresh(expiresAt);
    }, refreshDelay(expiresAt, this._clock.now()));
  }
  async _refresh(expiresAt) {
    var gen = this._generation;
    try {
      var token = await this._fetchToken();
      if (gen !== this._generation) {
        return;
      }
      var ack = await this._request({ type: "auth", token }, "auth");
      var next = typeof ack.expiresAt === "number" ? ack.expiresAt : tokenExpiry(token);
      if (next === null || next <= expiresAt) {
        throw new PresenceError({ type: "error", code: "token", message: "the token callback returned no fresher token" });
      }
      this._token = token;
      this._emit("refresh", { expiresAt: next });
      if (gen === this._generation) {
        this._armRefresh(next);
      }
    } catch (e) {
      if (gen !== this._generation || this._closedByUser) {
        return;
      }
      this._emit("error", e instanceof PresenceError ? e : asError("token", e));
      var left = expiresAt - this._clock.now();
      if (left > 0) {
        var self = this;
        this._timers.refresh = this._clock.setTimeout(function() {
          self._timers.refresh = null;
          self._refresh(expiresAt);
        }, Math.max(1e3, Math.floor(left / 2)));
      }
    }
  }
  // ---- the page: activity, pagehide ----
  _onInput() {
    if (this._status !== "open") {
      return;
    }
    var now = this._clock.now();
    var r = this._throttle.input(now);
    if (r.send) {
      this._sendRaw({ type: "activity" });
      return;
    }
    if (this._timers.flush === null) {
      var self = this;
      this._timers.flush = this._clock.setTimeout(function() {
        self._timers.flush = null;
        if (self._status === "open") {
          var f = self._throttle.flush(self._clock.now());
          if (f) {
            self._sendRaw({ type: "activity", idleMs: f.idleMs });
          }
        }
      }, Math.max(0, r.flushAt - now));
    }
  }
  /**
   * Activity is what the product defines: mouse and keyboard input in the page, and the page
   * becoming visible again. Becoming hidden is not activity: it also happens when the screen
   * locks or the laptop lid closes, the moment the user leaves.
   */
  _watchPage() {
    var doc = this._opts.document !== void 0 ? this._opts.document : root.document;
    var win = this._opts.window !== void 0 ? this._opts.window : root.document ? root : null;
    var self = this;
    var off = [];
    function listen(target, type, fn, opts) {
      target.addEventListener(type, fn, opts);
      off.push(function() {
        target.removeEventListener(type, fn, opts);
      });
    }
    if (doc && this._opts.trackActivity) {
      var onInput = function() {
        self._onInput();
      };
      INPUT_EVENTS.forEach(function(type) {
        listen(doc, type, onInput, { capture: true, passive: true });
      });
      listen(doc, "visibilitychange", function() {
        if (doc.visibilityState === "visible") {
          self._onInput();
        }
      });
    }
    if (win) {
      listen(win, "pagehide", function() {
        self._suspend();
      });
      listen(win, "pageshow", function(e) {
        if (e.persisted) {
          self._resume();
        }
      });
    }
    return function() {
      off.forEach(function(f) {
        f();
      });
    };
  }
  _suspend() {
    if (this._closedByUser || this._suspended) {
      return;
    }
    this._suspended = true;
    this._endSocket("page hidden");
    this._setStatus({ status: "closed", code: 1e3, reason: "page hidden", final: false });
  }
  _resume() {
    if (this._closedByUser || !this._suspended) {
      return;
    }
    this._suspended = false;
    this._retry = { attempt: 0, authFailures: 0 };
    this._open();
  }
  // ---- plumbing ----
  _clearTimer(name) {
    if (this._timers[name] !== null) {
      this._clock.clearTimeout(this._timers[name]);
      this._timers[name] = null;
    }
  }
  _setStatus(event) {
    this._status = event.status;
    event.stale = this._stale;
    this._emit("status", event);
  }
  _emit(event, value) {
    var set = this._listeners.get(event);
    if (!set) {
      return;
    }
    Array.from(set).forEach(function(fn) {
      try {
        fn(value);
      } catch (e) {
        if (typeof root.reportError === "function") {
          root.reportError(e);
        } else if (typeof console !== "undefined") {
          console.error(e);
        }
      }
    });
  }
};
function connect(options) {
  var hub = new PresenceHub(options);
  Promise.resolve().then(function() {
    hub._open();
  });
  return hub;
}
var defaultSockJS = null;
function useSockJS(ctor) {
  defaultSockJS = ctor;
}
var timing = {
  createActivityThrottle,
  backoffDelay,
  reconnectPlan,
  refreshDelay,
  tokenExpiry,
  DEFAULTS
};

// src/index.js
useSockJS(SockJS);
var index_default = { connect, PresenceError, timing };
export {
  PresenceError,
  connect,
  index_default as default,
  timing
};
