/**
 * Integration: signed admin events on real agents (libp2p on loopback,
 * LevelDB), driven the way an operator does it: `meshctl keygen`, then
 * `meshctl maintenance enter|exit NODE --key FILE` against one agent's API.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runMeshctl } from '../../../agent/cli/index.js'
import { parseKeyFile } from '../../../agent/core/index.js'
import { verifyRecorder } from '../../../agent/recorder/index.js'
import type { MaintenanceView } from '../../../agent/core/index.js'
import type { MaintenanceExecutor } from '../../../agent/runtime/index.js'
import { createTestMesh } from '../../helpers/mesh.js'
import type { TestMesh } from '../../helpers/mesh.js'
import { waitFor } from '../../helpers/wait.js'

let mesh: TestMesh | undefined
let keysDir: string
let adminKey: { secretFile: string, publicKey: string }
let strangerKey: { secretFile: string, publicKey: string }

async function meshctl (argv: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runMeshctl(argv, { env: {}, fetch: globalThis.fetch, stdout: (s) => { stdout += s }, stderr: (s) => { stderr += s } })
  return { code, stdout, stderr }
}

async function keygen (name: string): Promise<{ secretFile: string, publicKey: string }> {
  const secretFile = path.join(keysDir, name)
  const run = await meshctl(['keygen', '--out', secretFile, '--json'])
  expect(run.code).toBe(0)
  const parsed = parseKeyFile(await readFile(`${secretFile}.pub`, 'utf8'))
  if (!parsed.ok) throw new Error(parsed.reason)
  return { secretFile, publicKey: parsed.key.publicKey }
}

beforeAll(async () => {
  keysDir = await mkdtemp(path.join(os.tmpdir(), 'hauki-keys-'))
  adminKey = await keygen('admin.key')
  strangerKey = await keygen('stranger.key')
})

afterAll(async () => {
  await rm(keysDir, { recursive: true, force: true })
})

afterEach(async () => {
  await mesh?.close()
  mesh = undefined
})

function viewAt (m: TestMesh, observer: string, node: string): MaintenanceView {
  return m.agents.get(observer)!.runtime.core.maintenanceOf(node)
}

function allShow (m: TestMesh, node: string, state: string, among = [...m.agents.keys()]): boolean {
  return among.every((o) => viewAt(m, o, node).state === state)
}

function sameViews (m: TestMesh, node: string, among = [...m.agents.keys()]): boolean {
  const prints = new Set(among.map((o) => JSON.stringify(viewAt(m, o, node))))
  return prints.size === 1
}

function apiOf (m: TestMesh, name: string): string {
  return m.agents.get(name)!.api.url
}

describe('admin: keygen', () => {
  it('should write the secret key 0600 and the public key beside it, and refuse to overwrite', async () => {
    expect((await stat(adminKey.secretFile)).mode & 0o777).toBe(0o600)
    expect((await stat(`${adminKey.secretFile}.pub`)).mode & 0o777).toBe(0o644)
    const again = await meshctl(['keygen', '--out', adminKey.secretFile])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('pass --force to overwrite')
    expect(parseKeyFile(await readFile(adminKey.secretFile, 'utf8'))).toMatchObject({ ok: true, key: { kind: 'secret', publicKey: adminKey.publicKey } })
  })
})

describe('admin: maintenance on real agents', () => {
  it('should walk every agent through the same states when an operator puts a node into maintenance and takes it out', async () => {
    mesh = await createTestMesh(['m1', 'm2', 'm3', 'm4'], { adminKeys: [adminKey.publicKey], core: { recoverySettleMs: 1_000 } })
    const m = mesh
    await waitFor('all see all alive', () => [...m.agents.values()].every((a) => a.runtime.core.members.clusterSize === 4))
    const enter = await meshctl(['maintenance', 'enter', 'm3', '--key', adminKey.secretFile, '--reason', 'kernel upgrade', '--agent', apiOf(m, 'm1')])
    expect(enter.stderr).toBe('')
    expect(enter.code).toBe(0)
    expect(enter.stdout).toContain('maintenance-enter m3: accepted')
    await waitFor('m3 in Maintenance everywhere', () => allShow(m, 'm3', 'Maintenance'))
    expect(sameViews(m, 'm3')).toBe(true)
    const cordon = await meshctl(['cordon', 'm3', '--key', adminKey.secretFile, '--agent', apiOf(m, 'm2')])
    expect(cordon.code).toBe(0)
    await waitFor('m3 cordoned everywhere', () => [...m.agents.keys()].every((o) => viewAt(m, o, 'm3').cordoned))
    // meshctl status shows it, from any agent.
    const status = await meshctl(['status', '--json', '--agent', apiOf(m, 'm4')])
    const m3 = (JSON.parse(status.stdout) as { members: { name: string, maintenance: string, cordoned: boolean }[] }).members.find((x) => x.name === 'm3')
    expect(m3).toMatchObject({ maintenance: 'Maintenance', cordoned: true })
    const exit = await meshctl(['maintenance', 'exit', 'm3', '--key', adminKey.secretFile, '--agent', apiOf(m, 'm4')])
    expect(exit.code).toBe(0)
    await waitFor('m3 Active again everywhere', () => allShow(m, 'm3', 'Active'))
    await waitFor('identical maintenance views', () => sameViews(m, 'm3'))
    expect(viewAt(m, 'm1', 'm3').history.map((s) => [s.action, s.outcome, s.state])).toEqual([
      ['maintenance-enter', 'applied', 'Maintenance'],
      ['cordon', 'applied', 'Maintenance'],
      ['maintenance-exit', 'applied', 'Active']
    ])
    const events = await meshctl(['events', '--json', '--agent', apiOf(m, 'm2')])
    const list = (JSON.parse(events.stdout) as { events: { event: string, subject: string }[] }).events
    expect(list.filter((e) => e.subject === 'm3' && e.event.startsWith('admin:')).map((e) => e.event)).toEqual(['admin:maintenance-enter', 'admin:cordon', 'admin:maintenance-exit'])
    expect(list.some((e) => e.event === 'member:alive' || e.event === 'member:joined')).toBe(true)
  })

  it('should bring a node that was partitioned away during the event to the same history after the heal', async () => {
    mesh = await createTestMesh(['p1', 'p2', 'p3', 'p4'], { adminKeys: [adminKey.publicKey], core: { recoverySettleMs: 1_000 } })
    const m = mesh
    await waitFor('all see all', () => [...m.agents.values()].every((a) => a.runtime.core.members.clusterSize === 4))
    const pid = (n: string): string => m.agents.get(n)!.runtime.peerId
    const big = ['p1', 'p2', 'p3']
    await m.agents.get('p4')!.runtime.setBlocked(big.map(pid))
    await Promise.all(big.map(async (n) => await m.agents.get(n)!.runtime.setBlocked([pid('p4')])))
    const enter = await meshctl(['drain', 'p2', '--key', adminKey.secretFile, '--agent', apiOf(m, 'p1')])
    expect(enter.code).toBe(0)
    await waitFor('p2 in Maintenance on the big side', () => allShow(m, 'p2', 'Maintenance', big))
    expect(viewAt(m, 'p4', 'p2').state).toBe('Active')
    expect(viewAt(m, 'p4', 'p2').history).toEqual([])
    await Promise.all([...m.agents.values()].map(async (a) => await a.runtime.setBlocked([])))
    const { multiaddr } = await import('@multiformats/multiaddr')
    await m.agents.get('p4')!.runtime.node.dial(multiaddr(m.agents.get('p1')!.runtime.addrs[0]!)).catch(() => {})
    await waitFor('p4 caught up with the drain', () => viewAt(m, 'p4', 'p2').state === 'Maintenance', 30_000)
    await waitFor('identical views of p2 everywhere', () => sameViews(m, 'p2'), 30_000)
  })

  it('should reject an event signed by an untrusted key, count it, and replicate nothing', async () => {
    mesh = await createTestMesh(['u1', 'u2'], { adminKeys: [adminKey.publicKey] })
    const m = mesh
    const run = await meshctl(['maintenance', 'enter', 'u2', '--key', strangerKey.secretFile, '--agent', apiOf(m, 'u1')])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('signer is not a trusted admin key')
    const metrics = await (await fetch(`${apiOf(m, 'u1')}/metrics`)).text()
    expect(metrics).toMatch(/mesh_rejected_messages_total\{surface="api",reason="admin event: signer is not a trusted admin key"\} 1/)
    expect([...m.agents.get('u1')!.runtime.core.replica.all()].filter((e) => e.key.startsWith('admin/'))).toEqual([])
    expect(viewAt(m, 'u1', 'u2').state).toBe('Active')
  })

  it('should show DrainFailed everywhere when the node cannot finish its drain before the deadline', async () => {
    // A test executor whose drain never finishes (a daemon that will not stop); named as such.
    const stuckDrain: MaintenanceExecutor = { run: async (work) => work === 'drain' ? await new Promise<boolean>(() => {}) : true }
    mesh = await createTestMesh(['d1', 'd2', 'd3'], { adminKeys: [adminKey.publicKey], maintenance: (n) => (n === 'd2' ? stuckDrain : undefined) })
    const m = mesh
    await waitFor('all see all', () => [...m.agents.values()].every((a) => a.runtime.core.members.clusterSize === 3))
    const run = await meshctl(['drain', 'd2', '--deadline', '2s', '--key', adminKey.secretFile, '--agent', apiOf(m, 'd1')])
    expect(run.code).toBe(0)
    await waitFor('d2 draining everywhere', () => allShow(m, 'd2', 'EnteringMaintenance'))
    await waitFor('d2 DrainFailed everywhere', () => allShow(m, 'd2', 'DrainFailed'), 15_000)
  })
})

describe('admin: with a flight recorder', () => {
  it('should trust keys in bootstrap/admin-keys/ and record maintenance state and admin events', async () => {
    const rec = await mkdtemp(path.join(os.tmpdir(), 'hauki-rec-'))
    try {
      await mkdir(path.join(rec, 'bootstrap/admin-keys'), { recursive: true })
      await copyFile(`${adminKey.secretFile}.pub`, path.join(rec, 'bootstrap/admin-keys/ops.pub'))
      // A stray file and a misplaced secret key are skipped, not trusted, and do not stop the agent.
      await writeFile(path.join(rec, 'bootstrap/admin-keys/README'), 'put public keys here\n')
      await copyFile(strangerKey.secretFile, path.join(rec, 'bootstrap/admin-keys/oops.key'))
      mesh = await createTestMesh(['r1', 'r2'], { recorder: rec, flushMs: 100 })
      const m = mesh
      expect(m.agents.get('r1')!.runtime.core.admin.trustedKeyCount).toBe(1)
      const run = await meshctl(['maintenance', 'enter', 'r2', '--key', adminKey.secretFile, '--agent', apiOf(m, 'r1')])
      expect(run.code).toBe(0)
      await waitFor('live/nodes/r2.json shows Maintenance', async () => {
        const doc = JSON.parse(await readFile(path.join(rec, 'live/nodes/r2.json'), 'utf8').catch(() => '{}')) as { maintenance?: string, cordoned?: boolean }
        return doc.maintenance === 'Maintenance' && doc.cordoned === false
      })
      await waitFor('the admin event is in events/', async () => {
        const days = await readdir(path.join(rec, 'events'))
        const text = (await Promise.all(days.map(async (d) => await readFile(path.join(rec, 'events', d), 'utf8')))).join('')
        return text.split('\n').filter((l) => l !== '').some((l) => (JSON.parse(l) as { event: string, subject: string }).event === 'admin:maintenance-enter')
      })
      const stranger = await meshctl(['cordon', 'r2', '--key', strangerKey.secretFile, '--agent', apiOf(m, 'r1')])
      expect(stranger.code).toBe(1)
      expect((await verifyRecorder(rec)).problems).toEqual([])
    } finally {
      await mesh?.close()
      mesh = undefined
      await rm(rec, { recursive: true, force: true })
    }
  })
})

describe('admin: drain on shutdown', () => {
  it('should drain before leaving when asked to', async () => {
    const calls: string[] = []
    const recording: MaintenanceExecutor = { run: async (work, eventId) => { calls.push(`${work}:${eventId}`); return true } }
    mesh = await createTestMesh(['s1'], { drainOnShutdown: true, maintenance: () => recording })
    await mesh.agents.get('s1')!.stop()
    expect(calls).toEqual(['drain:shutdown'])
  })
})
