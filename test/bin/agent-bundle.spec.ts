import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BUNDLE_FILE, bundleStaleness, fingerprint, MANIFEST_FILE, MANIFEST_VERSION } from '../../bin/agent-bundle.js'
import { runNode } from '../helpers/processes.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** A fake project: a bundle, two inputs and the manifest the build would write. */
function fakeProject (dir: string): void {
  mkdirSync(path.join(dir, 'dist'), { recursive: true })
  mkdirSync(path.join(dir, 'agent'), { recursive: true })
  writeFileSync(path.join(dir, 'agent/a.ts'), 'export const a = 1\n')
  writeFileSync(path.join(dir, 'package-lock.json'), '{}\n')
  writeFileSync(path.join(dir, BUNDLE_FILE), 'exports.a = 1\n')
  const inputs = Object.fromEntries(['agent/a.ts', 'package-lock.json'].map((rel) => [rel, fingerprint(path.join(dir, rel)).entry]))
  writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify({ version: MANIFEST_VERSION, bundle: fingerprint(path.join(dir, BUNDLE_FILE)).entry, inputs }))
}

/** Set a file's mtime a minute later without changing its content. */
function touch (file: string): void {
  const later = new Date(Date.now() + 60_000)
  utimesSync(file, later, later)
}

describe('bin/agent-bundle.js: bundleStaleness', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hauki-bundle-'))
    fakeProject(dir)
  })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  it('should accept a bundle whose inputs are unchanged', () => {
    expect(bundleStaleness(dir)).toBeUndefined()
  })

  it('should accept an input whose mtime changed but whose content did not', () => {
    touch(path.join(dir, 'agent/a.ts'))
    expect(bundleStaleness(dir)).toBeUndefined()
  })

  it.each([
    ['a longer source', 'export const a = 12\n'],
    ['a source of the same size', 'export const b = 1\n']
  ])('should refuse the bundle after %s', (_, text) => {
    writeFileSync(path.join(dir, 'agent/a.ts'), text)
    touch(path.join(dir, 'agent/a.ts'))
    expect(bundleStaleness(dir)).toBe('agent/a.ts changed')
  })

  it('should refuse the bundle when an input is gone', () => {
    rmSync(path.join(dir, 'package-lock.json'))
    expect(bundleStaleness(dir)).toBe('package-lock.json is missing')
  })

  it('should refuse a bundle that changed after the build', () => {
    writeFileSync(path.join(dir, BUNDLE_FILE), 'exports.a = 2\n')
    touch(path.join(dir, BUNDLE_FILE))
    expect(bundleStaleness(dir)).toBe(`${BUNDLE_FILE} changed`)
  })

  it('should refuse the bundle without a manifest', () => {
    rmSync(path.join(dir, MANIFEST_FILE))
    expect(bundleStaleness(dir)).toBe(`${MANIFEST_FILE} is missing or unreadable`)
  })

  it('should refuse a manifest of another version', () => {
    writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify({ version: MANIFEST_VERSION + 1, bundle: [0, 0, ''], inputs: {} }))
    expect(bundleStaleness(dir)).toBe(`${MANIFEST_FILE} has an unknown format`)
  })
})

interface Started { loader: string, execArgv: string[], env: Record<string, string | undefined>, stdout: string }

/** What the process that `mesh-agent --help` ended up as reports: the code it ran (`bundle` or `tsx`), its Node flags and malloc variables. */
async function startMeshAgent (nodeArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const report = "process.on('exit',()=>process.stderr.write('started='+JSON.stringify({loader:String(globalThis[Symbol.for('hauki-mesh.loader')]),execArgv:process.execArgv.filter((a)=>!a.startsWith('data:')&&a!=='--import'),env:{MALLOC_ARENA_MAX:process.env.MALLOC_ARENA_MAX,MALLOC_TRIM_THRESHOLD_:process.env.MALLOC_TRIM_THRESHOLD_,MALLOC_MMAP_THRESHOLD_:process.env.MALLOC_MMAP_THRESHOLD_}})+'\\n'))"
  const args = [...nodeArgs, '--import', `data:text/javascript,${encodeURIComponent(report)}`, path.join(ROOT, 'bin/mesh-agent.js'), '--help']
  const { code, stdout, stderr } = await runNode(args, { MALLOC_ARENA_MAX: undefined, MALLOC_TRIM_THRESHOLD_: undefined, MALLOC_MMAP_THRESHOLD_: undefined, GLIBC_TUNABLES: undefined, ...env })
  expect(code).toBe(0)
  const line = /^started=(.*)$/m.exec(stderr)?.[1]
  if (line === undefined) throw new Error(`no report from mesh-agent; stderr: ${stderr}`)
  return { ...JSON.parse(line) as Omit<Started, 'stdout'>, stdout }
}

describe('bin/mesh-agent.js', () => {
  it('should run the bundle exactly when it is fresh, and the sources otherwise', async () => {
    const stale = bundleStaleness(ROOT)
    const run = await startMeshAgent()
    expect(run.stdout).toContain('mesh-agent run')
    expect(run.loader).toBe(stale === undefined ? 'bundle' : 'tsx')
  })

  it('should start with its V8 flags and malloc settings', async () => {
    const run = await startMeshAgent()
    expect(run.execArgv).toEqual(['--max-semi-space-size=4', '--v8-pool-size=1'])
    expect(run.env).toEqual({ MALLOC_ARENA_MAX: '1', MALLOC_TRIM_THRESHOLD_: '131072', MALLOC_MMAP_THRESHOLD_: '131072' })
  })

  it("should keep an operator's own flags and variables", async () => {
    const run = await startMeshAgent(['--v8-pool-size=2'], { NODE_OPTIONS: '--max-semi-space-size=8', MALLOC_ARENA_MAX: '4' })
    expect(run.execArgv).toEqual(['--v8-pool-size=2'])
    expect(run.env).toEqual({ MALLOC_ARENA_MAX: '4', MALLOC_TRIM_THRESHOLD_: '131072', MALLOC_MMAP_THRESHOLD_: '131072' })
  })

  it('should leave malloc alone when GLIBC_TUNABLES tunes it', async () => {
    const run = await startMeshAgent([], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })
    expect(run.env).toEqual({})
  })

  // `npm ci` builds the bundle (the `prepare` script); in CI a missing or stale one is a bug, not a fallback.
  it.runIf(process.env.CI === 'true')('should find a fresh bundle after npm ci', () => {
    expect(bundleStaleness(ROOT)).toBeUndefined()
  })
})
