// presence-client.js itself in headless Chromium against a real hub, without the demo: imported as
// an ES module from the hub, it fetches sockjs-client by itself, keeps a session alive across token
// expiries by refreshing the token, stops after the hub refuses its token twice, and pings the hub
// without breaking the session whether the hub answers pong or not.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEADLINE_MS, HUB_URL, IDLE_MS, SKIP, launchBrowser, newPerson, uid } from '../lib/browser.mjs';

const TIMEOUT = { timeout: 4 * DEADLINE_MS };

describe('presence-client.js in Chromium', { skip: SKIP }, () => {
  const tenant = uid('lib');
  let browser;
  let page;

  before(async () => {
    browser = await launchBrowser();
    page = await newPerson(browser);
    // Any page of the hub's origin will do: the library is imported into it.
    await page.goto(`${HUB_URL}/health/live`);
  });

  after(async () => {
    await browser?.close();
  });

  it('as an ES module, loads sockjs-client from the hub and serves query, pushChat and setPresence', TIMEOUT, async () => {
    const out = await page.evaluate(async ({ tenant }) => {
      const hadSockJS = typeof window.SockJS;
      const { connect, PresenceError } = await import('/presence-client.mjs');
      const token = async () => (await (await fetch(`/dev/token?tenant=${tenant}&user=t-lib&role=tech`)).json()).token;
      const hub = connect({ url: '/presence', token, platform: 'web' });
      const welcome = await new Promise((resolve, reject) => {
        hub.on('welcome', resolve);
        hub.on('error', reject);
      });
      const records = await hub.query(['t-lib', 'nobody']);
      let refused = null;
      try {
        await hub.pushChat('nobody', 'chat.request', { text: 'hello?' });
      } catch (e) {
        refused = { code: e.code, status: e.status, isPresenceError: e instanceof PresenceError, frameType: e.frame.type };
      }
      const ack = await hub.setPresence('away');
      hub.close();
      return {
        hadSockJS,
        hasSockJS: typeof window.SockJS,
        sockjsScripts: [...document.scripts].map((s) => new URL(s.src).pathname).filter((p) => p.includes('sockjs')),
        welcome: { user: welcome.user, idleTimeoutMs: welcome.idleTimeoutMs },
        records: records.map((r) => [r.user, r.status, r.reason]),
        refused,
        ack: { type: ack.type, status: ack.presence.status, reason: ack.presence.reason },
        status: hub.status,
      };
    }, { tenant });

    assert.equal(out.hadSockJS, 'undefined', 'the page had no sockjs-client of its own');
    assert.equal(out.hasSockJS, 'function');
    assert.deepEqual(out.sockjsScripts, ['/webjars/sockjs-client/1.6.1/dist/sockjs.min.js']);
    assert.deepEqual(out.welcome.user, { id: 't-lib', tenant, role: 'tech' });
    assert.equal(typeof out.welcome.idleTimeoutMs, 'number');
    assert.deepEqual(out.records, [['t-lib', 'online', 'active'], ['nobody', 'offline', 'disconnected']]);
    assert.deepEqual(out.refused, { code: 'not_reachable', status: 'offline', isPresenceError: true, frameType: 'error' });
    assert.deepEqual(out.ack, { type: 'ack', status: 'away', reason: 'preferred' });
    assert.equal(out.status, 'closed');
  });

  it('refreshes a short-lived token on the open session: one session outlives several tokens', TIMEOUT, async () => {
    await page.evaluate(({ tenant }) => {
      const log = { welcomes: 0, refreshes: [], statuses: [], errors: [], firstExpiry: null };
      window.refreshLog = log;
      window.PresenceClientModule = import('/presence-client.mjs').then(({ connect, timing }) => {
        const hub = connect({
          url: '/presence',
          // Four-second tokens: each refreshed half-way through its life.
          token: async () => {
            const t = (await (await fetch(`/dev/token?tenant=${tenant}&user=t-refresh&role=tech&ttl=4`)).json()).token;
            if (log.firstExpiry === null) {
              log.firstExpiry = timing.tokenExpiry(t);
            }
            return t;
          },
        });
        hub.on('welcome', () => log.welcomes++);
        hub.on('refresh', (r) => log.refreshes.push(r.expiresAt));
        hub.on('status', (s) => log.statuses.push(s.code ? `${s.status}:${s.code}` : s.status));
        hub.on('error', (e) => log.errors.push(`${e.code}: ${e.message}`));
        window.refreshHub = hub;
      });
    }, { tenant });
    // Three refreshes: the session is then well past the first token's expiry.
    await page.waitForFunction(() => window.refreshLog.refreshes.length >= 3 || window.refreshLog.statuses.some((s) => s.startsWith('closed')),
      null, { timeout: 3 * DEADLINE_MS });
    const log = await page.evaluate(() => {
      window.refreshHub.close();
      return { ...window.refreshLog, now: Date.now() };
    });
    assert.deepEqual(log.errors, []);
    assert.deepEqual(log.statuses.slice(0, 2), ['connecting', 'open'], `statuses ${log.statuses}`);
    assert.equal(log.statuses.length, 3, `the session never closed until close(): ${log.statuses}`);
    assert.equal(log.welcomes, 1);
    assert.ok(log.refreshes.length >= 3);
    assert.ok(log.refreshes[0] > log.firstExpiry && log.refreshes[1] > log.refreshes[0], `expiries ${log.firstExpiry} ${log.refreshes}`);
    assert.ok(log.now > log.firstExpiry, 'the session outlived its first token');
  });

  it('after the hub refuses the token (4401) it retries once, then stops and says so', TIMEOUT, async () => {
    const out = await page.evaluate(async () => {
      const { connect } = await import('/presence-client.mjs');
      let calls = 0;
      const errors = [];
      const hub = connect({
        url: '/presence',
        token: async () => {
          calls += 1;
          return 'not-a-valid.jwt.token';
        },
        authRetryMs: 200,
      });
      hub.on('error', (e) => errors.push(e.code));
      const last = await new Promise((resolve) => {
        hub.on('status', (s) => {
          if (s.status === 'closed' && s.final) {
            resolve(s);
          }
        });
      });
      return { calls, errors, last: { code: last.code, final: last.final }, status: hub.status };
    });
    assert.equal(out.calls, 2, 'one retry with a fresh token, no more');
    assert.deepEqual(out.last, { code: 4401, final: true });
    assert.ok(out.errors.length >= 2 && out.errors.every((c) => c === 'unauthorized'), `errors ${out.errors}`);
    assert.equal(out.status, 'closed');
  });

  it('pings the hub without ever breaking the session, whether the hub answers pong or refuses ping', { timeout: IDLE_MS + 4 * DEADLINE_MS }, async () => {
    const out = await page.evaluate(async ({ tenant, waitMs }) => {
      const { connect } = await import('/presence-client.mjs');
      const token = async () => (await (await fetch(`/dev/token?tenant=${tenant}&user=t-ping&role=tech`)).json()).token;
      // A short interval of its own: a hub before v1.1 announces none (and refuses ping as unknown).
      const hub = connect({ url: '/presence', token, pingIntervalMs: 300 });
      const frames = [];
      const errors = [];
      const statuses = [];
      hub.on('frame', (f) => frames.push(f));
      hub.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
      hub.on('status', (s) => statuses.push(s.status));
      // Pinged every 300 ms, the user still turns away after the hub's idle timeout: a ping is not activity.
      const away = await new Promise((resolve) => {
        hub.on('presence', (r) => r.user === 't-ping' && r.status === 'away' && resolve(`${r.status}/${r.reason}`));
        setTimeout(() => resolve('still online'), waitMs);
      });
      hub.close();
      return {
        pongs: frames.filter((f) => f.type === 'pong').length,
        refusals: frames.filter((f) => f.type === 'error' && String(f.id).startsWith('ping-')).map((f) => f.code),
        errors, statuses, away,
      };
    }, { tenant, waitMs: IDLE_MS + DEADLINE_MS });
    // Either the hub answers pong (v1.1), or it refused the first ping once and was not pinged again.
    assert.ok(out.pongs >= 3 || (out.pongs === 0 && out.refusals.join() === 'bad_request'), JSON.stringify(out));
    assert.deepEqual(out.errors, [], 'an answer to a ping is never an error event');
    assert.deepEqual(out.statuses, ['connecting', 'open', 'closed'], 'one session throughout');
    assert.equal(out.away, 'away/inactive', 'pings kept coming, yet the user went away');
  });

  it('had no script error', () => {
    assert.deepEqual(page.errors, []);
  });
});
