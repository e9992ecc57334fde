#!/usr/bin/env node
// `npm run build:agent` (and the `prepare` script, so `npm ci` runs it): bundles
// `mesh-agent` into one minified CommonJS file, dist/mesh-agent.cjs, and writes
// beside it the manifest of every file it was built from (bin/agent-bundle.js
// says how bin/mesh-agent.js uses it). Issue 3 (resident memory per agent):
//
// - One file instead of about 725 modules: no module records, one script
//   source, no unused exports, shorter names.
// - CommonJS, so the bundle loads Node's modules with require(). An ES-module
//   `import` of a Node module builds a wrapper that reads every export, and
//   node:http's lazy exports then load tls, http2, zlib and undici, which
//   compiles its WebAssembly HTTP parser: about 11 MB per agent for code the
//   agent never runs.
// - No ICU collator: four sort callbacks in libp2p's peer store and utils call
//   String.prototype.localeCompare only to put protocol names, metadata keys
//   and multiaddr strings in a canonical order. The first call makes V8 build
//   an ICU collator, which maps about 2.4 MB more of ICU's data and code into
//   every agent. In the bundle those callbacks compare UTF-16 code units
//   instead: also a total order, and the only one these callers need
//   (LOCALE_COMPARE_FILES; the build warns when a listed file no longer has
//   such a call, so a dependency update cannot silently bring the collator back).
//
// classic-level stays outside: it finds its native addon relative to its own
// folder. A failed build removes the manifest first, so no bundle runs.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { BUNDLE_FILE, fingerprint, MANIFEST_FILE, MANIFEST_VERSION } from '../bin/agent-bundle.js'
import { withCodeUnitCompare } from './code-unit-compare.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const ENTRY = 'agent/cli/mesh-agent-main.ts'
/** Files that shape the bundle without being read by esbuild as modules. */
const SETTINGS_FILES = ['package.json', 'package-lock.json', 'node_modules/.package-lock.json', 'tsconfig.json', 'scripts/build-agent.js', 'scripts/code-unit-compare.js', 'bin/agent-bundle.js']
const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' }
/** Dependency files whose `x.localeCompare(y)` calls (x and y: names, property chains, no-argument calls) become code-unit comparisons. */
const LOCALE_COMPARE_FILES = [
  'node_modules/@libp2p/peer-store/dist/src/utils/dedupe-addresses.js',
  'node_modules/@libp2p/peer-store/dist/src/utils/to-peer-pb.js',
  'node_modules/@libp2p/utils/dist/src/array-equals.js'
]

function relative (abs) {
  return path.relative(ROOT, abs).split(path.sep).join('/')
}

/**
 * An esbuild plugin that reads every module itself, so the manifest hashes exactly the bytes that were
 * bundled, and rewrites the files of LOCALE_COMPARE_FILES.
 */
function fingerprintInputs (inputs, warnings) {
  return {
    name: 'fingerprint-inputs',
    setup (b) {
      b.onLoad({ filter: /.*/, namespace: 'file' }, (args) => {
        const rel = relative(args.path)
        const { entry, bytes } = fingerprint(args.path)
        inputs[rel] = entry
        let contents = bytes
        if (LOCALE_COMPARE_FILES.includes(rel)) {
          const patched = withCodeUnitCompare(bytes.toString('utf8'))
          if (patched.calls === 0) warnings.push(`${rel} has no localeCompare call left to replace; check LOCALE_COMPARE_FILES`)
          contents = patched.text
        }
        return { contents, loader: LOADERS[path.extname(args.path)] ?? 'default' }
      })
    }
  }
}

async function main () {
  rmSync(path.join(ROOT, MANIFEST_FILE), { force: true })
  const inputs = {}
  for (const rel of SETTINGS_FILES) {
    try {
      inputs[rel] = fingerprint(path.join(ROOT, rel)).entry
    } catch (err) {
      if (err.code !== 'ENOENT') throw err
    }
  }
  const started = performance.now()
  const warnings = []
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [ENTRY],
    outfile: BUNDLE_FILE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    tsconfig: 'tsconfig.json',
    external: ['classic-level'],
    // Inputs under their paths in this project (node_modules may be a symlink), as the manifest records them.
    preserveSymlinks: true,
    minify: true,
    legalComments: 'external',
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    plugins: [fingerprintInputs(inputs, warnings)]
  })
  for (const rel of LOCALE_COMPARE_FILES) if (inputs[rel] === undefined) warnings.push(`${rel} is no longer bundled; check LOCALE_COMPARE_FILES`)
  for (const w of warnings) console.warn(`build-agent: warning: ${w}`)
  if (result.errors.length > 0) throw new Error(`esbuild reported ${result.errors.length} errors`)
  const manifest = { version: MANIFEST_VERSION, bundle: fingerprint(path.join(ROOT, BUNDLE_FILE)).entry, inputs }
  const out = path.join(ROOT, MANIFEST_FILE)
  mkdirSync(path.dirname(out), { recursive: true })
  writeFileSync(`${out}.tmp`, `${JSON.stringify(manifest)}\n`)
  renameSync(`${out}.tmp`, out)
  const kb = Math.round(manifest.bundle[0] / 1024)
  console.log(`build-agent: ${BUNDLE_FILE} (${kb} KB from ${Object.keys(inputs).length} files) in ${Math.round(performance.now() - started)} ms`)
}

main().catch((err) => {
  console.error(`build-agent: ${err.stack ?? err.message}`)
  process.exitCode = 1
})
