// deploy/prometheus with Prometheus's own checker: `promtool check rules` (syntax, PromQL, templates)
// and `promtool test rules` (each alert fires on the series meant to raise it). promtool is
// Debian's package `prometheus` (.ci/run installs it); PROMTOOL overrides the path.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DIR = fileURLToPath(new URL('../../prometheus/', import.meta.url));
const PROMTOOL = process.env.PROMTOOL || '/usr/bin/promtool';

async function promtool(...args) {
  assert.ok(existsSync(PROMTOOL), `${PROMTOOL} not found: install Debian's package prometheus (apt-get install -y prometheus; .ci/run does it)`);
  try {
    return await run(PROMTOOL, args, { cwd: DIR, timeout: 60_000 });
  } catch (e) {
    assert.fail(`promtool ${args.join(' ')} failed:\n${e.stdout}${e.stderr}`);
  }
}

describe('deploy/prometheus', () => {
  it('promtool check rules accepts the alert rules', async () => {
    const out = await promtool('check', 'rules', 'presence-hub-rules.yml');
    const m = /SUCCESS: (\d+) rules found/.exec(out.stdout + out.stderr);
    assert.ok(m && Number(m[1]) >= 8, out.stdout + out.stderr);
  });

  it('promtool test rules: the alerts fire on the series meant to raise them, and only those', async () => {
    const out = await promtool('test', 'rules', 'presence-hub-rules.test.yml');
    assert.match(out.stdout + out.stderr, /SUCCESS/);
  });

  it('promtool does reject a broken rule (so the checks above can fail)', async () => {
    assert.ok(existsSync(PROMTOOL), `${PROMTOOL} not found: install Debian's package prometheus`);
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const tmp = mkdtempSync(path.join((await import('node:os')).tmpdir(), 'rules-'));
    try {
      writeFileSync(path.join(tmp, 'bad.yml'), 'groups:\n  - name: x\n    rules:\n      - alert: Bad\n        expr: sum(rate(presence_sessions[5m])\n');
      await assert.rejects(run(PROMTOOL, ['check', 'rules', path.join(tmp, 'bad.yml')]));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
