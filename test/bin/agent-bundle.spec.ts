import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BUNDLE_FILE, bundleStaleness, fingerprint, MANIFEST_FILE, MANIFEST_VERSION } from '../../bin/agent-bundle.js'

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

/** Which code bin/mesh-agent.js ran (`bundle` or `tsx`), asked with `mesh-agent --help`. */
async function loaderOfMeshAgent (): Promise<{ loader: string, stdout: string }> {
  const report = "process.on('exit',()=>process.stderr.write('loader='+String(globalThis[Symbol.for('hauki-mesh.loader')])))"
  const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(report)}`, path.join(ROOT, 'bin/mesh-agent.js'), '--help'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s })
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  expect(code).toBe(0)
  return { loader: /loader=(\w+)/.exec(stderr)?.[1] ?? `none (stderr: ${stderr})`, stdout }
}

describe('bin/mesh-agent.js', () => {
  it('should run the bundle exactly when it is fresh, and the sources otherwise', async () => {
    const stale = bundleStaleness(ROOT)
    const run = await loaderOfMeshAgent()
    expect(run.stdout).toContain('mesh-agent run')
    expect(run.loader).toBe(stale === undefined ? 'bundle' : 'tsx')
  })

  // `npm ci` builds the bundle (the `prepare` script); in CI a missing or stale one is a bug, not a fallback.
  it.runIf(process.env.CI === 'true')('should find a fresh bundle after npm ci', () => {
    expect(bundleStaleness(ROOT)).toBeUndefined()
  })
})
