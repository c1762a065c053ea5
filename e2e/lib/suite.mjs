// The presence suite (PROTOCOL.md §2-§4), defined once and run per SockJS transport.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  AUTH_TIMEOUT_MS, CLOCK_TOLERANCE_MS, DEADLINE_MS, GRACE_MS, HubSocket, IDLE_MS, MAX_FRAME_BYTES, SLACK_MS, TRANSPORTS,
  closeAll, connect, foreignToken, hubUrl, mintToken, pause, tamperedToken, uid,
} from './hub.mjs';

/** Per test; the JUnit runner's hard limit for the whole run is 5 minutes. */
const TEST_TIMEOUT_MS = 60_000;

/** A fresh tenant and user ids for one test, so tests never see each other. */
function fresh(transport) {
  const tenant = uid(`t-${transport}`);
  return { tenant, id: (name) => uid(name) };
}

const isUser = (user, extra = () => true) => (r) => r.user === user && extra(r);
const hasStatus = (user, status, reason) => isUser(user, (r) => r.status === status && (!reason || r.reason === reason));

function assertRecord(r, { user, role, status, reason }) {
  assert.equal(r.user, user, `record user: ${JSON.stringify(r)}`);
  if (role !== undefined) {
    assert.equal(r.role, role, `record role: ${JSON.stringify(r)}`);
  }
  assert.equal(r.status, status, `record status: ${JSON.stringify(r)}`);
  assert.equal(r.reason, reason, `record reason: ${JSON.stringify(r)}`);
  if (status !== 'offline') {
    assert.equal(typeof r.since, 'number', `record since: ${JSON.stringify(r)}`);
  }
  assert.ok(r.lastActiveAt === null || typeof r.lastActiveAt === 'number', `record lastActiveAt: ${JSON.stringify(r)}`);
}

/** A tech session of the tenant that watches `users` (subscribe), after their snapshot arrived. */
async function watcher(transport, tenant, users) {
  const w = await connect(transport, { tenant, user: uid('watcher'), role: 'tech', label: 'watcher' });
  const snap = await w.request({ type: 'subscribe', users });
  assert.equal(snap.type, 'presence', `subscribe answered ${JSON.stringify(snap)}`);
  assert.deepEqual(snap.updates.map((r) => r.user), users, 'the snapshot lists the watched users');
  return { w, snapshot: Object.fromEntries(snap.updates.map((r) => [r.user, r])) };
}

/**
 * Expects the hub to refuse the session: close code 4401 and no welcome. The contract requires
 * only the close code; an error frame before it, if any, must say `unauthorized` (that it arrives
 * on xhr-polling too is guarded by test/xhr-polling-guards.test.mjs).
 */
async function expectRefused(hs, deadline = DEADLINE_MS) {
  const closed = await hs.waitClosed(deadline);
  assert.equal(closed.code, 4401, `close code (reason '${closed.reason}'); frames: ${hs.recent()}`);
  assert.ok(!hs.log.some((f) => f.type === 'welcome'), `no welcome may be sent: ${hs.recent()}`);
  for (const err of hs.log.filter((f) => f.type === 'error')) {
    assert.equal(err.code, 'unauthorized', JSON.stringify(err));
  }
  return closed;
}

