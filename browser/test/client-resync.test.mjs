// Unit tests of the client's view across reconnects (docs/presence-client.md, Resync): the snapshot
// of every re-subscription replaces what the client held, the view is marked stale while no session
// keeps it up to date, and 'sync' says when it is whole again. Fake SockJS, manual clock.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { record, settle } from '../lib/fakes.mjs';
import { accept, setup, welcome } from '../lib/harness.mjs';

const tech = (user, status = 'online', reason = 'active') => record(user, status, reason, 'tech');
const summary = (records) => records.map((r) => `${r.user}:${r.status}${r.stale ? ':stale' : ''}`).sort();

/** Answers the pending subscribe frames of `sock`, in order, each with its records. */
function answerSubscribes(sock, ...answers) {
  const frames = sock.frames('subscribe');
  assert.equal(frames.length, answers.length, `subscribe frames: ${JSON.stringify(frames)}`);
  frames.forEach((f, i) => sock.receive({ type: 'presence', id: f.id, updates: answers[i] }));
}

/** Drops the session the way a network loss does, and lets the client reconnect after its back-off. */
async function outage(env, sock, duringOutage = async () => {}) {
  sock.serverClose(1006, 'connection lost');
  await settle();
  await duringOutage();
  await env.clock.advance(env.of('status').at(-1).retryInMs);
  return accept(env);
}

