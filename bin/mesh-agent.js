#!/usr/bin/env node
// mesh-agent: a long-running process, so it is started for a small resident
// set (issue 3: under 96 MB per agent in a 20-agent mesh; bench/rss.ts):
//
// 1. V8 flags that only work when given at start-up (a running isolate keeps
//    its young-generation size): the process replaces itself with
//    `node <V8_FLAGS> <same arguments>` (process.execve: same pid, same stdio
//    and signals, so supervisors and benchmarks see one process). Node's
//    default young generation alone is about 30 MB. An operator's own
//    setting of any of these flags (on the command line or in NODE_OPTIONS)
//    wins and nothing is re-executed.
// 2. The JavaScript that `tsc` compiled into dist/ (`npm ci` builds it, see the
//    `prepare` script) when it is at least as new as every source file;
//    otherwise the TypeScript source through tsx's loader, as before. tsx
//    keeps a loader thread with its own heap and the transformed sources:
//    about 13 MB. A stale dist/ is never run: an edited source falls back to tsx.
//
// The project's own tsconfig is named explicitly so that a tsconfig.json in
// the caller's working directory cannot change compilation.
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

// 4 MB semi-spaces: 1 MB and --optimize-for-size saved a few more MB but, with 20 agents on
// 2 cores, made delta propagation p50 734 ms instead of 198 ms (more scavenges, less optimised code).
const V8_FLAGS = ['--max-semi-space-size=4']
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SOURCE_DIRS = ['agent', 'protocols', 'host-bridge']
const MAIN = 'agent/cli/mesh-agent-main'

function flagName (flag) {
  return flag.replace(/^--/, '').split('=')[0].replaceAll('_', '-')
}

function reexecWithFlags () {
  if (typeof process.execve !== 'function') return
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map(flagName)
  if (V8_FLAGS.some((f) => given.includes(flagName(f)))) return
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...V8_FLAGS, ...process.argv.slice(1)], process.env)
}

/** True when every .ts file under the source folders has a .js in dist/ that is at least as new. */
function distIsFresh () {
  try {
    for (const dir of SOURCE_DIRS) {
      for (const rel of readdirSync(path.join(ROOT, dir), { recursive: true })) {
        if (!rel.endsWith('.ts') || rel.endsWith('.d.ts')) continue
        const src = path.join(ROOT, dir, rel)
        const out = path.join(ROOT, 'dist', dir, `${rel.slice(0, -3)}.js`)
        if (statSync(out).mtimeMs < statSync(src).mtimeMs) return false
      }
    }
    return true
  } catch {
    return false
  }
}

reexecWithFlags()
if (distIsFresh()) {
  globalThis[Symbol.for('hauki-mesh.loader')] = 'dist'
  await import(pathToFileURL(path.join(ROOT, 'dist', `${MAIN}.js`)).href)
} else {
  globalThis[Symbol.for('hauki-mesh.loader')] = 'tsx'
  const { register } = await import('tsx/esm/api')
  register({ tsconfig: path.join(ROOT, 'tsconfig.json') })
  await import(pathToFileURL(path.join(ROOT, `${MAIN}.ts`)).href)
}
