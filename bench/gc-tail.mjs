// Where a cross-node latency tail comes from: lines up the samples of
// `bench/cluster-propagation.mjs --dump-latencies DIR` (send time as epoch ms, latency ms) with the
// nodes' unified JVM logs written with
// --jvm-extra="-Xlog:gc*,safepoint:file=DIR/gc-%p.log:timemillis,uptime,level,tags" (the
// timemillis decorator is what lines them up). A sample is "under a pause" when a safepoint (GC or other) of any node began
// inside its flight (send .. arrival); the tail (samples at or above the p99) is split into those
// under a pause and those not, and the pauses of the window are summed per node and cause.
//
//   node bench/gc-tail.mjs DIR [--rate 1000]
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseOptions, refuse } from './loadgen/lib.mjs';

const { values: opt, positionals } = parseOptions('gc-tail.mjs', { allowPositionals: true, options: { rate: { type: 'string', default: '' } } });
const dir = positionals[0];
if (!dir) refuse('gc-tail.mjs', 'usage: node bench/gc-tail.mjs DIR [--rate 1000]');

// Safepoint lines (JDK 17): [0.123s][<timemillis>ms][info][safepoint] Safepoint "G1Collect...", Time since
// last: N ns, Reaching safepoint: N ns, Cleanup: N ns, At safepoint: N ns, Total: N ns
const pauses = [];
for (const f of readdirSync(dir).filter((n) => /^gc-.*\.log/.test(n))) {
  for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n')) {
    const m = /\[(\d{12,})ms\].*\[safepoint\s*\] Safepoint "([^"]+)".*Total: (\d+) ns/.exec(line);
    if (m) {
      const totalMs = Number(m[3]) / 1e6;
      // timemillis is when the line was written: at the end of the safepoint.
      pauses.push({ node: f, cause: m[2], end: Number(m[1]), start: Number(m[1]) - totalMs, ms: totalMs });
    }
  }
}
pauses.sort((a, b) => a.start - b.start);
const files = readdirSync(dir).filter((n) => /^latencies-\d+\.tsv$/.test(n) && (!opt.rate || n === `latencies-${opt.rate}.tsv`));
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
for (const f of files) {
  const samples = readFileSync(path.join(dir, f), 'utf8').trim().split('\n').map((l) => l.split('\t').map(Number));
  const sorted = samples.map((s) => s[1]).sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const p99 = q(99);
  const t0 = samples[0][0];
  const t1 = samples[samples.length - 1][0] + samples[samples.length - 1][1];
  const inWindow = pauses.filter((p) => p.end >= t0 && p.start <= t1);
  let j = 0;
  const under = (s) => {
    const from = s[0]; const to = s[0] + s[1];
    while (j < pauses.length && pauses[j].end < from - 1000) j++;
    for (let k = j; k < pauses.length && pauses[k].start <= to; k++) {
      if (pauses[k].end >= from && pauses[k].start <= to) return pauses[k];
    }
    return null;
  };
  const tail = samples.filter((s) => s[1] >= p99);
  j = 0;
  let tailUnder = 0; let tailPauseMs = 0;
  for (const s of tail) { const p = under(s); if (p) { tailUnder++; tailPauseMs += p.ms; } }
  j = 0;
  const all = samples.filter((s) => under(s)).length;
  const byCause = new Map();
  for (const p of inWindow) {
    const k = `${p.node} ${p.cause}`;
    const e = byCause.get(k) ?? { n: 0, ms: 0, max: 0 };
    e.n++; e.ms += p.ms; e.max = Math.max(e.max, p.ms);
    byCause.set(k, e);
  }
  // Tail samples in time: clustered (bursts) or spread?
  const secs = (t1 - t0) / 1000;
  const buckets = new Map();
  for (const s of tail) { const b = Math.floor((s[0] - t0) / 100); buckets.set(b, (buckets.get(b) ?? 0) + 1); }
  console.log(`${f}: ${samples.length} samples over ${fmt(secs)} s; p50 ${fmt(q(50))} ms, p99 ${fmt(p99)} ms, max ${fmt(sorted[sorted.length - 1])} ms`);
  console.log(`  tail (>= p99): ${tail.length} samples, ${tailUnder} with a safepoint of some node inside their flight (mean pause ${fmt(tailUnder ? tailPauseMs / tailUnder : 0)} ms); all samples with one: ${all} (${fmt((100 * all) / samples.length)} %)`);
  console.log(`  tail samples fall in ${buckets.size} of ${Math.ceil(secs * 10)} 100-ms slots (largest slot ${Math.max(0, ...buckets.values())})`);
  // The worst slots, each with the pauses of any node that overlap it or ended up to 100 ms
  // before it (a queue built up during a pause drains after it).
  const worst = [...buckets.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  for (const [b, n] of worst) {
    const from = t0 + b * 100; const to = from + 100;
    const maxLat = Math.max(...tail.filter((s) => Math.floor((s[0] - t0) / 100) === b).map((s) => s[1]));
    const near = pauses.filter((p) => p.end >= from - 100 && p.start <= to)
      .map((p) => `${p.node} ${p.cause} ${fmt(p.ms)} ms at ${p.start - from >= 0 ? '+' : ''}${fmt(p.start - from)} ms`);
    console.log(`  slot +${b * 100} ms: ${n} tail samples, worst ${fmt(maxLat)} ms; pauses: ${near.join('; ') || 'none'}`);
  }
  const explained = tail.filter((s) => pauses.some((p) => p.end >= s[0] - 100 && p.start <= s[0] + s[1])).length;
  console.log(`  tail samples in flight during a pause or sent up to 100 ms after one ended: ${explained} of ${tail.length}`);
  for (const [k, e] of [...byCause.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`  ${k}: ${e.n} pauses, ${fmt(e.ms)} ms in all, max ${fmt(e.max)} ms`);
  }
}
