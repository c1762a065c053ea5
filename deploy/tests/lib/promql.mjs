// The metric names a PromQL expression reads: what is left once strings, label matchers, ranges,
// offsets, label lists (by, without, on, ignoring, group_left/right) and function calls are taken out.

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

export function metricNames(expr) {
  let e = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/'(?:[^'\\]|\\.)*'/g, "''")
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\boffset\s+[0-9a-z]+/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set();
  for (const m of e.matchAll(/(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const rest = e.slice(m.index + m[0].length).trimStart();
    if (rest.startsWith('(') || KEYWORDS.has(m[0])) {
      continue;
    }
    names.add(m[0]);
  }
  return [...names].sort();
}

/** Series names of a Prometheus text exposition. */
export function servedNames(exposition) {
  const names = new Set();
  for (const line of exposition.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (m) {
      names.add(m[1]);
    }
  }
  return names;
}
