// Where a JVM's CPU samples went, from a Java Flight Recorder file (e.g. one written by
// `node bench/throughput.mjs --jfr DIR`): the top methods by self samples (the frame on top of the
// stack), and by package of the top frame, as shares of all execution samples.
//
//   node bench/jfr-top.mjs FILE.jfr [--top 25]
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values: opt, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
if (positionals.length !== 1) throw new Error('usage: node bench/jfr-top.mjs FILE.jfr [--top 25]');
const json = execFileSync('jfr', ['print', '--json', '--stack-depth', '1', '--events', 'jdk.ExecutionSample', positionals[0]],
  { maxBuffer: 1 << 30 }).toString();
const events = JSON.parse(json).recording.events;
const byMethod = new Map();
const byPackage = new Map();
for (const e of events) {
  const frame = e.values.stackTrace?.frames?.[0];
  if (!frame) continue;
  const type = frame.method.type.name.replaceAll('/', '.');
  const name = `${type}.${frame.method.name}`;
  const pkg = type.includes('.') ? type.slice(0, type.lastIndexOf('.')) : '(default)';
  byMethod.set(name, (byMethod.get(name) ?? 0) + 1);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + 1);
}
const total = events.length;
const show = (title, map) => {
  console.log(`${title} (${total} samples)`);
  for (const [k, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(opt.top))) {
    console.log(`  ${(100 * n / total).toFixed(1).padStart(5)}%  ${k}`);
  }
};
show('top methods, self', byMethod);
show('top packages, self', byPackage);
