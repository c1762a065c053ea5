// A presence-client.js wired to the fakes of fakes.mjs, for the unit tests: the test plays the hub
// frame by frame on a fake SockJS, moves a manual clock and dispatches page events.

import assert from 'node:assert/strict';
import { ManualClock, PresenceClient, fakePage, fakeSockJS, jwtExpiringAt, record, settle } from './fakes.mjs';

/** The idleTimeoutMs the fake hub announces in its welcome. */
export const IDLE = 1500;

/** Every event the client emits, recorded by setup(). */
const EVENTS = ['status', 'welcome', 'presence', 'sync', 'chat.request', 'chat.message', 'error', 'refresh'];

/**
 * A client wired to fakes, with every event it emits recorded: `of(type)` lists the values of one
 * event. options.client overrides the connect() options; options.tokenTtlMs the tokens' life.
 */
export function setup(options = {}) {
  const clock = new ManualClock();
  const net = fakeSockJS(clock);
  const page = fakePage();
  const tokens = [];
  const tokenTtlMs = options.tokenTtlMs ?? 3600_000;
  const hub = PresenceClient.connect({
    url: 'http://hub.test/presence',
    token: async () => {
      const t = jwtExpiringAt(clock.now() + tokenTtlMs, `u1-${tokens.length}`);
      tokens.push(t);
      return t;
    },
    platform: 'web',
    SockJS: net.SockJS,
    clock,
    random: () => 0.5,
    document: page.document,
    window: page.window,
    ...options.client,
  });
  const events = [];
  for (const type of EVENTS) {
    hub.on(type, (value) => events.push({ type, value }));
  }
  const of = (type) => events.filter((e) => e.type === type).map((e) => e.value);
  return { clock, net, page, hub, tokens, events, of };
}

/** A welcome frame; `extra` adds fields (pingIntervalMs). */
export function welcome(user = 'u1', role = 'client', extra = {}) {
  return {
    type: 'welcome', session: `s-${Math.random()}`, user: { id: user, tenant: 't', role },
    presence: record(user, 'online', 'active', role), idleTimeoutMs: IDLE, ...extra,
  };
}

/** Lets the client create its socket, opens it, checks the auth frame and welcomes the session. */
export async function accept(env, w = welcome()) {
  await settle();
  const sock = env.net.last();
  sock.open();
  assert.equal(sock.sent[0].type, 'auth', `first frame: ${JSON.stringify(sock.sent[0])}`);
  sock.receive(w);
  await settle();
  return sock;
}
