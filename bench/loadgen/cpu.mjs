// Server CPU from /proc: a process's utime+stime, with the JVM's JIT compiler threads
// (C1/C2 CompilerThread*, by the thread's comm name in /proc/<pid>/task/*/stat) apart.
import { readFileSync, readdirSync } from 'node:fs';

const TICK = 100; // USER_HZ: /proc stat times are in 1/100 s

function statTimes(file) {
  const s = readFileSync(file, 'utf8');
  const comm = s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { comm, ms: ((Number(f[11]) + Number(f[12])) * 1000) / TICK };
}

/** {total, jit} CPU ms of a process so far; jit = its C1/C2 compiler threads (0 for a non-JVM). */
export function procCpu(pid) {
  const total = statTimes(`/proc/${pid}/stat`).ms;
  let jit = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const t = statTimes(`/proc/${pid}/task/${tid}/stat`);
      if (/^C[12] CompilerThre/.test(t.comm)) jit += t.ms;
    } catch { /* thread ended */ }
  }
  return { total, jit };
}

/**
 * A JVM's CPU so far by kind of thread, in ms: {jit, gc, vm, eventLoops, workers, hazelcast, other,
 * ended} (by comm name, 15 characters at most; `ended` = the process's total less its live
 * threads', i.e. threads that finished).
 */
export function jvmCpuByKind(pid) {
  const kinds = [['jit', /^C[12] CompilerThre/], ['gc', /^(GC Thread|G1 |GC )/], ['vm', /^VM (Thread|Periodic)/],
    ['eventLoops', /^vert\.x-eventloo/], ['workers', /^vert\.x-(worker|intern)/], ['hazelcast', /^hz\./]];
  const out = { jit: 0, gc: 0, vm: 0, eventLoops: 0, workers: 0, hazelcast: 0, other: 0, ended: 0 };
  let live = 0;
  let total = 0;
  try {
    total = statTimes(`/proc/${pid}/stat`).ms;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const t = statTimes(`/proc/${pid}/task/${tid}/stat`);
        out[(kinds.find(([, re]) => re.test(t.comm)) ?? ['other'])[0]] += t.ms;
        live += t.ms;
      } catch { /* thread ended */ }
    }
  } catch { return out; }
  out.ended = Math.max(0, total - live);
  return out;
}

/** "jit 1200, gc 300, …" (ms) of jvmCpuByKind. */
export const describeCpuByKind = (k) => Object.entries(k).map(([name, ms]) => `${name} ${ms.toFixed(0)}`).join(', ');

/** CPU of `pid` between start() and stop(): {total, jit, nonJit} ms (compiler threads that ended meanwhile count as non-JIT). */
export class ProcCpuWindow {
  constructor(pid) { this.pid = pid; }
  start() { this.c0 = procCpu(this.pid); this.t0 = performance.now(); return this; }
  stop() {
    const c1 = procCpu(this.pid);
    const total = c1.total - this.c0.total;
    const jit = Math.max(0, c1.jit - this.c0.jit);
    return { total, jit, nonJit: total - jit, wallMs: performance.now() - this.t0 };
  }
}

/** "1.23" for ms → µs/ms formatting helpers */
export const fmt = (x) => (!Number.isFinite(x) ? 'n/a' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

/** TcpExt ListenOverflows of this network namespace (/proc/net/netstat): connects dropped because a listen queue was full. */
export function listenOverflows() {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const names = lines[0].split(/\s+/); const values = lines[1].split(/\s+/);
    return Number(values[names.indexOf('ListenOverflows')]);
  } catch { return NaN; }
}