describe('presence-client resync after a reconnect', () => {
  it('a roster snapshot replaces the view: a user missing from it is reported offline, a new one appears, then sync', async () => {
    const env = setup();
    const first = await accept(env);
    const watched = env.hub.subscribeRoster('tech');
    answerSubscribes(first, [tech('t1'), tech('t2', 'away', 'inactive')]);
    await watched;
    assert.deepEqual(summary(env.hub.roster('tech')), ['t1:online', 't2:away']);
    assert.equal(env.of('sync').length, 1, 'a sync after the first subscription too');
    assert.deepEqual(env.of('sync')[0].offline, []);

    // t2 leaves and t3 arrives while the portal is disconnected: no frame tells the client.
    const second = await outage(env, first);
    const before = env.of('presence').length;
    answerSubscribes(second, [tech('t1'), tech('t3')]);

    const events = env.of('presence').slice(before).map((r) => `${r.user}:${r.status}`);
    assert.deepEqual(events, ['t1:online', 't3:online', 't2:offline'], 'one presence event per change, the inferred offline included');
    const t2 = env.hub.record('t2');
    assert.deepEqual(t2, { user: 't2', role: 'tech', status: 'offline', reason: 'disconnected', since: null, lastActiveAt: 1, inferred: true });
    assert.deepEqual(summary(env.hub.roster('tech')), ['t1:online', 't2:offline', 't3:online']);
    const sync = env.of('sync').at(-1);
    assert.equal(sync.roster, 'tech');
    assert.deepEqual(sync.offline, ['t2']);
    assert.deepEqual(sync.removed, []);
    assert.deepEqual(summary(sync.records), ['t1:online', 't2:offline', 't3:online']);
    assert.equal(sync.stale, false);
    assert.equal(env.hub.stale, false);
    env.hub.close();
  });

  it('marks the view stale from the moment the session drops until the re-subscriptions are answered', async () => {
    const env = setup();
    const first = await accept(env);
    env.hub.subscribeRoster('tech');
    env.hub.subscribe(['t9']);
    answerSubscribes(first, [tech('t1')], [tech('t9', 'away', 'preferred')]);
    await settle();
    assert.equal(env.hub.stale, false);
    assert.equal(env.hub.record('t1').stale, undefined, 'a confirmed record is the hub\'s own, unmarked');

    first.serverClose(1006, 'connection lost');
    await settle();
    const closed = env.of('status').at(-1);
    assert.deepEqual([closed.status, closed.stale], ['closed', true], 'the status event says the view is stale');
    assert.equal(env.hub.stale, true);
    assert.deepEqual(summary(env.hub.records()), ['t1:online:stale', 't9:away:stale']);
    assert.deepEqual(summary(env.hub.roster('tech')), ['t1:online:stale']);

    await env.clock.advance(closed.retryInMs);
    const second = await accept(env);
    const open = env.of('status').at(-1);
    assert.deepEqual([open.status, open.stale], ['open', true], 'open, but not re-synced yet');
    const [users, roster] = second.frames('subscribe');
    assert.deepEqual([users.users, roster.roster], [['t9'], 'tech']);

    second.receive({ type: 'presence', id: users.id, updates: [tech('t9', 'offline', 'disconnected')] });
    const first_sync = env.of('sync').at(-1);
    assert.deepEqual([first_sync.users, first_sync.stale], [['t9'], true], 'one sync per subscription; stale until the last');
    assert.deepEqual(summary(first_sync.records), ['t9:offline'], 'a users subscription is updated by its snapshot');
    assert.equal(env.hub.record('t1').stale, true, 'the roster is not re-synced yet');

    second.receive({ type: 'presence', id: roster.id, updates: [tech('t1')] });
    assert.deepEqual([env.of('sync').at(-1).roster, env.of('sync').at(-1).stale], ['tech', false]);
    assert.equal(env.hub.stale, false);
    assert.deepEqual(summary(env.hub.records()), ['t1:online', 't9:offline']);
    env.hub.close();
    assert.equal(env.of('status').at(-1).stale, true, 'a closed client keeps no view up to date');
  });

  it('a user already offline and missing from the next snapshot raises no second offline and leaves the view; a session without subscriptions is never stale', async () => {
    const env = setup();
    const first = await accept(env);
    env.hub.subscribeRoster('tech');
    answerSubscribes(first, [tech('t1'), tech('t2')]);
    first.receive({ type: 'presence', updates: [tech('t2', 'offline', 'disconnected')] });
    const second = await outage(env, first);
    const before = env.of('presence').length;
    answerSubscribes(second, [tech('t1')]);
    assert.deepEqual(env.of('presence').slice(before).map((r) => `${r.user}:${r.status}`), ['t1:online']);
    assert.deepEqual(env.of('sync').at(-1).offline, []);
    assert.deepEqual(env.of('sync').at(-1).removed, ['t2']);
    assert.deepEqual(summary(env.hub.roster('tech')), ['t1:online'], 'the roster view is what a fresh page would see');
    assert.equal(env.hub.record('t2'), undefined, 'no subscription watches t2 any more: forgotten');
    env.hub.close();

    const bare = setup();
    const sock = await accept(bare);
    await outage(bare, sock);
    assert.deepEqual(bare.of('status').map((s) => `${s.status}:${s.stale}`),
      ['connecting:false', 'open:false', 'closed:true', 'connecting:true', 'open:false']);
    bare.hub.close();
  });

  it('a user reported by another subscription of the same session is not taken for gone by a roster snapshot', async () => {
    const env = setup();
    const first = await accept(env);
    env.hub.subscribe(['t2']);
    env.hub.subscribeRoster('tech');
    answerSubscribes(first, [tech('t2')], [tech('t1'), tech('t2')]);
    const second = await outage(env, first);
    // The users subscription is answered first and says t2 is away; the roster snapshot, taken a
    // moment later, misses t2 (it went offline meanwhile): the change that says so follows.
    const [users, roster] = second.frames('subscribe');
    second.receive({ type: 'presence', id: users.id, updates: [tech('t2', 'away', 'inactive')] });
    second.receive({ type: 'presence', id: roster.id, updates: [tech('t1')] });
    assert.equal(env.hub.record('t2').status, 'away', 'no inferred offline over a record of this session');
    assert.deepEqual(env.of('sync').at(-1).offline, []);
    second.receive({ type: 'presence', updates: [tech('t2', 'offline', 'disconnected')] });
    assert.equal(env.hub.record('t2').status, 'offline');
    assert.equal(env.hub.record('t2').inferred, undefined, 'the hub\'s own record');
    env.hub.close();
  });

  it('a change for a watched role joins that roster\'s view; roster() lists only that role; unsubscribeRoster empties and forgets it', async () => {
    const env = setup();
    const sock = await accept(env);
    env.hub.subscribeRoster('tech');
    answerSubscribes(sock, []);
    sock.receive({ type: 'presence', updates: [tech('t5'), record('c1', 'online', 'active', 'client')] });
    assert.deepEqual(summary(env.hub.roster('tech')), ['t5:online']);
    assert.deepEqual(env.hub.roster('client'), [], 'not watched');
    const done = env.hub.unsubscribeRoster('tech');
    assert.deepEqual(env.hub.roster('tech'), []);
    assert.equal(env.hub.record('t5'), undefined, 'the records of an unwatched roster are forgotten');
    assert.equal(env.hub.record('u1').status, 'online', "the caller's own record stays");
    sock.receive({ type: 'ack', id: sock.frames('unsubscribe')[0].id });
    await done;
    env.hub.close();
  });

  it('a re-subscription the hub refuses still ends the stale state, with the error in its sync', async () => {
    const env = setup();
    const first = await accept(env);
    env.hub.subscribe(['c1']);
    answerSubscribes(first, [record('c1')]);
    const second = await outage(env, first);
    const sub = second.frames('subscribe')[0];
    second.receive({ type: 'error', id: sub.id, code: 'forbidden', message: 'a client may watch techs only', users: ['c1'] });
    await settle();
    const sync = env.of('sync').at(-1);
    assert.equal(sync.error.code, 'forbidden');
    assert.equal(sync.stale, false);
    assert.equal(env.hub.stale, false);
    assert.equal(env.of('error').at(-1).code, 'forbidden', 'and reported');
    env.hub.close();
  });
});

