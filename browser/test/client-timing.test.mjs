// Unit tests of the timing rules in presence-client.js (PresenceClient.timing): pure functions of
// time and randomness, so every case is exact.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import { CLIENT_PATH, PresenceClient, jwtExpiringAt } from '../lib/fakes.mjs';

const { createActivityThrottle, backoffDelay, reconnectPlan, refreshDelay, tokenExpiry, DEFAULTS } = PresenceClient.timing;

/** A small seeded generator, so the jitter tests are reproducible. */
function seeded(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Replays input times through the throttle the way the client does (one flush timer at flushAt)
 * and returns the frames sent: { at, idleMs } (idleMs undefined for an immediate send).
 */
function replay(intervalMs, inputs, openedAt = null) {
  const t = createActivityThrottle(intervalMs);
  if (openedAt !== null) {
    t.opened(openedAt);
  }
  const sent = [];
  let flushAt = null;
  const runFlushUntil = (now) => {
    if (flushAt !== null && flushAt <= now) {
      const f = t.flush(flushAt);
      if (f) {
        sent.push({ at: flushAt, idleMs: f.idleMs });
      }
      flushAt = null;
    }
  };
  for (const at of inputs) {
    runFlushUntil(at);
    const r = t.input(at);
    if (r.send) {
      sent.push({ at, idleMs: undefined });
    } else if (flushAt === null) {
      flushAt = r.flushAt;
    }
  }
  runFlushUntil(Infinity);
  return sent;
}

describe('activity throttle (idleTimeoutMs / 4 between frames)', () => {
  const IDLE = 1500;
  const INTERVAL = IDLE / 4;

  it('sends the first input at once and reports swallowed input at the end of the interval, with its age', () => {
    const sent = replay(INTERVAL, [1000, 1100, 1200]);
    assert.deepEqual(sent, [
      { at: 1000, idleMs: undefined },
      { at: 1000 + INTERVAL, idleMs: 1000 + INTERVAL - 1200 },
    ]);
  });

  it('sends at most one frame per interval while the user keeps interacting', () => {
    const inputs = [];
    for (let at = 0; at <= 10 * INTERVAL; at += 7) {
      inputs.push(at);
    }
    const sent = replay(INTERVAL, inputs);
    for (let i = 1; i < sent.length; i++) {
      assert.ok(sent[i].at - sent[i - 1].at >= INTERVAL, `frames ${i - 1} and ${i} are ${sent[i].at - sent[i - 1].at} ms apart`);
    }
    // ...and no fewer: the hub hears about the stream about every interval, so it never idles out.
    assert.ok(sent.length >= 10, `only ${sent.length} frames for 10 intervals of input`);
    // The last input is never lost: the last frame says when it happened.
    const last = sent[sent.length - 1];
    assert.equal(last.at - (last.idleMs ?? 0), inputs[inputs.length - 1]);
  });

  it('sends the first input after a quiet spell at once, so an away user turns online immediately', () => {
    // Input, then nothing for the whole idle timeout (the hub turns the user away), then a move.
    const sent = replay(INTERVAL, [0, 50, IDLE + 200]);
    assert.deepEqual(sent.at(-1), { at: IDLE + 200, idleMs: undefined });
  });

  it('sends at once whenever a full interval has passed since the last frame, even mid-stream', () => {
    const sent = replay(INTERVAL, [0, INTERVAL, 2 * INTERVAL + 1]);
    assert.deepEqual(sent.map((f) => f.idleMs), [undefined, undefined, undefined]);
  });

  it('counts the opening of a session as activity (the hub does too)', () => {
    const sent = replay(INTERVAL, [10, 20], 0);
    assert.deepEqual(sent, [{ at: INTERVAL, idleMs: INTERVAL - 20 }]);
  });

  it('flushes nothing when nothing was swallowed', () => {
    const t = createActivityThrottle(INTERVAL);
    assert.deepEqual(t.input(0), { send: true });
    assert.equal(t.flush(INTERVAL), null);
    assert.equal(t.pending(), false);
  });
});

describe('reconnect back-off', () => {
  const options = DEFAULTS;

  it('doubles the ceiling per attempt up to backoffMaxMs', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 10].map((a) => backoffDelay(a, options, () => 0.999999) + 1);
    assert.deepEqual(ceilings, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('jitters over the whole range, so clients dropped together do not come back together', () => {
    const random = seeded(42);
    const delays = Array.from({ length: 2000 }, () => backoffDelay(3, options, random));
    assert.ok(delays.every((d) => d >= 0 && d < 8000));
    // Spread evenly: no 400 ms slice of the 8 s window gets much more than its share (5%).
    const buckets = new Array(20).fill(0);
    delays.forEach((d) => buckets[Math.floor(d / 400)]++);
    assert.ok(Math.max(...buckets) < 2000 * 0.075, `buckets ${buckets}`);
    assert.ok(Math.min(...buckets) > 2000 * 0.025, `buckets ${buckets}`);
  });

  it('after 4503 from a session that was open: reconnects at once (within drainSpreadMs), to the next node', () => {
    const random = seeded(7);
    const fresh = { attempt: 0, authFailures: 0 };
    const delays = Array.from({ length: 500 }, () => reconnectPlan(4503, fresh, options, random));
    assert.ok(delays.every((p) => p.nextNode && p.delayMs >= 0 && p.delayMs < options.drainSpreadMs));
    assert.ok(new Set(delays.map((p) => p.delayMs)).size > 100, 'the drain reconnects are spread, not simultaneous');
  });

  it('a second 4503 in a row (no node welcomed us) backs off like any failure', () => {
    const first = reconnectPlan(4503, { attempt: 0, authFailures: 0 }, options, () => 0.5);
    const second = reconnectPlan(4503, first.state, options, () => 0.999999);
    assert.equal(second.delayMs, 1999);
    assert.equal(second.state.attempt, 2);
  });

  it('abnormal closes back off with a growing ceiling', () => {
    let state = { attempt: 0, authFailures: 0 };
    const ceilings = [];
    for (let i = 0; i < 7; i++) {
      const plan = reconnectPlan(1006, state, options, () => 0.999999);
      ceilings.push(plan.delayMs + 1);
      state = plan.state;
    }
    assert.deepEqual(ceilings, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('4401: one retry with a fresh token after authRetryMs or more, then stops', () => {
    const first = reconnectPlan(4401, { attempt: 0, authFailures: 0 }, options, () => 0);
    assert.equal(first.stop, undefined);
    assert.ok(first.delayMs >= options.authRetryMs);
    const second = reconnectPlan(4401, first.state, options, () => 0);
    assert.equal(second.stop, true);
  });

  it('4401s with network failures between them still count as in a row (only a welcome resets them)', () => {
    const first = reconnectPlan(4401, { attempt: 0, authFailures: 0 }, options, () => 0);
    const network = reconnectPlan(1006, first.state, options, () => 0);
    assert.equal(reconnectPlan(4401, network.state, options, () => 0).stop, true);
  });
});

describe('token refresh timing', () => {
  const now = 1_000_000;

  it('refreshes a long-lived token a minute before it expires', () => {
    assert.equal(refreshDelay(now + 3600_000, now), 3540_000);
    assert.equal(refreshDelay(now + 300_000, now), 240_000);
  });

  it('refreshes a token a fifth of its life ahead, but at least 5 s ahead', () => {
    assert.equal(refreshDelay(now + 60_000, now), 48_000);
    assert.equal(refreshDelay(now + 20_000, now), 15_000);
    assert.equal(refreshDelay(now + 10_000, now), 5000);
  });

  it('refreshes a token shorter than 10 s at half its life', () => {
    assert.equal(refreshDelay(now + 4000, now), 2000);
    assert.equal(refreshDelay(now + 800, now), 400);
  });

  it('refreshes at once when the token has expired', () => {
    assert.equal(refreshDelay(now - 5, now), 0);
    assert.equal(refreshDelay(now, now), 0);
  });

  it('reads exp from a JWT, and nothing from anything else', () => {
    assert.equal(tokenExpiry(jwtExpiringAt(1_767_225_600_000)), 1_767_225_600_000);
    assert.equal(tokenExpiry('not-a-jwt'), null);
    assert.equal(tokenExpiry('a.b.c'), null);
    assert.equal(tokenExpiry(undefined), null);
  });
});

describe('packaging', () => {
  it('as a classic script, defines PresenceClient on the global object', () => {
    const sandbox = {};
    vm.runInNewContext(readFileSync(CLIENT_PATH, 'utf8'), sandbox, { filename: 'presence-client.js' });
    assert.equal(typeof sandbox.PresenceClient.connect, 'function');
    assert.equal(typeof sandbox.PresenceClient.timing.createActivityThrottle, 'function');
  });
});
