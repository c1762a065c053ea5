// Every metric the Grafana dashboard and the alert rules read is one a node really serves:
// METRICS_URL is a running node's /metrics (DeployKitTest starts one). `up` is the one exception:
// Prometheus records it itself for every scrape target.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { metricNames, servedNames } from '../lib/promql.mjs';

const METRICS_URL = process.env.METRICS_URL;
const SYNTHESIZED_BY_PROMETHEUS = new Set(['up']);
const dashboard = JSON.parse(readFileSync(fileURLToPath(new URL('../../grafana/presence-hub.json', import.meta.url)), 'utf8'));
const rules = parse(readFileSync(fileURLToPath(new URL('../../prometheus/presence-hub-rules.yml', import.meta.url)), 'utf8'));

/** [where, expr] of every dashboard query, the template variables' label_values() included. */
function dashboardQueries() {
  const out = [];
  for (const p of dashboard.panels) {
    for (const t of p.targets || []) {
      out.push([`panel "${p.title}" ${t.refId}`, t.expr]);
    }
  }
  for (const v of dashboard.templating.list) {
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    const m = /^label_values\((.+),\s*\w+\)$/.exec(q || '');
    if (m) {
      out.push([`variable ${v.name}`, m[1]]);
    }
  }
  return out;
}

function ruleQueries() {
  return rules.groups.flatMap((g) => g.rules.map((r) => [`rule ${r.alert || r.record}`, r.expr]));
}

describe('metric names in deploy/', { skip: METRICS_URL ? false : 'METRICS_URL is not set (DeployKitTest sets it)' }, () => {
  let served;

  it('the extractor finds metric names and nothing else', () => {
    assert.deepEqual(metricNames('sum by (instance, code) (rate(a_total{job="x", code!="y"}[5m])) / on (instance) group_left b offset 30m > bool 0.9'), ['a_total', 'b']);
    assert.deepEqual(metricNames('max(x{a="sum(y)"}) and z unless rate(w[$__rate_interval])'), ['w', 'x', 'z']);
    assert.deepEqual(metricNames('sum(up{job="presence-hub"}) == 0 and sum(s offset 30m) > 1e3'), ['s', 'up']);
  });

  it('a node serves its metrics', async () => {
    // One request first: Vert.x's HTTP server meters appear with the first request they count.
    assert.equal((await fetch(new URL('/health/live', METRICS_URL))).status, 200);
    const res = await fetch(METRICS_URL);
    assert.equal(res.status, 200);
    served = servedNames(await res.text());
    assert.ok(served.has('presence_sessions') && served.has('jvm_memory_used_bytes'), `served: ${[...served].slice(0, 20)}`);
  });

  for (const [what, queries] of [['the Grafana dashboard', dashboardQueries], ['the alert rules', ruleQueries]]) {
    it(`every metric of ${what} is served by /metrics`, () => {
      assert.ok(served, 'scraped');
      const list = queries();
      assert.ok(list.length >= 8, `${what}: ${list.length} queries`);
      const missing = [];
      for (const [where, expr] of list) {
        const names = metricNames(expr);
        assert.ok(names.length > 0, `${where}: no metric in ${expr}`);
        for (const n of names) {
          if (!served.has(n) && !SYNTHESIZED_BY_PROMETHEUS.has(n)) {
            missing.push(`${where}: ${n}`);
          }
        }
      }
      assert.deepEqual(missing, [], `not served by ${METRICS_URL}`);
    });
  }
});
