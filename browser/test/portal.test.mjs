// The demo portal in headless Chromium against a real hub: a tech and a client, each in their own
// browser context, watch each other's presence change. Every step waits for what the other person's
// page shows (no fixed sleeps) and leaves a screenshot of both pages in SCREENSHOT_DIR.
//
// The steps build on each other and run in order. The tech sets Away before the client closes the
// tab, so that the client's page is still there to show it.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DEADLINE_MS, GRACE_MS, HUB_URL, IDLE_MS, SKIP, launchBrowser, newPerson, newTab, rosterRow, screenshot, shows, uid,
} from '../lib/browser.mjs';

const STEP_TIMEOUT = { timeout: IDLE_MS + GRACE_MS + 3 * DEADLINE_MS };

function portalUrl(tenant, user, role, name) {
  return `${HUB_URL}/?${new URLSearchParams({ tenant, user, role, name })}`;
}

/**
 * Moves the mouse on `page` until `locator` shows: for a check that needs the person to be
 * active while the (short) idle timeout keeps running on a busy machine.
 */
async function whileActive(page, locator, what) {
  const end = Date.now() + DEADLINE_MS;
  for (let x = 100; ; x = x === 100 ? 300 : 100) {
    await page.mouse.move(x, 400);
    try {
      await locator.waitFor({ state: 'visible', timeout: Math.max(100, Math.min(IDLE_MS / 2, end - Date.now())) });
      return;
    } catch (e) {
      if (Date.now() >= end) {
        throw new Error(`not shown within ${DEADLINE_MS} ms while active: ${what}`, { cause: e });
      }
    }
  }
}

describe('demo portal: a tech and a client in two browser contexts', { skip: SKIP }, () => {
  const tenant = uid('acme');
  let browser;
  let tech;
  let client;
  let carl;

  before(async () => {
    browser = await launchBrowser();
    tech = await newPerson(browser);
    client = await newPerson(browser);
  });

  after(async () => {
    await browser?.close();
  });

  it('01: the tech signs in with the form, the client with a link; each sees the other online', STEP_TIMEOUT, async () => {
    await tech.goto(`${HUB_URL}/`);
    await tech.fill('input[name="tenant"]', tenant);
    await tech.fill('input[name="user"]', 'tess');
    await tech.fill('input[name="name"]', 'Tess');
    await tech.check('input[name="role"][value="tech"]');
    await tech.click('#sign-in-form button[type="submit"]');
    await shows(tech.locator('#connection[data-status="open"]'), "the tech's page connected");

    await client.goto(portalUrl(tenant, 'cleo', 'client', 'Cleo'));
    // A second client, in another tab, who never touches it: they show how an idle roster looks.
    carl = await newTab(client);
    await carl.goto(portalUrl(tenant, 'carl', 'client', 'Carl'));

    await whileActive(client, rosterRow(tech, 'client', 'cleo', 'online', 'active'), "cleo online on the tech's page");
    await shows(rosterRow(client, 'tech', 'tess', 'online', 'active'), "tess online on the client's page");
    await shows(rosterRow(tech, 'client', 'carl'), "carl listed on the tech's page");
    await shows(tech.locator('#me[data-status="online"]'), "the tech's own status online");
    await screenshot(tech, '01-signed-in-tech');
    await screenshot(client, '01-signed-in-client');
  });

  it('02: the client goes idle and the tech sees them away, no longer offered a chat', STEP_TIMEOUT, async () => {
    const away = rosterRow(tech, 'client', 'cleo', 'away', 'inactive');
    await shows(away, "cleo away/inactive on the tech's page", IDLE_MS + DEADLINE_MS);
    await shows(tech.locator('#roster-client button.start-chat[data-user="cleo"]:disabled'),
      "Start chat disabled for away cleo (clients get chat requests only while online)");
    await shows(client.locator('#me[data-status="away"][data-reason="inactive"]'), "the client's own status away");
    await shows(rosterRow(tech, 'client', 'carl', 'away', 'inactive'), 'carl away too');
    await screenshot(tech, '02-client-idle-tech');
    await screenshot(client, '02-client-idle-client');
  });

  it('03: the client moves the mouse and the tech sees them online again', STEP_TIMEOUT, async () => {
    await client.mouse.move(520, 300);
    await shows(rosterRow(tech, 'client', 'cleo', 'online', 'active'), "cleo online again on the tech's page");
    await shows(tech.locator('#roster-client button.start-chat[data-user="cleo"]:enabled'), 'Start chat enabled again');
    await screenshot(tech, '03-client-active-tech');
    await screenshot(client, '03-client-active-client');
  });

  it('04: the tech starts a chat, the client is notified and accepts, the tech is notified back', STEP_TIMEOUT, async () => {
    const start = tech.locator('#roster-client button.start-chat[data-user="cleo"]');
    await whileActive(client, tech.locator('#roster-client button.start-chat[data-user="cleo"]:enabled'), 'Start chat enabled');
    await start.click();
    const request = client.locator('.notification[data-kind="chat.request"][data-from="tess"]');
    await shows(request, "the chat request on the client's page");
    assert.match(await request.locator('.notification-body').textContent(), /Tess from the help desk/);
    assert.equal(await request.locator('.from').textContent(), 'Tess', 'the sender is named from the token');
    await screenshot(client, '04-chat-request-client');

    await request.locator('button.accept').click();
    const answer = tech.locator('.notification[data-kind="chat.message"][data-from="cleo"]');
    await shows(answer, "the client's answer on the tech's page");
    assert.match(await answer.locator('.notification-body').textContent(), /Cleo accepted/);
    await screenshot(tech, '04-chat-request-tech');
  });

  it('05: the tech sets Away and the client sees it; a tech who chose Away can still be asked for a chat', STEP_TIMEOUT, async () => {
    await tech.click('#away-control');
    await shows(tech.locator('#me[data-status="away"][data-reason="preferred"]'), "the tech's own status away/preferred");
    await shows(rosterRow(client, 'tech', 'tess', 'away', 'preferred'), "tess away/preferred on the client's page");
    await shows(client.locator('#roster-tech button.start-chat[data-user="tess"]:enabled'),
      'Start chat still enabled for an away tech (techs get chat requests while away)');
    await screenshot(client, '05-tech-away-client');
    await screenshot(tech, '05-tech-away-tech');
  });

  it('06: the client closes the tab and the tech sees them offline at once (bye, not the offline grace)', STEP_TIMEOUT, async () => {
    const closedAt = Date.now();
    await client.close();
    const offline = rosterRow(tech, 'client', 'cleo', 'offline', 'disconnected');
    await shows(offline, "cleo offline on the tech's page", GRACE_MS + DEADLINE_MS);
    const tookMs = Date.now() - closedAt;
    assert.ok(tookMs < GRACE_MS,
      `offline after ${tookMs} ms, not before the offline grace (${GRACE_MS} ms): the closing tab sent no bye`);
    await shows(tech.locator('#roster-client button.start-chat[data-user="cleo"]:disabled'), 'no chat for offline cleo');
    await screenshot(tech, '06-client-closed-tech');
  });

  it('07: no page had a script error', () => {
    assert.deepEqual([...tech.errors, ...client.errors, ...(carl ? carl.errors : [])], []);
  });
});
