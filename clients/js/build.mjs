// Builds @presence-hub/client from src/ with esbuild (pinned in package.json, so the output is
// byte-for-byte reproducible):
//
//   dist/index.mjs          ES module for Node and bundlers (imports sockjs-client)
//   dist/index.cjs          CommonJS for Node and bundlers (requires sockjs-client)
//   dist/presence-client.js   browser IIFE, defines window.PresenceClient (what the hub serves)
//   dist/presence-client.mjs  standalone browser ES module (what the hub serves)
//
//   node build.mjs                   builds dist/
//   node build.mjs --outdir DIR      builds into DIR
//   node build.mjs --webroot         builds dist/, then copies the two browser files into the hub's
//                                    src/main/resources/webroot (they are committed: the jar is
//                                    built without Node)
//   node build.mjs --check-webroot   builds into a temporary folder and exits 1, naming the files,
//                                    when the hub's committed copies differ from the sources

import { build } from 'esbuild';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const WEBROOT = path.resolve(HERE, '../../src/main/resources/webroot');
/** The files the hub serves, built here and committed there. */
export const WEBROOT_FILES = ['presence-client.js', 'presence-client.mjs'];

const pkg = JSON.parse(readFileSync(path.join(HERE, 'package.json'), 'utf8'));
const BANNER = `// ${pkg.name} ${pkg.version} (${pkg.license}): built by esbuild from clients/js/src; do not edit, run \`npm run build:webroot --prefix clients/js\`.`;

const COMMON = {
  bundle: true,
  // Paths in the output's comments are relative to this folder, wherever the build is run from.
  absWorkingDir: HERE,
  charset: 'utf8',
  // The source's own syntax (classes, async functions) is kept: every browser the portal targets has it.
  target: 'es2020',
  legalComments: 'inline',
  logLevel: 'warning',
  banner: { js: BANNER },
};

/** Builds the four files into outdir. */
export async function buildAll(outdir) {
  const out = (name) => path.join(outdir, name);
  await Promise.all([
    build({ ...COMMON, entryPoints: [path.join(HERE, 'src/index.js')], outfile: out('index.mjs'), format: 'esm', platform: 'neutral', external: ['sockjs-client'] }),
    build({ ...COMMON, entryPoints: [path.join(HERE, 'src/index.js')], outfile: out('index.cjs'), format: 'cjs', platform: 'node', external: ['sockjs-client'] }),
    build({ ...COMMON, entryPoints: [path.join(HERE, 'src/global.js')], outfile: out('presence-client.js'), format: 'iife', globalName: 'PresenceClient', platform: 'browser' }),
    build({ ...COMMON, entryPoints: [path.join(HERE, 'src/module.js')], outfile: out('presence-client.mjs'), format: 'esm', platform: 'browser' }),
  ]);
}

/** The webroot files that differ from a fresh build (empty when in sync). */
export async function webrootDifferences() {
  const tmp = mkdtempSync(path.join(tmpdir(), 'presence-client-build-'));
  try {
    await buildAll(tmp);
    return WEBROOT_FILES.filter((f) => {
      let committed;
      try {
        committed = readFileSync(path.join(WEBROOT, f), 'utf8');
      } catch {
        return true;
      }
      return committed !== readFileSync(path.join(tmp, f), 'utf8');
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(argv) {
  if (argv.includes('--check-webroot')) {
    const stale = await webrootDifferences();
    if (stale.length) {
      console.error(`src/main/resources/webroot is out of date for ${stale.join(', ')}: run \`npm run build:webroot --prefix clients/js\` and commit`);
      process.exit(1);
    }
    console.log('webroot bundles match clients/js/src');
    return;
  }
  const i = argv.indexOf('--outdir');
  const outdir = i >= 0 ? path.resolve(argv[i + 1]) : path.join(HERE, 'dist');
  await buildAll(outdir);
  if (argv.includes('--webroot')) {
    for (const f of WEBROOT_FILES) {
      copyFileSync(path.join(outdir, f), path.join(WEBROOT, f));
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
