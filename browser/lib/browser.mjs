// Helpers for the browser tests: Debian's Chromium driven by playwright-core (no browser download),
// the hub under test from the environment, and numbered screenshots.
//
//   HUB_URL          base URL of a running hub with devTokens on (required; the tests skip without it)
//   HUB_IDLE_MS      the hub's idleTimeoutMs (default 4000)
//   HUB_GRACE_MS     the hub's offlineGraceMs (default 30000)
//   SCREENSHOT_DIR   where screenshots go (default ../target/browser-screenshots)
//   CHROMIUM         the browser binary (default /usr/bin/chromium)
//   DEADLINE_MS      how long to wait for something that should happen now (default 15000: the
//                    machine may be shared and busy; a wait ends as soon as its condition holds)

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

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

export const HUB_URL = (process.env.HUB_URL ?? '').replace(/\/+$/, '');
/** Reason to skip the browser tests, or false. */
export const SKIP = HUB_URL ? false : 'HUB_URL is not set (BrowserSuiteTest sets it; or point it at a hub with devTokens on)';
export const IDLE_MS = envInt('HUB_IDLE_MS', 4000);
export const GRACE_MS = envInt('HUB_GRACE_MS', 30000);
export const DEADLINE_MS = envInt('DEADLINE_MS', 15000);
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR
  || fileURLToPath(new URL('../../target/browser-screenshots', import.meta.url));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/**
 * The launch arguments the project uses for Chromium. Playwright gives every launch a fresh
 * --user-data-dir of its own (a temporary profile, deleted on close) and refuses one in args.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/**
 * A page in its own browser context (its own cookies and storage: another person at another
 * machine), with uncaught page errors collected in page.errors.
 */
export async function newPerson(browser) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  context.setDefaultTimeout(DEADLINE_MS);
  return watch(await context.newPage());
}

/** Another tab of the same person. */
export async function newTab(page) {
  return watch(await page.context().newPage());
}

function watch(page) {
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e && e.stack ? e.stack : e)));
  return page;
}

let runSeq = 0;
const RUN = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;

/** A name unique to this run, for tenants: tests never see each other's users. */
export function uid(prefix) {
  runSeq += 1;
  return `${prefix}-${RUN}-${runSeq}`;
}

/** Saves a full-page screenshot as SCREENSHOT_DIR/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The roster row of `user` in the roster of `role` on `page`, optionally in a given state. */
export function rosterRow(page, role, user, status, reason) {
  let selector = `#roster-${role} li.person[data-user="${user}"]`;
  if (status) {
    selector += `[data-status="${status}"]`;
  }
  if (reason) {
    selector += `[data-reason="${reason}"]`;
  }
  return page.locator(selector);
}

/** Waits until the locator matches a visible element; the timeout message names what was awaited. */
export async function shows(locator, what, timeout = DEADLINE_MS) {
  try {
    await locator.waitFor({ state: 'visible', timeout });
  } catch (e) {
    const err = new Error(`not shown within ${timeout} ms: ${what}`);
    err.cause = e;
    throw err;
  }
}
