/**
 * The host bridge across a real libp2p mesh, on real zfs-fuse and LXC: a
 * container agent asks, the host agent snapshots, every agent learns of it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyRecorder } from '../../agent/recorder/index.js'
import { askHost, bridgeServiceOf, hostsFor } from '../../agent/runtime/index.js'
import { snapshotId } from '../../host-bridge/index.js'
import { bridgeSkipReason, createBridgePool, sh } from '../helpers/bridge.js'
import type { BridgePool } from '../helpers/bridge.js'
import { createBridgeMesh, post } from '../helpers/bridge-mesh.js'
import type { BridgeMesh } from '../helpers/bridge-mesh.js'
import { waitFor } from '../helpers/wait.js'

const skip = bridgeSkipReason()
if (skip !== undefined) console.warn(`host-bridge mesh tests skipped: ${skip}`)

describe.skipIf(skip !== undefined)('host bridge: mesh of real agents on real ZFS and LXC', () => {
  let zp: BridgePool
  let mesh: BridgeMesh
  const NAMES = ['crm', 'c2', 'c3']
  const commands = (): number => bridgeServiceOf(mesh.get('host1').runtime)?.bridge.runner.stats.commandsRun ?? -1

  beforeAll(async () => {
    zp = createBridgePool('mesh')
    sh('zfs', ['create', `${zp.root}/crm`])
    sh('zfs', ['create', `${zp.root}/crm/var`])
    sh('zfs', ['create', `${zp.root}/c2`])
    mesh = await createBridgeMesh({ name: 'host1', bridge: { allow: [`crm=${zp.root}`, `c2=${zp.root}/c2`], lxcPath: zp.lxcPath, keepPreflight: 5 } }, NAMES)
    await waitFor('every agent sees every member alive and the host\'s bridge label', () => [...mesh.agents.values()].every((a) =>
      [...mesh.agents.keys()].every((n) => a.runtime.core.members.get(n)?.status === 'alive') && (a.runtime.name === 'host1' || hostsFor(a.runtime, undefined).length > 0 || a.runtime.name === 'c3')))
  }, 60_000)
  afterAll(async () => {
    await mesh?.close()
    zp?.destroy()
  })

  it('should turn a container\'s pre-flight into a real held snapshot, announced to every agent and recorded', async () => {
    const { status, body } = await post(mesh.get('crm'), '/v1/bridge/preflight', { intent: 'upgrade nginx', dataset: `${zp.root}/crm` })
    expect(status).toBe(200)
    expect(body).toMatchObject({ status: 'cleared', snapshot: expect.stringMatching(new RegExp(`^${zp.root}/crm@PRE_crm_upgrade-nginx_\\d{8}_\\d{6}$`)) })
    const snapshot = body.snapshot as string
    expect(zp.snapshots(`${zp.root}/crm`)).toContain(snapshot)
    expect(zp.holds(snapshot)).toBe(1)
    const key = `snapshot/${snapshotId(snapshot)}`
    await waitFor('every agent holds the snapshot record', () => [...mesh.agents.values()].every((a) => a.runtime.core.replica.get(key)?.value !== undefined))
    expect(mesh.get('c3').runtime.core.replica.get(key)?.value).toMatchObject({ snapshot, node: 'crm', host: 'host1', intent: 'upgrade nginx', held: true })
    const listed = await (await fetch(`${mesh.get('c2').api.url}/v1/snapshots`)).json() as { snapshots: { snapshot: string }[] }
    expect(listed.snapshots.map((s) => s.snapshot)).toContain(snapshot)
    const recordFile = path.join(mesh.recorder, 'snapshots', `${snapshotId(snapshot)}.json`)
    await waitFor('the recorder has the snapshot record', () => existsSync(recordFile))
    expect(JSON.parse(readFileSync(recordFile, 'utf8'))).toMatchObject({ schema: 'hauki-mesh/snapshot', id: snapshotId(snapshot), value: { snapshot, node: 'crm' } })
    await waitFor('the recorder has a snapshot:taken event line', () => readdirSync(path.join(mesh.recorder, 'events'))
      .some((f) => readFileSync(path.join(mesh.recorder, 'events', f), 'utf8').includes('"snapshot:taken"')))
    const verified = await verifyRecorder(mesh.recorder)
    expect(verified.problems).toEqual([])
    const events = await (await fetch(`${mesh.get('host1').api.url}/v1/events`)).json() as { events: { event: string, subject: string }[] }
    expect(events.events).toContainEqual(expect.objectContaining({ event: 'snapshot:taken', subject: snapshot }))

    expect((await post(mesh.get('crm'), '/v1/bridge/release', { snapshot })).body).toEqual({ status: 'released', snapshot })
    expect(zp.holds(snapshot)).toBe(0)
    await waitFor('every agent sees the release', () => [...mesh.agents.values()].every((a) => (a.runtime.core.replica.get(key)?.value as { held?: boolean } | null)?.held === false))
  })

  it('should deny a dataset the caller is not allowed, at the host too, and run nothing', async () => {
    const before = commands()
    const viaApi = await post(mesh.get('c2'), '/v1/bridge/preflight', { intent: 'sneak', dataset: `${zp.root}/crm` })
    expect(viaApi.body).toMatchObject({ status: 'denied', reason: expect.stringContaining(`no live host serves dataset ${zp.root}/crm for c2`) })
    const direct = await askHost(mesh.get('c2').runtime, 'host1', { t: 'preflight', id: 1, intent: 'sneak', dataset: `${zp.root}/crm` }, 10_000)
    expect(direct).toEqual({ status: 'denied', reason: `c2 may not use dataset "${zp.root}/crm" on this host (allowed: ${zp.root}/c2)` })
    expect(commands()).toBe(before)
  })

  it.each([
    ['tank/x;rm -rf /', 'must be letters, digits'],
    ['-o', 'must not start with "-"'],
    ['../', 'must not contain ".."'],
    ['ROOT/crm/../../etc', 'must not contain ".."'],
    ['ROOT/crm/x;rm -rf /', 'must be letters, digits']
  ])('should deny the malicious dataset %j at the host with a reason and run nothing', async (raw, rule) => {
    const dataset = raw.replace('ROOT', zp.root)
    const before = commands()
    const out = await askHost(mesh.get('crm').runtime, 'host1', { t: 'preflight', id: 2, intent: 'x', dataset }, 10_000)
    expect(out).toMatchObject({ status: 'denied', reason: expect.stringContaining(rule) })
    const viaApi = await post(mesh.get('crm'), '/v1/bridge/preflight', { intent: 'x', dataset })
    expect(viaApi.body).toMatchObject({ status: 'denied' })
    const clone = await askHost(mesh.get('crm').runtime, 'host1', { t: 'clone', id: 3, from: `${zp.template}@base`, name: raw }, 10_000)
    expect(clone).toMatchObject({ status: 'denied' })
    expect(commands()).toBe(before)
  })

  it('should deny with zfs\'s own reason when the host\'s zfs command fails', async () => {
    const before = commands()
    const out = await post(mesh.get('crm'), '/v1/bridge/preflight', { intent: 'x', dataset: `${zp.root}/crm/missing` })
    expect(out.body).toMatchObject({ status: 'denied', reason: expect.stringContaining('dataset does not exist') })
    expect(commands()).toBeGreaterThan(before)
  })

  it('should provision a running LXC container on a ZFS clone for a container agent', async () => {
    const { body } = await post(mesh.get('crm'), '/v1/bridge/clone', { from: `${zp.template}@base`, name: 'web9' })
    expect(body).toMatchObject({ status: 'provisioned', container: 'web9', dataset: `${zp.root}/web9`, ms: expect.any(Number) })
    expect(sh('zfs', ['get', '-H', '-o', 'value', 'origin', `${zp.root}/web9`]).trim()).toBe(`${zp.template}@base`)
    expect(sh('lxc-info', ['-P', zp.lxcPath, '-n', 'web9', '-s', '-H']).trim()).toBe('RUNNING')
  })

  it('should refuse a rollback past a newer snapshot and name it', async () => {
    const a = await post(mesh.get('c2'), '/v1/bridge/preflight', { intent: 'one' })
    const b = await post(mesh.get('c2'), '/v1/bridge/preflight', { intent: 'two' })
    expect(a.body.status).toBe('cleared')
    const refused = await post(mesh.get('c2'), '/v1/bridge/rollback', { snapshot: a.body.snapshot })
    expect(refused.body).toMatchObject({ status: 'denied', newer: [b.body.snapshot] })
    const done = await post(mesh.get('c2'), '/v1/bridge/rollback', { snapshot: a.body.snapshot, destroyNewer: true })
    expect(done.body).toEqual({ status: 'rolled-back', snapshot: a.body.snapshot, destroyed: [b.body.snapshot] })
    await waitFor('every agent drops the destroyed snapshot\'s record', () => [...mesh.agents.values()].every((x) => x.runtime.core.replica.get(`snapshot/${snapshotId(b.body.snapshot as string)}`)?.value === null))
  })

  it('should report an agent killed beforehand as not acknowledged in a critical pre-flight, and still take one recursive held snapshot', async () => {
    await mesh.get('c3').runtime.abort()
    const started = Date.now()
    const { body } = await post(mesh.get('crm'), '/v1/bridge/preflight', { intent: 'schema migration', dataset: `${zp.root}/crm`, critical: true, deadlineMs: 2000 })
    expect(body).toMatchObject({ status: 'cleared', acked: ['c2', 'crm', 'host1'], notAcked: ['c3'] })
    expect(Date.now() - started).toBeLessThan(15_000)
    const snap = (body.snapshot as string).split('@')[1] as string
    expect(zp.snapshots(`${zp.root}/crm`)).toEqual(expect.arrayContaining([`${zp.root}/crm@${snap}`, `${zp.root}/crm/var@${snap}`]))
    expect(zp.holds(`${zp.root}/crm/var@${snap}`)).toBe(1)
    expect((await post(mesh.get('crm'), '/v1/bridge/release', { snapshot: body.snapshot })).body).toMatchObject({ status: 'released' })
    expect(zp.holds(`${zp.root}/crm/var@${snap}`)).toBe(0)
  })

  it('should deny with a reason when the host is unreachable, and the caller gets no snapshot', async () => {
    const before = zp.snapshots(zp.root).length
    await mesh.get('host1').runtime.abort()
    const { body } = await post(mesh.get('crm'), '/v1/bridge/preflight', { intent: 'after host died', dataset: `${zp.root}/crm` })
    expect(body).toMatchObject({ status: 'denied', reason: expect.stringMatching(/host host1 is unreachable|no live host serves/) })
    expect(zp.snapshots(zp.root)).toHaveLength(before)
  })
})
