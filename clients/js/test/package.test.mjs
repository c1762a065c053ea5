// The package as built (dist/ from `npm run build`, which Maven runs before the tests): its
// declared exports load in each form, the hub's committed copies match a fresh build of src/, and
// the hand-written declarations cover the API (tsc --strict over test/types/usage.ts).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { WEBROOT, WEBROOT_FILES, webrootDifferences } from '../build.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const API = ['PresenceError', 'connect', 'timing'];
const TIMING = ['DEFAULTS', 'backoffDelay', 'createActivityThrottle', 'reconnectPlan', 'refreshDelay', 'tokenExpiry'];

describe('@presence-hub/client build output', () => {
  it('CommonJS (require) exports connect, PresenceError and timing, with sockjs-client as its SockJS', () => {
    const m = createRequire(import.meta.url)(path.join(ROOT, pkg.exports['.'].require));
    for (const name of API) {
      assert.ok(m[name], `require() lacks ${name}`);
    }
    assert.deepEqual(Object.keys(m.timing).sort(), TIMING);
    assert.match(readFileSync(path.join(ROOT, pkg.exports['.'].require), 'utf8'), /require\("sockjs-client"\)/);
  });

  it('ES module (import) exports the same, and a default object', async () => {
    const m = await import(pathToFileURL(path.join(ROOT, pkg.exports['.'].import)).href);
    assert.deepEqual(Object.keys(m).sort(), [...API, 'default'].sort());
    assert.equal(m.default.connect, m.connect);
    assert.match(readFileSync(path.join(ROOT, pkg.exports['.'].import), 'utf8'), /from "sockjs-client"/);
  });

  it('the browser IIFE defines PresenceClient on the global object and imports nothing', () => {
    const code = readFileSync(path.join(ROOT, pkg.exports['./iife']), 'utf8');
    const sandbox = {};
    vm.runInNewContext(code, sandbox, { filename: 'presence-client.js' });
    assert.deepEqual(Object.keys(sandbox.PresenceClient).sort(), API);
    assert.doesNotMatch(code, /require\(|\bimport\s*\(|sockjs-client"/);
  });

  it('the standalone browser ES module has no bare import (a page can import it from the hub)', () => {
    const code = readFileSync(path.join(ROOT, pkg.exports['./browser'].default), 'utf8');
    assert.doesNotMatch(code, /^\s*import\s/m);
    assert.match(code, /export \{[^}]*connect/);
  });

  it('src/main/resources/webroot holds exactly what a fresh build of src/ gives (the jar is built without Node)', async () => {
    assert.deepEqual(WEBROOT_FILES, ['presence-client.js', 'presence-client.mjs']);
    const stale = await webrootDifferences();
    assert.deepEqual(stale, [], `${WEBROOT} is out of date for ${stale}: run \`npm run build:webroot --prefix clients/js\` and commit`);
  });

  it('the declarations type-check a use of the whole API, and reject misuse (tsc --strict)', () => {
    // usage.ts imports '@presence-hub/client': resolve it to this package through a node_modules link.
    const linkDir = path.join(ROOT, 'test', 'types', 'node_modules', '@presence-hub');
    rmSync(path.join(ROOT, 'test', 'types', 'node_modules'), { recursive: true, force: true });
    mkdirSync(linkDir, { recursive: true });
    symlinkSync(ROOT, path.join(linkDir, 'client'), 'dir');
    try {
      const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      try {
        execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'test', 'types', 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        assert.fail(`tsc reported errors:\n${e.stdout}${e.stderr}`);
      }
    } finally {
      rmSync(path.join(ROOT, 'test', 'types', 'node_modules'), { recursive: true, force: true });
    }
  });
});