describe('presence-client ping (docs/protocol.md §4 Liveness)', () => {
  const PING = 1000;

  it('pings at the welcome\'s pingIntervalMs, and a ping is not activity', async () => {
    const env = setup();
    const sock = await accept(env, welcome('u1', 'client', { pingIntervalMs: PING }));
    const openedAt = env.clock.now();
    await env.clock.advance(PING);
    for (let i = 0; i < 4; i++) {
      // A pong that takes its time does not shift the cadence (the next ping is armed from the pong).
      await env.clock.advance(300);
      sock.receive({ type: 'pong', id: sock.frames('ping').at(-1).id });
      await env.clock.advance(PING - 300);
    }
    assert.deepEqual(sock.times('ping').map((t) => t - openedAt), [1000, 2000, 3000, 4000, 5000]);
    assert.ok(sock.frames('ping').every((f) => Object.keys(f).sort().join() === 'id,type'), JSON.stringify(sock.frames('ping')));
    assert.deepEqual(sock.frames('activity'), [], 'five pings, no activity');
    // Had a ping counted as activity in the throttle, this input would wait for the interval's end.
    env.page.input('mousemove');
    assert.deepEqual(sock.frames('activity'), [{ type: 'activity' }], 'the first input after a quiet interval goes out at once');
    env.hub.close();
    await env.clock.advance(10 * PING);
    assert.equal(sock.frames('ping').length, 5, 'no ping after close');
  });

  it('does not ping a hub whose welcome announces no interval; options.pingIntervalMs overrides, 0 turns pings off', async () => {
    const quiet = setup();
    const a = await accept(quiet);
    await quiet.clock.advance(600_000);
    assert.deepEqual(a.frames('ping'), []);
    quiet.hub.close();

    const forced = setup({ client: { pingIntervalMs: 250 } });
    const b = await accept(forced);
    await forced.clock.advance(1000);
    assert.equal(b.frames('ping').length, 4);
    forced.hub.close();

    const off = setup({ client: { pingIntervalMs: 0 } });
    const c = await accept(off, welcome('u1', 'client', { pingIntervalMs: PING }));
    await off.clock.advance(10 * PING);
    assert.deepEqual(c.frames('ping'), []);
    off.hub.close();
  });

  it('a hub that refuses ping as an unknown type is no longer pinged, and the session stays open without an error event', async () => {
    const env = setup({ client: { pingIntervalMs: PING } });
    const sock = await accept(env);
    await env.clock.advance(PING);
    const ping = sock.frames('ping')[0];
    sock.receive({ type: 'error', id: ping.id, code: 'bad_request', message: "type: unknown frame type 'ping'" });
    await env.clock.advance(10 * PING);
    assert.equal(sock.frames('ping').length, 1);
    assert.deepEqual(env.of('error'), []);
    assert.equal(env.hub.status, 'open');
    assert.equal(env.net.sockets.length, 1);
    env.hub.close();
  });

  it('a hub that answers pings but falls silent for a whole interval is a dead link: dropped and reconnected', async () => {
    const env = setup();
    const sock = await accept(env, welcome('u1', 'client', { pingIntervalMs: PING }));
    await env.clock.advance(PING);
    sock.receive({ type: 'pong', id: sock.frames('ping')[0].id });
    await env.clock.advance(PING); // the second ping gets no pong, but a presence frame arrives
    sock.receive({ type: 'presence', updates: [tech('t1')] });
    await env.clock.advance(PING);
    assert.equal(env.hub.status, 'open', 'any frame proves the link');
    assert.equal(sock.frames('ping').length, 3);
    await env.clock.advance(PING); // nothing at all since the third ping
    const closed = env.of('status').at(-1);
    assert.deepEqual([closed.status, closed.code, closed.stale], ['closed', 4000, true]);
    assert.match(closed.reason, /no reply from the hub to a ping within 1000 ms/);
    assert.equal(sock.closedByClient.code, 4000);
    assert.equal(sock.frames('bye').length, 0, 'no bye: the user is not leaving');
    await env.clock.advance(closed.retryInMs);
    assert.equal(env.net.sockets.length, 2, 'reconnects');
    env.hub.close();
  });

  it('a hub that never answered a ping (no pong, no error) is never taken for dead', async () => {
    const env = setup({ client: { pingIntervalMs: PING } });
    const sock = await accept(env);
    await env.clock.advance(20 * PING);
    assert.equal(sock.frames('ping').length, 20);
    assert.equal(env.hub.status, 'open');
    assert.equal(env.net.sockets.length, 1);
    env.hub.close();
  });
});
