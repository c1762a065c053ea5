// Unit tests of the client's session handling in presence-client.js: the library runs against a
// fake SockJS (the test plays the hub, frame by frame), a manual clock and a fake page.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { record, settle } from '../lib/fakes.mjs';
import { IDLE, accept, setup, welcome } from '../lib/harness.mjs';

const INTERVAL = IDLE / 4;

const activity = (sock) => sock.frames('activity');

describe('presence-client session', () => {
  it('authenticates with the token and platform as its first frame, then reports open, welcome and own presence', async () => {
    const env = setup();
    await settle();
    const sock = env.net.last();
    assert.equal(sock.url, 'http://hub.test/presence');
    sock.open();
    assert.deepEqual(sock.sent, [{ type: 'auth', token: env.tokens[0], client: { platform: 'web' } }]);
    const w = welcome();
    sock.receive(w);
    assert.deepEqual(env.of('status').map((s) => s.status), ['connecting', 'open']);
    assert.deepEqual(env.of('welcome'), [w]);
    assert.deepEqual(env.of('presence'), [w.presence]);
    assert.equal(env.hub.status, 'open');
    env.hub.close();
  });

  it('turns mouse and keyboard input into activity frames, at most one per idleTimeoutMs / 4', async () => {
    const env = setup();
    const sock = await accept(env);
    await env.clock.advance(INTERVAL); // the session's opening counted as activity
    env.page.input('mousemove');
    assert.deepEqual(activity(sock), [{ type: 'activity' }]);
    let lastInput = 0;
    for (let i = 0; i < 30; i++) {
      await env.clock.advance(25);
      env.page.input(i % 2 ? 'keydown' : 'mousemove');
      lastInput = env.clock.now();
    }
    await env.clock.advance(2 * INTERVAL);
    const frames = activity(sock);
    const times = sock.times('activity');
    // 750 ms of constant input after the first frame: one frame per interval, no more, no fewer.
    assert.equal(frames.length, 4, JSON.stringify(frames));
    for (let i = 1; i < times.length; i++) {
      assert.ok(times[i] - times[i - 1] >= INTERVAL, `frames ${times[i] - times[i - 1]} ms apart`);
    }
    // The later frames stand for swallowed input and carry its age; the last one the last input's.
    assert.ok(frames.slice(1).every((f) => typeof f.idleMs === 'number' && f.idleMs >= 0 && f.idleMs <= INTERVAL));
    assert.equal(times.at(-1) - frames.at(-1).idleMs, lastInput);
    env.hub.close();
  });

  it('sends the first input after the user went away at once: away turns online immediately', async () => {
    const env = setup();
    const sock = await accept(env);
    await env.clock.advance(IDLE + 500); // the hub has made the user away meanwhile
    sock.receive({ type: 'presence', updates: [record('u1', 'away', 'inactive')] });
    env.page.input('mousemove');
    assert.deepEqual(activity(sock), [{ type: 'activity' }], 'sent synchronously, within the event');
    env.hub.close();
  });

  it('counts the page becoming visible as activity, and becoming hidden not', async () => {
    const env = setup();
    const sock = await accept(env);
    await env.clock.advance(IDLE);
    env.page.visibility('hidden');
    assert.deepEqual(activity(sock), []);
    env.page.visibility('visible');
    assert.deepEqual(activity(sock), [{ type: 'activity' }]);
    env.hub.close();
  });

  it('sends no activity while there is no session, and does not replay it later', async () => {
    const env = setup();
    await settle();
    env.page.input('mousemove');
    const sock = await accept(env);
    assert.deepEqual(activity(sock), []);
    env.hub.close();
  });

  it('reconnects after a network drop with jittered back-off and re-subscribes users and rosters', async () => {
    const env = setup();
    const first = await accept(env);
    const watched = env.hub.subscribe(['t1', 't2']);
    const rosterWatched = env.hub.subscribeRoster('tech');
    const [sub, rosterSub] = first.frames('subscribe');
    first.receive({ type: 'presence', id: sub.id, updates: [record('t1', 'online', 'active', 'tech'), record('t2', 'away', 'inactive', 'tech')] });
    first.receive({ type: 'presence', id: rosterSub.id, updates: [record('t1', 'online', 'active', 'tech')] });
    assert.equal((await watched).length, 2);
    assert.equal((await rosterWatched).length, 1);

    first.serverClose(1006, 'connection lost');
    await settle();
    const closed = env.of('status').at(-1);
    assert.equal(closed.status, 'closed');
    assert.equal(closed.retryInMs, 500, 'attempt 0: uniform in [0, 1000), here random() = 0.5');
    assert.equal(env.net.sockets.length, 1, 'no reconnect before the back-off delay');

    // Subscribing while disconnected: answered by the next session's re-subscription.
    const later = env.hub.subscribe(['t3']);
    await env.clock.advance(500);
    assert.equal(env.net.sockets.length, 2);
    const second = await accept(env);
    const resub = second.frames('subscribe');
    assert.deepEqual(resub.map((f) => f.users ?? f.roster), [['t1', 't2', 't3'], 'tech']);
    second.receive({ type: 'presence', id: resub[0].id, updates: ['t1', 't2', 't3'].map((u) => record(u, 'online', 'active', 'tech')) });
    second.receive({ type: 'presence', id: resub[1].id, updates: [] });
    assert.deepEqual((await later).map((r) => r.user), ['t3']);
    assert.equal(env.hub.record('t3').status, 'online');
    env.hub.close();
  });

  it('after 4503 (node shutting down) reconnects at once to the next node; a subscription made meanwhile is kept', async () => {
    const env = setup({ client: { url: ['http://node-a/presence', 'http://node-b/presence'] } });
    const first = await accept(env);
    assert.equal(first.url, 'http://node-a/presence');
    first.serverClose(4503, 'node shutting down');
    await settle();
    assert.equal(env.of('status').at(-1).retryInMs, 250, 'within drainSpreadMs (500), here random() = 0.5');
    await env.clock.advance(250);
    assert.equal(env.net.last().url, 'http://node-b/presence');
    await accept(env);
    assert.equal(env.hub.status, 'open');
    env.hub.close();
  });

  it('after 4401 retries once with a fresh token, then gives up: error surfaced, no more connections', async () => {
    const env = setup();
    const first = await accept(env);
    const pending = assert.rejects(env.hub.query(['t1']), { code: 'disconnected' });
    first.receive({ type: 'error', code: 'unauthorized', message: 'token expired' });
    first.serverClose(4401, 'token expired');
    await settle();
    await pending;
    assert.equal(env.of('error')[0].code, 'unauthorized');
    const retry = env.of('status').at(-1).retryInMs;
    assert.ok(retry >= 3000, `retry after ${retry} ms`);
    await env.clock.advance(retry);
    await settle();
    const second = env.net.last();
    assert.equal(env.net.sockets.length, 2);
    second.open();
    assert.equal(second.sent[0].token, env.tokens[1], 'a fresh token for the retry');
    second.receive({ type: 'error', code: 'unauthorized', message: 'signature' });
    second.serverClose(4401, 'unauthorized');
    await settle();
    const last = env.of('status').at(-1);
    assert.deepEqual([last.status, last.code, last.final], ['closed', 4401, true]);
    await env.clock.advance(10 * 60_000);
    assert.equal(env.net.sockets.length, 2, 'no hammering after giving up');
    await assert.rejects(env.hub.query(['t1']), { code: 'closed' });
  });

  it('refreshes the token on the open session before it expires, again and again', async () => {
    const env = setup({ tokenTtlMs: 10_000 });
    const sock = await accept(env);
    await env.clock.advance(4999);
    assert.equal(sock.frames('auth').length, 1, 'not before 5 s ahead of exp');
    await env.clock.advance(1);
    let refresh = sock.frames('auth')[1];
    assert.equal(refresh.token, env.tokens[1]);
    assert.ok(refresh.id !== undefined, 'sent as a request, to match its ack');
    sock.receive({ type: 'ack', id: refresh.id, expiresAt: env.clock.now() + 10_000 });
    await settle();
    assert.equal(env.of('refresh').length, 1);
    await env.clock.advance(5000);
    refresh = sock.frames('auth')[2];
    assert.ok(refresh, 'the next refresh follows the expiresAt of the ack');
    assert.equal(env.net.sockets.length, 1, 'all on the same session');
    env.hub.close();
  });

  it('a refused refresh is reported and retried while the current token lasts', async () => {
    const env = setup({ tokenTtlMs: 10_000 });
    const sock = await accept(env);
    await env.clock.advance(5000);
    const refresh = sock.frames('auth')[1];
    sock.receive({ type: 'error', id: refresh.id, code: 'unauthorized', message: 'the new token is for another user' });
    await settle();
    assert.equal(env.of('error').at(-1).code, 'unauthorized');
    await env.clock.advance(2499);
    assert.equal(sock.frames('auth').length, 2);
    await env.clock.advance(1);
    assert.equal(sock.frames('auth').length, 3, 'retried after half the time left (at least 1 s)');
    env.hub.close();
  });

  it('pushChat resolves with the ack and rejects with the error frame', async () => {
    const env = setup();
    const sock = await accept(env);
    const ok = env.hub.pushChat('t1', 'chat.request', { text: 'hi' });
    const push = sock.frames('chat.push')[0];
    assert.deepEqual({ ...push, id: undefined }, { type: 'chat.push', to: 't1', kind: 'chat.request', payload: { text: 'hi' }, id: undefined });
    sock.receive({ type: 'ack', id: push.id, delivered: 2 });
    assert.equal((await ok).delivered, 2);

    const refused = env.hub.pushChat('c2', 'chat.request', {});
    const id = sock.frames('chat.push')[1].id;
    const frame = { type: 'error', id, code: 'not_reachable', message: 'c2 is away', status: 'away' };
    sock.receive(frame);
    await assert.rejects(refused, (e) => {
      assert.equal(e.name, 'PresenceError');
      assert.deepEqual(e.frame, frame);
      assert.equal(e.code, 'not_reachable');
      assert.equal(e.status, 'away');
      return true;
    });
    assert.deepEqual(env.of('error'), [], 'an answered error is not also an error event');
    env.hub.close();
  });

  it('delivers chat frames and presence changes as events, one record per presence event', async () => {
    const env = setup();
    const sock = await accept(env);
    const chat = { type: 'chat.request', from: { id: 't1', role: 'tech', name: 'Tess' }, payload: { text: 'hello' } };
    sock.receive(chat);
    sock.receive({ type: 'presence', updates: [record('t1', 'away', 'preferred', 'tech'), record('t2', 'offline', 'disconnected', 'tech')] });
    assert.deepEqual(env.of('chat.request'), [chat]);
    assert.deepEqual(env.of('presence').slice(1).map((r) => `${r.user}:${r.status}`), ['t1:away', 't2:offline']);
    env.hub.close();
  });

  it('answers a query with records without raising presence events; requests made before the welcome wait for it', async () => {
    const env = setup();
    const early = env.hub.query(['t1']);
    const sock = await accept(env);
    const q = sock.frames('query')[0];
    assert.deepEqual(q.users, ['t1']);
    sock.receive({ type: 'presence', id: q.id, updates: [record('t1', 'away', 'inactive', 'tech')] });
    assert.equal((await early)[0].status, 'away');
    assert.equal(env.of('presence').length, 1, 'only the welcome record');
    env.hub.close();
  });

  it('fails a request the hub never answers after requestTimeoutMs', async () => {
    const env = setup();
    await accept(env);
    const p = env.hub.setPresence('away', { until: new Date(Date.UTC(2030, 0, 1)) });
    const rejected = assert.rejects(p, { code: 'timeout' });
    await env.clock.advance(15_000);
    await rejected;
    env.hub.close();
  });

  it('close() sends bye, ends the socket and never reconnects', async () => {
    const env = setup();
    const sock = await accept(env);
    env.hub.close();
    assert.deepEqual(sock.sent.at(-1), { type: 'bye' });
    assert.equal(sock.closedByClient.code, 1000);
    await env.clock.advance(60_000);
    assert.equal(env.net.sockets.length, 1);
    assert.deepEqual([env.hub.status, env.of('status').at(-1).final], ['closed', true]);
  });

  it('sends bye on pagehide; back from the back/forward cache it connects again', async () => {
    const env = setup();
    const sock = await accept(env);
    env.page.pagehide(true);
    assert.deepEqual(sock.sent.at(-1), { type: 'bye' });
    await env.clock.advance(60_000);
    assert.equal(env.net.sockets.length, 1, 'no reconnect while the page is hidden away');
    env.page.pageshow(true);
    await accept(env);
    assert.equal(env.net.sockets.length, 2);
    env.hub.close();
  });

  it('backs off when the token callback fails, and reports why', async () => {
    let calls = 0;
    const env = setup({
      client: {
        token: async () => {
          calls += 1;
          throw new Error('login service down');
        },
      },
    });
    await settle();
    assert.equal(env.of('error')[0].code, 'token');
    assert.match(env.of('error')[0].message, /login service down/);
    assert.equal(env.net.sockets.length, 0);
    assert.equal(env.of('status').at(-1).retryInMs, 500);
    await env.clock.advance(500);
    assert.equal(calls, 2);
    env.hub.close();
  });
});