export function definePresenceSuite(transport) {
  const skip = TRANSPORTS.includes(transport) ? false : `transport ${transport} not in HUB_TRANSPORTS`;

  describe(`presence over SockJS ${transport}`, { skip, timeout: 4 * TEST_TIMEOUT_MS }, () => {
    afterEach(closeAll);
    const opts = { timeout: TEST_TIMEOUT_MS };

    // ---- §3 authentication -----------------------------------------------------------------

    it('a valid token gets a welcome with the user, its presence and the idle timeout', opts, async () => {
      const { tenant, id } = fresh(transport);
      const user = id('client');
      const before = Date.now();
      const c = await connect(transport, { tenant, user, role: 'client', name: 'Carla Client' });
      const wl = c.welcome;
      assert.equal(typeof wl.session, 'string');
      assert.ok(wl.session.length > 0, 'welcome.session is set');
      assert.deepEqual({ id: wl.user.id, tenant: wl.user.tenant, role: wl.user.role }, { id: user, tenant, role: 'client' });
      assertRecord(wl.presence, { user, role: 'client', status: 'online', reason: 'active' });
      assert.ok(wl.presence.lastActiveAt >= before - CLOCK_TOLERANCE_MS, 'opening a session counts as activity');
      assert.equal(wl.idleTimeoutMs, IDLE_MS, 'welcome.idleTimeoutMs is the hub\'s idle timeout (HUB_IDLE_MS)');
      // The session is really open: a request gets its reply.
      await c.expectAck({ type: 'activity' });
    });

    it('a token with a bad signature never opens a session: close 4401', opts, async () => {
      const { tenant, id } = fresh(transport);
      const user = id('tech');
      const { w } = await watcher(transport, tenant, [user]);
      const good = await mintToken({ tenant, user, role: 'tech' }, hubUrl(transport));
      const hs = await HubSocket.open(transport, 'tampered');
      hs.send({ type: 'auth', token: tamperedToken(good) });
      await expectRefused(hs);
      // Had a session opened, the user would now be online (or lingering in the grace).
      const now = await w.query([user]);
      assertRecord(now[user], { user, status: 'offline', reason: 'disconnected' });
      assert.ok(!w.log.some((f) => f.type === 'presence' && f.updates.some((r) => r.user === user && r.status !== 'offline')),
        `the watcher never saw ${user} present: ${w.recent()}`);
    });

    it('a token signed with another secret, and a non-JWT token, get close 4401', opts, async () => {
      const { tenant, id } = fresh(transport);
      const foreign = await HubSocket.open(transport, 'foreign');
      foreign.send({ type: 'auth', token: foreignToken({ tenant, user: id('client'), role: 'client' }) });
      const junk = await HubSocket.open(transport, 'junk');
      junk.send({ type: 'auth', token: 'not-a-jwt' });
      await expectRefused(foreign);
      await expectRefused(junk);
    });

    it('a first frame other than auth gets close 4401', opts, async () => {
      const hs = await HubSocket.open(transport, 'no-auth');
      hs.send({ type: 'subscribe', roster: 'tech' });
      await expectRefused(hs);
    });

    it('no auth frame within authTimeoutMs gets close 4401', {
      ...opts, skip: AUTH_TIMEOUT_MS === null ? 'HUB_AUTH_TIMEOUT_MS not set' : false,
    }, async () => {
      const hs = await HubSocket.open(transport, 'silent');
      const closed = await expectRefused(hs, AUTH_TIMEOUT_MS + DEADLINE_MS);
      assert.ok(closed.at - hs.openedAt >= AUTH_TIMEOUT_MS - CLOCK_TOLERANCE_MS - 100,
        `closed ${closed.at - hs.openedAt} ms after opening, before the auth timeout of ${AUTH_TIMEOUT_MS} ms`);
    });

    // ---- §2 idle -> away -> activity -> online ------------------------------------------------

    it('no activity for idleTimeoutMs turns the user away (inactive); activity brings it back online', opts, async () => {
      const { tenant, id } = fresh(transport);
      const user = id('client');
      const { w } = await watcher(transport, tenant, [user]);
      const c = await connect(transport, { tenant, user, role: 'client' });
      const lastActive = c.welcome.presence.lastActiveAt;
      await w.nextUpdate(hasStatus(user, 'online', 'active'), DEADLINE_MS, `${user} online`);

      const bound = lastActive + IDLE_MS;
      const away = await c.nextUpdate(isUser(user, (r) => r.status !== 'online'), IDLE_MS + 1000 + SLACK_MS + DEADLINE_MS, `own away after ${IDLE_MS} ms idle`);
      assertRecord(away, { user, role: 'client', status: 'away', reason: 'inactive' });
      assert.equal(away.lastActiveAt, lastActive, 'no activity since the session opened');
      assert.ok(away.receivedAt >= bound - CLOCK_TOLERANCE_MS,
        `away arrived ${bound - away.receivedAt} ms before idleTimeoutMs had passed`);
      assert.ok(away.since >= bound - CLOCK_TOLERANCE_MS && away.since <= bound + 1000,
        `away.since ${away.since} must lie in [lastActiveAt + idle, + 1 s] = [${bound}, ${bound + 1000}]`);
      assert.ok(away.receivedAt <= bound + 1000 + SLACK_MS,
        `away arrived ${away.receivedAt - bound} ms after the idle deadline (contract: within 1 s)`);
      const seen = await w.nextUpdate(isUser(user, (r) => r.status !== 'online'), DEADLINE_MS, `watcher: ${user} away`);
      assertRecord(seen, { user, role: 'client', status: 'away', reason: 'inactive' });

      const activeAt = Date.now();
      const ack = await c.expectAck({ type: 'activity' });
      assert.equal(ack.type, 'ack');
      const back = await c.nextUpdate(isUser(user), DEADLINE_MS, 'own online after activity');
      assertRecord(back, { user, role: 'client', status: 'online', reason: 'active' });
      assert.ok(back.lastActiveAt >= activeAt - CLOCK_TOLERANCE_MS, `lastActiveAt ${back.lastActiveAt} reflects the activity at ${activeAt}`);
      assert.ok(back.since >= activeAt - CLOCK_TOLERANCE_MS, 'since is when it came back online');
      const seenBack = await w.nextUpdate(isUser(user), DEADLINE_MS, `watcher: ${user} online again`);
      assertRecord(seenBack, { user, role: 'client', status: 'online', reason: 'active' });
    });

    // ---- §2 ending sessions --------------------------------------------------------------------

    it('bye makes the user offline at once, without the grace', opts, async () => {
      const { tenant, id } = fresh(transport);
      const user = id('client');
      const { w, snapshot } = await watcher(transport, tenant, [user]);
      assertRecord(snapshot[user], { user, status: 'offline', reason: 'disconnected' });
      const c = await connect(transport, { tenant, user, role: 'client' });
      await w.nextUpdate(hasStatus(user, 'online', 'active'), DEADLINE_MS, `${user} online`);

      const byeAt = Date.now();
      await c.bye();
      const off = await w.nextUpdate(hasStatus(user, 'offline'), DEADLINE_MS, `${user} offline after bye`);
      assertRecord(off, { user, role: 'client', status: 'offline', reason: 'disconnected' });
      assert.ok(off.since >= byeAt - CLOCK_TOLERANCE_MS, 'offline began after the bye');
      assert.ok(off.since < byeAt + GRACE_MS,
        `offline began ${off.since - byeAt} ms after the bye: the grace (${GRACE_MS} ms) must not apply to a bye`);
    });

    it('an abrupt close (no bye) makes the user offline only after offlineGraceMs', opts, async () => {
      const { tenant, id } = fresh(transport);
      const user = id('client');
      const { w } = await watcher(transport, tenant, [user]);
      const c = await connect(transport, { tenant, user, role: 'client' });
      await w.nextUpdate(hasStatus(user, 'online', 'active'), DEADLINE_MS, `${user} online`);

      const closedAt = Date.now();
      c.abort();
      await c.waitClosed();
      // The grace window itself is the behaviour: no offline may be published in it.
      await w.expectNoUpdate(hasStatus(user, 'offline'), Math.max(0, closedAt + GRACE_MS - 100 - Date.now()), `offline of ${user} within the grace`);
      const off = await w.nextUpdate(hasStatus(user, 'offline'), DEADLINE_MS + GRACE_MS, `${user} offline after the grace`);
      assertRecord(off, { user, role: 'client', status: 'offline', reason: 'disconnected' });
      assert.ok(off.since >= closedAt + GRACE_MS - CLOCK_TOLERANCE_MS,
        `offline began ${off.since - closedAt} ms after the close, before the grace of ${GRACE_MS} ms ran out`);
      assert.ok(off.receivedAt >= closedAt + GRACE_MS - CLOCK_TOLERANCE_MS, 'offline published only after the grace');
      const now = await w.query([user]);
      assert.equal(now[user].status, 'offline');
    });

    it('a reconnect within the grace publishes no offline at all', opts, async () => {
      const { tenant, id } = fresh(transport);
      const user = id('client');
      const { w } = await watcher(transport, tenant, [user]);
      const first = await connect(transport, { tenant, user, role: 'client', label: 'first' });
      await w.nextUpdate(hasStatus(user, 'online', 'active'), DEADLINE_MS, `${user} online`);
      const token = await mintToken({ tenant, user, role: 'client' }, hubUrl(transport));
      await first.expectAck({ type: 'activity' }); // no idle transition can fall into this scenario

      const closedAt = Date.now();
      first.abort();
      await first.waitClosed();
      // Reconnect in the middle of the grace (the wait is the scenario: a network blip).
      await pause(Math.max(0, closedAt + Math.floor(GRACE_MS * 0.4) - Date.now()));
      const second = await HubSocket.open(transport, 'second');
      await second.auth(token);
      assertRecord(second.welcome.presence, { user, role: 'client', status: 'online', reason: 'active' });
      assert.equal(second.welcome.presence.since, first.welcome.presence.since,
        'the online period of the first session continues: no offline in between');

      // Well past the end of the first session's grace: still no offline, ever.
      await w.expectNoUpdate(hasStatus(user, 'offline'), closedAt + GRACE_MS + 1000 - Date.now(), `offline of ${user}`);
      const now = await w.query([user]);
      // Online, or away if the idle timeout ran out meanwhile; never offline.
      assert.ok(['online', 'away'].includes(now[user].status), `after the grace: ${JSON.stringify(now[user])}`);

      // Control: the watcher does see the offline when the user really leaves.
      const byeAt = Date.now();
      await second.bye();
      const off = await w.nextUpdate(hasStatus(user, 'offline'), DEADLINE_MS, `${user} offline after bye`);
      assert.ok(off.since >= byeAt - CLOCK_TOLERANCE_MS, `the only offline is the one after the bye: ${JSON.stringify(off)}`);
    });

    it('two tabs of one user are one presence: offline only when the last tab leaves', opts, async () => {
      const { tenant, id } = fresh(transport);
      const user = id('client');
      const { w } = await watcher(transport, tenant, [user]);
      const tab1 = await connect(transport, { tenant, user, role: 'client', label: 'tab1' });
      await w.nextUpdate(hasStatus(user, 'online'), DEADLINE_MS, `${user} online`);
      const tab2 = await connect(transport, { tenant, user, role: 'client', label: 'tab2' });
      assertRecord(tab2.welcome.presence, { user, role: 'client', status: 'online', reason: 'active' });
      assert.equal(tab2.welcome.presence.since, tab1.welcome.presence.since, 'the second tab does not restart the online period');
      assert.notEqual(tab2.welcome.session, tab1.welcome.session, 'each tab is its own session');

      const firstByeAt = Date.now();
      await tab1.bye();
      // One tab left: no offline, neither at once nor after a grace (the window is the behaviour under test).
      await w.expectNoUpdate(hasStatus(user, 'offline'), firstByeAt + GRACE_MS + 200 - Date.now(), `offline of ${user} while tab2 is open`);
      assert.notEqual((await w.query([user]))[user].status, 'offline');
      await tab2.expectAck({ type: 'activity' }); // the remaining tab still works

      const lastByeAt = Date.now();
      await tab2.bye();
      const off = await w.nextUpdate(hasStatus(user, 'offline'), DEADLINE_MS, `${user} offline after the last tab`);
      assertRecord(off, { user, role: 'client', status: 'offline', reason: 'disconnected' });
      assert.ok(off.since >= lastByeAt - CLOCK_TOLERANCE_MS, 'offline only after the last tab left');
    });

    // ---- §2/§4 preferred away ------------------------------------------------------------------

    it('a tech\'s preferred away is seen by a client watching the tech roster and survives activity', opts, async () => {
      const { tenant, id } = fresh(transport);
      const techId = id('tech');
      const tech = await connect(transport, { tenant, user: techId, role: 'tech' });
      const client = await connect(transport, { tenant, user: id('client'), role: 'client' });
      const roster = await client.request({ type: 'subscribe', roster: 'tech' });
      assert.equal(roster.type, 'presence', JSON.stringify(roster));
      assert.deepEqual(roster.updates.map((r) => r.user), [techId], 'the roster snapshot lists the tenant\'s one tech');
      assertRecord(roster.updates[0], { user: techId, role: 'tech', status: 'online', reason: 'active' });

      const set = await tech.expectAck({ type: 'presence.set', status: 'away' });
      assertRecord(set.presence, { user: techId, role: 'tech', status: 'away', reason: 'preferred' });
      const away = await client.nextUpdate(isUser(techId), DEADLINE_MS, 'tech away (preferred) on the roster');
      assertRecord(away, { user: techId, role: 'tech', status: 'away', reason: 'preferred' });

      await tech.expectAck({ type: 'activity' });
      await client.expectNoUpdate(isUser(techId), 500, 'roster change after activity of a tech in preferred away');
      assertRecord((await client.query([techId]))[techId], { user: techId, role: 'tech', status: 'away', reason: 'preferred' });

      // It is the tech's setting, not the session's: it holds across a reconnect.
      await tech.bye();
      const off = await client.nextUpdate(isUser(techId), DEADLINE_MS, 'tech offline after bye');
      assert.equal(off.status, 'offline');
      const again = await connect(transport, { tenant, user: techId, role: 'tech', label: 'tech again' });
      assertRecord(again.welcome.presence, { user: techId, role: 'tech', status: 'away', reason: 'preferred' });
      const back = await client.nextUpdate(isUser(techId), DEADLINE_MS, 'tech back, still away');
      assertRecord(back, { user: techId, role: 'tech', status: 'away', reason: 'preferred' });

      const online = await again.expectAck({ type: 'presence.set', status: 'online' });
      assertRecord(online.presence, { user: techId, role: 'tech', status: 'online', reason: 'active' });
      const seen = await client.nextUpdate(isUser(techId), DEADLINE_MS, 'tech online again on the roster');
      assertRecord(seen, { user: techId, role: 'tech', status: 'online', reason: 'active' });

      // A client's presence is automatic.
      const refused = await client.request({ type: 'presence.set', status: 'away' });
      assert.equal(refused.type, 'error', JSON.stringify(refused));
      assert.equal(refused.code, 'forbidden', JSON.stringify(refused));
    });

    // ---- §4 limits -----------------------------------------------------------------------------

    it('a frame over maxFrameBytes gets error too_large, then close 4408', opts, async () => {
      const { tenant, id } = fresh(transport);
      const c = await connect(transport, { tenant, user: id('client'), role: 'client' });
      c.send({ type: 'activity', padding: 'x'.repeat(MAX_FRAME_BYTES + 16) });
      const closed = await c.waitClosed();
      assert.equal(closed.code, 4408, `close code (reason '${closed.reason}'); frames: ${c.recent()}`);
      const errors = c.log.filter((f) => f.type === 'error');
      assert.equal(errors.length, 1, `exactly one error frame before the close: ${c.recent()}`);
      assert.equal(errors[0].code, 'too_large', JSON.stringify(errors[0]));
    });

    // ---- §4 chat.push --------------------------------------------------------------------------

    it('chat.push of a chat.request to an online client reaches every tab of it', opts, async () => {
      const { tenant, id } = fresh(transport);
      const techId = id('tech');
      const clientId = id('client');
      const tech = await connect(transport, { tenant, user: techId, role: 'tech', name: 'Tina Tech' });
      const tab1 = await connect(transport, { tenant, user: clientId, role: 'client', label: 'tab1' });
      const tab2 = await connect(transport, { tenant, user: clientId, role: 'client', label: 'tab2' });
      const payload = { chatId: id('chat'), subject: 'Printer on fire', lines: [1, 2, 3] };

      const ack = await tech.expectAck({ type: 'chat.push', to: clientId, kind: 'chat.request', payload });
      assert.equal(ack.delivered, 2, `delivered to both tabs: ${JSON.stringify(ack)}`);
      for (const tab of [tab1, tab2]) {
        const req = await tab.nextFrame((f) => f.type === 'chat.request', DEADLINE_MS, 'chat.request');
        assert.deepEqual(req.from, { id: techId, role: 'tech', name: 'Tina Tech' });
        assert.deepEqual(req.payload, payload);
      }
      assert.ok(!tech.log.some((f) => f.type === 'chat.request'), 'the sender gets no copy');

      const offlineId = id('client');
      const refused = await tech.request({ type: 'chat.push', to: offlineId, kind: 'chat.request', payload });
      assert.equal(refused.type, 'error', JSON.stringify(refused));
      assert.equal(refused.code, 'not_reachable', JSON.stringify(refused));
      assert.equal(refused.status, 'offline', JSON.stringify(refused));
    });

    it('an away client gets no chat.request but does get chat.message', opts, async () => {
      const { tenant, id } = fresh(transport);
      const techId = id('tech');
      const clientId = id('client');
      const tech = await connect(transport, { tenant, user: techId, role: 'tech' });
      const client = await connect(transport, { tenant, user: clientId, role: 'client' });
      await client.nextUpdate(hasStatus(clientId, 'away', 'inactive'), IDLE_MS + 1000 + SLACK_MS + DEADLINE_MS, 'own away (idle)');

      const refused = await tech.request({ type: 'chat.push', to: clientId, kind: 'chat.request', payload: { n: 1 } });
      assert.equal(refused.type, 'error', JSON.stringify(refused));
      assert.equal(refused.code, 'not_reachable');
      assert.equal(refused.status, 'away');
      const ack = await tech.expectAck({ type: 'chat.push', to: clientId, kind: 'chat.message', payload: { n: 2 } });
      assert.equal(ack.delivered, 1, JSON.stringify(ack));
      const msg = await client.nextFrame((f) => f.type === 'chat.message', DEADLINE_MS, 'chat.message');
      assert.deepEqual(msg.payload, { n: 2 });
      assert.ok(!client.log.some((f) => f.type === 'chat.request'), `the refused chat.request was not delivered: ${client.recent()}`);

      // And a client may push a chat.request to an away tech (techs are reachable while away).
      await tech.nextUpdate(hasStatus(techId, 'away', 'inactive'), IDLE_MS + 1000 + SLACK_MS + DEADLINE_MS, 'tech away (idle)');
      const toTech = await client.expectAck({ type: 'chat.push', to: techId, kind: 'chat.request', payload: { n: 3 } });
      assert.equal(toTech.delivered, 1, JSON.stringify(toTech));
      const req = await tech.nextFrame((f) => f.type === 'chat.request', DEADLINE_MS, 'chat.request from the client');
      assert.deepEqual(req.from.id, clientId);
      assert.deepEqual(req.payload, { n: 3 });
    });
  });
}
