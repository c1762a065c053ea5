#!/usr/bin/env node
// A help-desk back end that is not on the JVM, using presence-hub's HTTP API (PROTOCOL.md §8,
// docs/http-api.md). Node 18+ and nothing else: global fetch, node:http, node:crypto.
//
//   1. lists the techs a new chat could be offered to (GET …/roster, then …/reachable),
//   2. receives the hub's presence webhooks, verifying X-Presence-Signature over
//      "<X-Presence-Timestamp>.<raw body>" with the endpoint's secret, refusing stale timestamps,
//      and dropping duplicates by event id (webhooks are at least once).
//
// Environment:
//   HUB_URL         the node, e.g. http://127.0.0.1:8080
//   HUB_TOKEN       a service JWT: {"sub":"…","tenant":"<TENANT>","role":"service","exp":…}
//   TENANT          the tenant (the token's tenant claim)
//   WEBHOOK_SECRET  the secret configured for this endpoint on the hub (webhooks[].secret)
//   PORT            where to listen for webhooks (POST /hooks/presence); 0 = do not listen
//
// Every line on stdout is one JSON object, so another program (or a test) can follow along.

import http from 'node:http';
import crypto from 'node:crypto';

const HUB_URL = process.env.HUB_URL ?? 'http://127.0.0.1:8080';
const HUB_TOKEN = process.env.HUB_TOKEN;
const TENANT = process.env.TENANT ?? 'acme';
const WEBHOOK_SECRET = process.env.WEBHOOK_SECRET;
const PORT = Number(process.env.PORT ?? 0);
const MAX_SKEW_S = 300;

const say = (obj) => console.log(JSON.stringify(obj));

async function api(path) {
  const res = await fetch(`${HUB_URL}/api/v1/tenants/${encodeURIComponent(TENANT)}${path}`, {
    headers: { Authorization: `Bearer ${HUB_TOKEN}` },
  });
  const body = await res.json();
  if (!res.ok) {
    // {"code","message"}; the message names the field for a 400.
    throw new Error(`${res.status} ${body.code}: ${body.message}`);
  }
  return body;
}

/** Techs that can take a chat.request now: the roster, checked one by one with reachable. */
async function reachableTechs() {
  const { users } = await api('/roster?role=tech&status=online&status=away');
  const out = [];
  for (const u of users) {
    const r = await api(`/reachable/${encodeURIComponent(u.user)}?kind=chat.request`);
    if (r.reachable) out.push({ user: u.user, status: r.presence.status });
  }
  return out;
}

/** True when the signature is the HMAC of "<timestamp>.<body>" and the timestamp is recent. */
export function verify(secret, timestamp, rawBody, signature, nowS = Math.floor(Date.now() / 1000)) {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(nowS - Number(timestamp)) > MAX_SKEW_S) return false;
  const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function listen() {
  const seen = new Set();
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/hooks/presence') {
      res.writeHead(404).end();
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const ok = verify(WEBHOOK_SECRET, req.headers['x-presence-timestamp'], raw, req.headers['x-presence-signature']);
      if (!ok) {
        say({ event: 'refused', reason: 'bad signature or stale timestamp' });
        res.writeHead(401).end();
        return;
      }
      const batch = JSON.parse(raw.toString('utf8'));
      for (const e of batch.events) {
        if (seen.has(e.id)) continue; // at least once: a retried batch may come again
        seen.add(e.id);
        if (seen.size > 100000) seen.delete(seen.values().next().value);
        say({ event: 'presence', tenant: e.tenant, user: e.user, role: e.role, status: e.status, reason: e.reason, id: e.id });
      }
      // Any 2xx acknowledges the batch; anything else (or no answer) makes the hub retry it.
      res.writeHead(204).end();
    });
  });
  server.listen(PORT, '127.0.0.1', () => say({ event: 'listening', port: server.address().port }));
}

async function main() {
  if (!HUB_TOKEN) {
    console.error('HUB_TOKEN is required (a JWT with role "service" for TENANT)');
    process.exit(2);
  }
  say({ event: 'reachable', tenant: TENANT, techs: await reachableTechs() });
  if (PORT > 0 || process.env.PORT === '0') {
    if (!WEBHOOK_SECRET) {
      console.error('WEBHOOK_SECRET is required to receive webhooks');
      process.exit(2);
    }
    listen();
  }
}

main().catch((err) => {
  say({ event: 'error', message: String(err.message ?? err) });
  process.exit(1);
});
