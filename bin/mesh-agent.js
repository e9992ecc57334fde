#!/usr/bin/env node
// mesh-agent: a long-running process, so it is started for a small resident
// set (issue 3: under 96 MB per agent in a 20-agent mesh; bench/rss.ts):
//
// 1. Settings that only work when given at start-up: the process replaces
//    itself with `node <NODE_FLAGS> <same arguments>` and the variables of
//    START_ENV added to its environment (process.execve: same pid, same stdio
//    and signals, so supervisors and benchmarks see one process). An
//    operator's own setting of a flag (on the command line or in
//    NODE_OPTIONS) or of a variable wins; the process is re-executed only if
//    something is left to add.
// 2. The bundle that scripts/build-agent.js wrote into dist/ (`npm ci` builds
//    it, see the `prepare` script): one minified CommonJS file instead of
//    about 725 modules, loaded with require() so that no Node module gets an
//    ES-module wrapper. It runs only while every file it was built from is
//    unchanged (bin/agent-bundle.js); otherwise the TypeScript sources run
//    through tsx's loader, as before. tsx keeps a loader thread with its own
//    heap and the transformed sources. A stale bundle is never run: an edited
//    source, an updated dependency or a changed lockfile falls back to tsx.
//
// The project's own tsconfig is named explicitly so that a tsconfig.json in
// the caller's working directory cannot change compilation.
import { bundleStaleness, BUNDLE_FILE } from './agent-bundle.js'

// Measured with `npm run bench -- rss` (20 agents) and `-- procs` (delta propagation):
// - 4 MB semi-spaces: Node's default young generation alone is about 30 MB. 1 MB and
//   --optimize-for-size saved a few more MB but, with 20 agents on 2 cores, made delta
//   propagation p50 734 ms instead of 198 ms (more scavenges, less optimised code).
// - One V8 worker thread instead of 4 (background compiling and garbage collection):
//   each worker keeps a stack and, with glibc, its own malloc arena.
const NODE_FLAGS = ['--max-semi-space-size=4', '--v8-pool-size=1']
// - glibc malloc: one arena (glibc otherwise gives each thread that allocates its own, up
//   to 8 per core, and memory freed in one stays resident for that thread), and fixed
//   128 KiB thresholds for returning the top of the heap to the system and for serving a
//   block from its own mapping (glibc otherwise raises them after the first large free,
//   up to 64 MB and 32 MB, and keeps freed memory). Not set when GLIBC_TUNABLES already
//   tunes malloc: the operator's tunables win.
const START_ENV = { MALLOC_ARENA_MAX: '1', MALLOC_TRIM_THRESHOLD_: '131072', MALLOC_MMAP_THRESHOLD_: '131072' }
const { fileURLToPath, pathToFileURL } = process.getBuiltinModule('node:url')
const path = process.getBuiltinModule('node:path')
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const MAIN = 'agent/cli/mesh-agent-main.ts'

function flagName (flag) {
  return flag.replace(/^--/, '').split('=')[0].replaceAll('_', '-')
}

function reexecWithSettings () {
  if (typeof process.execve !== 'function') return
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map(flagName)
  const flags = NODE_FLAGS.filter((f) => !given.includes(flagName(f)))
  const tunedMalloc = (process.env.GLIBC_TUNABLES ?? '').includes('glibc.malloc.')
  const env = tunedMalloc ? [] : Object.entries(START_ENV).filter(([k]) => process.env[k] === undefined)
  if (flags.length === 0 && env.length === 0) return
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...flags, ...process.argv.slice(1)], { ...process.env, ...Object.fromEntries(env) })
}

reexecWithSettings()
if (bundleStaleness(ROOT) === undefined) {
  globalThis[Symbol.for('hauki-mesh.loader')] = 'bundle'
  process.getBuiltinModule('node:module').createRequire(import.meta.url)(path.join(ROOT, BUNDLE_FILE))
} else {
  globalThis[Symbol.for('hauki-mesh.loader')] = 'tsx'
  const { register } = await import('tsx/esm/api')
  register({ tsconfig: path.join(ROOT, 'tsconfig.json') })
  await import(pathToFileURL(path.join(ROOT, MAIN)).href)
}
