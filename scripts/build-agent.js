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
//
// classic-level stays outside: it finds its native addon relative to its own
// folder. A failed build removes the manifest first, so no bundle runs.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { BUNDLE_FILE, fingerprint, MANIFEST_FILE, MANIFEST_VERSION } from '../bin/agent-bundle.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const ENTRY = 'agent/cli/mesh-agent-main.ts'
/** Files that shape the bundle without being read by esbuild as modules. */
const SETTINGS_FILES = ['package.json', 'package-lock.json', 'node_modules/.package-lock.json', 'tsconfig.json', 'scripts/build-agent.js', 'bin/agent-bundle.js']
const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' }

function relative (abs) {
  return path.relative(ROOT, abs).split(path.sep).join('/')
}

/** An esbuild plugin that reads every module itself, so the manifest hashes exactly the bytes that were bundled. */
function fingerprintInputs (inputs) {
  return {
    name: 'fingerprint-inputs',
    setup (b) {
      b.onLoad({ filter: /.*/, namespace: 'file' }, (args) => {
        const { entry, bytes } = fingerprint(args.path)
        inputs[relative(args.path)] = entry
        return { contents: bytes, loader: LOADERS[path.extname(args.path)] ?? 'default' }
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
    plugins: [fingerprintInputs(inputs)]
  })
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
