/**
 * The flight recorder with real agents and real files.
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { verifyRecorder } from '../../../agent/recorder/index.js'
import { createTestMesh, livenessAt } from '../../helpers/mesh.js'
import type { TestMesh } from '../../helpers/mesh.js'
import { MESHCTL, runCli } from '../../helpers/processes.js'
import { waitFor } from '../../helpers/wait.js'

let mesh: TestMesh | undefined
const dirs: string[] = []

afterEach(async () => {
  await mesh?.close()
  mesh = undefined
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

async function tmp (label: string): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), `rec-${label}-`))
  dirs.push(d)
  return d
}

async function readJson (file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
}

describe('recorder: a small mesh sharing one folder', () => {
  it('should lay out live nodes, services, events and peers, and leave operator files alone', async () => {
    const rec = await tmp('layout')
    await mkdir(path.join(rec, 'specs/nodes'), { recursive: true })
    await writeFile(path.join(rec, 'specs/nodes/r1.json'), '{"services":["web"]}\n')
    mesh = await createTestMesh(['r1', 'r2', 'r3'], { recorder: rec, flushMs: 100 })
    const m = mesh
    await waitFor('every agent wrote every node', async () => {
      const files = await readdir(path.join(rec, 'live/nodes')).catch(() => [] as string[])
      if (!['r1.json', 'r2.json', 'r3.json'].every((f) => files.includes(f))) return false
      for (const f of ['r1', 'r2', 'r3']) if ((await readJson(path.join(rec, 'live/nodes', `${f}.json`))).status !== 'ALIVE') return false
      return true
    })
    const r2 = await readJson(path.join(rec, 'live/nodes/r2.json'))
    expect(r2).toMatchObject({ schema: 'hauki-mesh/live-node', node: 'r2', status: 'ALIVE', role: 'container', peerId: m.agents.get('r2')!.runtime.peerId })
    for (const field of ['timestamp', 'uptime', 'load', 'memory', 'incarnation', 'capabilities', 'addrs', 'writer', 'hlc', 'checksum']) expect(r2).toHaveProperty(field)
    expect(Date.parse(r2.timestamp as string)).toBeGreaterThan(Date.now() - 60_000)
    for (const d of ['bootstrap/admin-keys', 'api_projects', 'specs/nodes', 'queue', 'telemetry', 'archive', 'snapshots']) {
      expect((await readdir(path.join(rec, d)).then(() => true, () => false)), d).toBe(true)
    }
    expect(await readFile(path.join(rec, 'specs/nodes/r1.json'), 'utf8')).toBe('{"services":["web"]}\n')
    await waitFor('peers.json lists all three', async () => ((await readJson(path.join(rec, 'bootstrap/peers.json')).catch(() => ({ addrs: [] }))).addrs as string[]).length >= 3)
    // Event lines are appended after the files of the same flush, so wait for them too.
    const eventLines = async (): Promise<{ event: string }[]> => {
      const days = await readdir(path.join(rec, 'events')).catch(() => [] as string[])
      const texts = await Promise.all(days.map(async (d) => await readFile(path.join(rec, 'events', d), 'utf8')))
      return texts.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { event: string })
    }
    await waitFor('member:joined recorded in events/', async () => (await eventLines()).some((l) => l.event === 'member:joined'))
    // A leave is recorded too.
    await m.agents.get('r3')!.stop()
    m.agents.delete('r3')
    await waitFor('r3 recorded as LEFT', async () => (await readJson(path.join(rec, 'live/nodes/r3.json'))).status === 'LEFT')
    const report = await verifyRecorder(rec)
    expect(report.problems).toEqual([])
    const status = await (await fetch(`${m.agents.get('r1')!.api.url}/v1/status`)).json() as { recorder: { lagMs: number, queueDepth: number, filesWritten: number } }
    expect(status.recorder.filesWritten).toBeGreaterThan(0)
    expect(typeof status.recorder.lagMs).toBe('number')
  })

  it('should rejoin a running mesh from the recorder alone (emergency bootstrap)', async () => {
    const rec = await tmp('emergency')
    mesh = await createTestMesh(['b1', 'b2'], { recorder: rec, flushMs: 100 })
    const m = mesh
    await waitFor('peers recorded', async () => ((await readJson(path.join(rec, 'bootstrap/peers.json')).catch(() => ({ addrs: [] }))).addrs as string[]).length >= 2)
    // An empty data folder and no --bootstrap: only the recorder knows where the mesh is.
    const fresh = await m.start('b3', [])
    await waitFor('b3 joined and everyone sees it', () => ['b1', 'b2'].every((n) => livenessAt(m.agents.get(n)!, 'b3') === 'alive') && livenessAt(fresh, 'b1') === 'alive')
    await waitFor('b3 warmed its state', () => fresh.runtime.core.replica.get('node/b1/caps') !== undefined)
  })
})

describe('recorder: crash safety', () => {
  it.each([3, 8])('should leave only complete, valid files after SIGKILL in the middle of heavy flushing (after %i flushes)', async (killAfter) => {
    const rec = await tmp('crash')
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/helpers/recorder-writer.ts'), rec], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    const exited = new Promise((resolve) => child.on('exit', resolve))
    await waitFor(`writer reached ${killAfter} flushes (${err})`, () => new RegExp(`^flushed ${killAfter} `, 'm').test(out), 60_000)
    child.kill('SIGKILL')
    await exited
    const res = await runCli(MESHCTL, ['recorder', 'verify', rec, '--json'])
    const report = JSON.parse(res.stdout) as { ok: boolean, filesChecked: number, problems: unknown[] }
    expect(report.problems).toEqual([])
    expect(res.code).toBe(0)
    expect(report.filesChecked).toBeGreaterThan(300)
  })
})
