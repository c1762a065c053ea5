// The demo portal through an outage, in headless Chromium against a real hub. A client's page
// reaches the hub through a loopback TCP proxy this test controls; the techs' pages reach it
// directly. While the proxy is cut, one tech leaves and another arrives: the client's page greys its
// roster, disables its chat buttons and says what to do, and once reconnected it shows the tech who
// left offline and the one who arrived online (issue 10 §3).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DEADLINE_MS, GRACE_MS, HUB_URL, SKIP, launchBrowser, newPerson, rosterRow, screenshot, shows, uid,
} from '../lib/browser.mjs';
import { TcpProxy } from '../lib/proxy.mjs';

const STEP_TIMEOUT = { timeout: 4 * DEADLINE_MS };

function portalUrl(base, tenant, user, role, name) {
  return `${base}/?${new URLSearchParams({ tenant, user, role, name })}`;
}

describe('demo portal through an outage of its connection', { skip: SKIP }, () => {
  const tenant = uid('outage');
  let proxy;
  let proxied;
  let browser;
  let cleo;
  let tess;
  let tom;

  before(async () => {
    proxy = new TcpProxy(Number(new URL(HUB_URL).port));
    proxied = `http://127.0.0.1:${await proxy.start()}`;
    browser = await launchBrowser();
    cleo = await newPerson(browser);
    tess = await newPerson(browser);
    tom = await newPerson(browser);
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
  });

  it('08: while the connection is cut, the roster greys, chat buttons are disabled and a banner says what to do', STEP_TIMEOUT, async () => {
    await tess.goto(portalUrl(HUB_URL, tenant, 'tess', 'tech', 'Tess'));
    await cleo.goto(portalUrl(proxied, tenant, 'cleo', 'client', 'Cleo'));
    await shows(rosterRow(cleo, 'tech', 'tess', 'online'), "tess online on cleo's page");
    await shows(cleo.locator('#roster-tech button.start-chat[data-user="tess"]:enabled'), 'Start chat enabled for tess');
    assert.equal(await cleo.locator('#connection-banner').isVisible(), false, 'no banner while connected');
    // Every toast the page shows from now on (they vanish after 5 s).
    await cleo.evaluate(() => {
      window.toastLog = [];
      new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach((n) => window.toastLog.push(n.textContent))))
        .observe(document.getElementById('toasts'), { childList: true });
    });

    await proxy.cut();
    await shows(cleo.locator('#portal[data-stale="true"]'), "cleo's view marked stale");
    await shows(cleo.locator('#roster-tech button.start-chat[data-user="tess"]:disabled'), 'Start chat disabled during the outage');
    await shows(cleo.locator('#connection-banner'), 'the outage banner');
    // The page keeps trying; a failed token fetch is explained, not shown as "Failed to fetch".
    await cleo.locator('#banner-text', { hasText: 'cannot be reached' }).waitFor({ timeout: DEADLINE_MS });
    const banner = await cleo.locator('#connection-banner').innerText();
    assert.match(banner, /Connection to the hub lost/);
    assert.match(banner, /Check your network connection/);
    const stale = await cleo.evaluate(() => ({ stale: window.demo.hub.stale, record: window.demo.hub.record('tess') }));
    assert.equal(stale.stale, true);
    assert.equal(stale.record.stale, true, 'the record is marked stale');
    await screenshot(cleo, '08-outage-client');
  });

  it('09: after the reconnect the page shows the tech who left during the outage offline, the one who arrived online', STEP_TIMEOUT, async () => {
    // Tom arrives and Tess leaves (closing her tab says bye) while cleo's page cannot hear of it.
    await tom.goto(portalUrl(HUB_URL, tenant, 'tom', 'tech', 'Tom'));
    await shows(rosterRow(tom, 'tech', 'tess', 'online'), "tess online on tom's page");
    await tess.close();
    await shows(rosterRow(tom, 'tech', 'tess', 'offline'), 'the hub has made tess offline', GRACE_MS);
    assert.equal(await rosterRow(cleo, 'tech', 'tess', 'online').count(), 1, "cleo's page still shows the old view, greyed");

    await proxy.restore();
    // The page retries by itself with back-off; a person in a hurry presses the button.
    const reconnect = cleo.locator('#reconnect-now');
    if (await reconnect.isVisible()) {
      await reconnect.click({ timeout: 2000 }).catch(() => {}); // it may just have started a retry of its own
    }
    await shows(rosterRow(cleo, 'tech', 'tess', 'offline', 'disconnected'), "tess offline on cleo's page after the reconnect", 3 * DEADLINE_MS);
    await shows(rosterRow(cleo, 'tech', 'tom', 'online'), "tom online on cleo's page");
    await shows(cleo.locator('#portal[data-stale="false"]'), "cleo's view fresh again");
    assert.equal(await cleo.locator('#connection-banner').isVisible(), false, 'the banner is gone');
    await shows(cleo.locator('#roster-tech button.start-chat[data-user="tess"]:disabled'), 'no chat for offline tess');
    await shows(cleo.locator('#roster-tech button.start-chat[data-user="tom"]:enabled'), 'Start chat enabled for tom');
    const view = await cleo.evaluate(async () => {
      const hub = window.demo.hub;
      const [truth] = await hub.query(['tess']);
      return { record: hub.record('tess'), truth, stale: hub.stale };
    });
    assert.equal(view.record.status, 'offline');
    assert.equal(view.truth.status, 'offline', 'record() and query() agree');
    assert.equal(view.stale, false);
    await screenshot(cleo, '09-after-reconnect-client');
  });

  it('10: no page had a script error, and the outage raised no error toast (no "Failed to fetch")', async () => {
    assert.deepEqual([...cleo.errors, ...tess.errors, ...tom.errors], []);
    assert.deepEqual(await cleo.evaluate(() => window.toastLog), []);
  });
});
