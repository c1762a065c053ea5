// Where a JVM's CPU samples went, from a Java Flight Recorder file (e.g. one written by
// `node bench/throughput.mjs --jfr DIR`, or --jfr on sessions.mjs / churn.mjs / fanout.mjs): the top
// methods by self samples (the frame on top of the stack), and by package of the top frame, as
// shares of all execution samples; with --inclusive also the methods and packages found anywhere in
// the sampled stacks (up to --depth frames), which shows the paths (handshake, JWT, JSON, ...) that
// self time spreads over many small methods.
//
//   node bench/jfr-top.mjs FILE.jfr [--top 25] [--inclusive] [--depth 64] [--thread REGEX]
//
// --thread keeps the samples of matching threads only (e.g. 'vert.x-eventloop').
import { execFileSync } from 'node:child_process';
import { parseOptions, refuse } from './loadgen/lib.mjs';

const { values: opt, positionals } = parseOptions('jfr-top.mjs', { allowPositionals: true, options: {
  top: { type: 'string', default: '25' },
  inclusive: { type: 'boolean', default: false },
  depth: { type: 'string', default: '64' },
  thread: { type: 'string' },
} });
if (positionals.length !== 1) refuse('jfr-top.mjs', 'usage: node bench/jfr-top.mjs FILE.jfr [--top 25] [--inclusive] [--depth 64] [--thread REGEX]');
const depth = opt.inclusive ? Number(opt.depth) : 1;
const json = execFileSync('jfr', ['print', '--json', '--stack-depth', String(depth), '--events', 'jdk.ExecutionSample', positionals[0]],
  { maxBuffer: 1 << 30 }).toString();
const threadRe = opt.thread ? new RegExp(opt.thread) : null;
const events = JSON.parse(json).recording.events
  .filter((e) => !threadRe || threadRe.test(e.values.sampledThread?.javaName ?? e.values.sampledThread?.osName ?? ''));
const byMethod = new Map();
const byPackage = new Map();
const inMethod = new Map();
const inPackage = new Map();
const names = (frame) => {
  const type = frame.method.type.name.replaceAll('/', '.');
  return { name: `${type}.${frame.method.name}`, pkg: type.includes('.') ? type.slice(0, type.lastIndexOf('.')) : '(default)' };
};
const bump = (map, k) => map.set(k, (map.get(k) ?? 0) + 1);
for (const e of events) {
  const frames = e.values.stackTrace?.frames ?? [];
  if (!frames.length) continue;
  const top = names(frames[0]);
  bump(byMethod, top.name);
  bump(byPackage, top.pkg);
  if (opt.inclusive) {
    const ms = new Set(); const ps = new Set();
    for (const f of frames) { const n = names(f); ms.add(n.name); ps.add(n.pkg); }
    ms.forEach((m) => bump(inMethod, m));
    ps.forEach((p) => bump(inPackage, p));
  }
}
const total = events.length;
const show = (title, map) => {
  console.log(`${title} (${total} samples${threadRe ? `, threads /${opt.thread}/` : ''})`);
  for (const [k, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(opt.top))) {
    console.log(`  ${(100 * n / total).toFixed(1).padStart(5)}%  ${k}`);
  }
};
show('top methods, self', byMethod);
show('top packages, self', byPackage);
if (opt.inclusive) {
  show(`methods anywhere in the stack (up to ${depth} frames)`, inMethod);
  show(`packages anywhere in the stack (up to ${depth} frames)`, inPackage);
}
