// The npm package @presence-hub/client as an adopter gets it: `npm pack` of clients/js (built by
// Maven before the tests), installed from the tarball into an empty folder, then used
//   - from Node, ESM and CommonJS, with no SockJS of its own: the package's sockjs-client dependency
//     carries a real session to the hub;
//   - from a page on another origin (a static server of the install folder): the IIFE from the
//     tarball with sockjs-client from the installed dependency;
//   - and a portal page on another origin importing /presence-client.mjs straight from the hub,
//     which the hub allows through CORS (allowedOrigins, "*" on the test node).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PACKAGE_DIR } from '../lib/fakes.mjs';
import { DEADLINE_MS, HUB_URL, SKIP, launchBrowser, newPerson, uid } from '../lib/browser.mjs';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const INSTALL_TIMEOUT = { timeout: 6 * DEADLINE_MS };

async function devToken(tenant, user, role = 'tech') {
  const res = await fetch(`${HUB_URL}/dev/token?${new URLSearchParams({ tenant, user, role })}`);
  assert.equal(res.status, 200, 'the hub mints dev tokens');
  return (await res.json()).token;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.cjs': 'text/javascript', '.json': 'application/json' };

/** A static server of `dir` on 127.0.0.1 (another origin than the hub's). */
function staticServer(dir) {
  const server = createServer((req, res) => {
    const file = path.join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('@presence-hub/client from its npm tarball', { skip: SKIP }, () => {
  const tenant = uid('pkg');
  let tmp;
  let app;
  let server;
  let origin;
  let browser;

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'presence-client-pack-'));
    // --ignore-scripts: dist/ is already built (a prepack build here would rewrite files that the
    // unit tests, running in parallel, load).
    const packed = await run(NPM, ['pack', PACKAGE_DIR, '--pack-destination', tmp, '--ignore-scripts', '--json'], { cwd: tmp });
    const tarball = path.join(tmp, JSON.parse(packed.stdout)[0].filename);
    app = path.join(tmp, 'app');
    await run('mkdir', ['-p', app]);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'adopter', version: '1.0.0', private: true }));
    await run(NPM, ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app, timeout: 5 * DEADLINE_MS });
    server = await staticServer(app);
    origin = `http://127.0.0.1:${server.address().port}`;
    assert.notEqual(new URL(origin).origin, new URL(HUB_URL).origin);
    browser = await launchBrowser();
  }, INSTALL_TIMEOUT);

  after(async () => {
    await browser?.close();
    server?.close();
    if (tmp) {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the tarball holds the builds, the declarations and the licence, and depends on sockjs-client', () => {
    const installed = path.join(app, 'node_modules', '@presence-hub', 'client');
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
    assert.equal(manifest.name, '@presence-hub/client');
    assert.deepEqual(Object.keys(manifest.dependencies), ['sockjs-client']);
    for (const f of ['dist/index.mjs', 'dist/index.cjs', 'dist/presence-client.js', 'dist/presence-client.mjs', 'types/index.d.ts', 'LICENSE']) {
      assert.ok(existsSync(path.join(installed, f)), `tarball lacks ${f}`);
    }
    assert.ok(existsSync(path.join(app, 'node_modules', 'sockjs-client', 'package.json')), 'sockjs-client installed with it');
    assert.ok(!existsSync(path.join(installed, 'src')) && !existsSync(path.join(installed, 'test')), 'sources and tests stay out of the tarball');
  });

  for (const [kind, file, code] of [
    ['ES module', 'use.mjs', "import { connect } from '@presence-hub/client';"],
    ['CommonJS', 'use.cjs', "const { connect } = require('@presence-hub/client');"],
  ]) {
    it(`from Node as ${kind}: a session on the real hub through the package's sockjs-client`, INSTALL_TIMEOUT, async () => {
      const user = `t-node-${file.replace('.', '-')}`;
      writeFileSync(path.join(app, file), `${code}
const hub = connect({ url: process.env.HUB_URL + '/presence', token: process.env.TOKEN, trackActivity: false });
const timer = setTimeout(() => { console.log(JSON.stringify({ error: 'no welcome in time', status: hub.status })); process.exit(1); }, ${DEADLINE_MS});
hub.on('error', (e) => console.error('error event', e.code, e.message));
hub.on('welcome', async (w) => {
  const records = await hub.query([w.user.id]);
  hub.close();
  clearTimeout(timer);
  console.log(JSON.stringify({ user: w.user, records: records.map((r) => [r.user, r.status]), status: hub.status }));
  process.exit(0);
});
`);
      const out = await run(process.execPath, [file], {
        cwd: app, timeout: 2 * DEADLINE_MS,
        env: { ...process.env, HUB_URL, TOKEN: await devToken(tenant, user) },
      });
      const result = JSON.parse(out.stdout.trim().split('\n').pop());
      assert.deepEqual(result.user, { id: user, tenant, role: 'tech' });
      assert.deepEqual(result.records, [[user, 'online']]);
      assert.equal(result.status, 'closed');
    });
  }

  it('from a page on another origin: the IIFE of the tarball and the installed sockjs-client', INSTALL_TIMEOUT, async () => {
    writeFileSync(path.join(app, 'index.html'), `<!doctype html><meta charset="utf-8"><title>adopter</title>
<script src="/node_modules/sockjs-client/dist/sockjs.min.js"></script>
<script src="/node_modules/@presence-hub/client/dist/presence-client.js"></script>`);
    const page = await newPerson(browser);
    await page.goto(`${origin}/index.html`);
    const out = await page.evaluate(async ({ hubUrl, token }) => {
      const hub = window.PresenceClient.connect({ url: `${hubUrl}/presence`, token });
      const welcome = await new Promise((resolve, reject) => {
        hub.on('welcome', resolve);
        hub.on('error', reject);
      });
      const ack = await hub.setPresence('away');
      hub.close();
      return { user: welcome.user.id, ack: [ack.presence.status, ack.presence.reason], scripts: [...document.scripts].length };
    }, { hubUrl: HUB_URL, token: await devToken(tenant, 't-page') });
    assert.deepEqual(out, { user: 't-page', ack: ['away', 'preferred'], scripts: 2 }, 'no script added: the page had SockJS');
    assert.deepEqual(page.errors, []);
  });

  it('a portal on another origin imports /presence-client.mjs from the hub (CORS) and it fetches sockjs-client from the hub', INSTALL_TIMEOUT, async () => {
    const page = await newPerson(browser);
    await page.goto(`${origin}/package.json`);
    const cors = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/presence-client.mjs')) {
        cors.push(r.headers()['access-control-allow-origin']);
      }
    });
    const out = await page.evaluate(async ({ hubUrl, token }) => {
      const { connect, PresenceError } = await import(`${hubUrl}/presence-client.mjs`);
      const hub = connect({ url: `${hubUrl}/presence`, token });
      const welcome = await new Promise((resolve, reject) => {
        hub.on('welcome', resolve);
        hub.on('error', reject);
      });
      let refused = null;
      try {
        await hub.pushChat('nobody', 'chat.request', { text: 'hello?' });
      } catch (e) {
        refused = [e instanceof PresenceError, e.code];
      }
      hub.close();
      return {
        user: welcome.user.id, refused, origin: location.origin,
        sockjs: [...document.scripts].map((s) => s.src).filter((s) => s.includes('sockjs')),
      };
    }, { hubUrl: HUB_URL, token: await devToken(tenant, 't-import') });
    assert.equal(out.origin, origin);
    assert.equal(out.user, 't-import');
    assert.deepEqual(out.refused, [true, 'not_reachable']);
    assert.deepEqual(out.sockjs, [`${HUB_URL}/webjars/sockjs-client/1.6.1/dist/sockjs.min.js`]);
    assert.ok(cors.length >= 1 && cors.every((h) => h === '*' || h === origin), `Access-Control-Allow-Origin: ${cors}`);
    assert.deepEqual(page.errors, []);
  });
});
