/**
 * The executor against real zfs-fuse and real LXC (no mesh): rollback,
 * retention, clones, and failures that come from zfs itself.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBridge, parseAllowRule } from '../../host-bridge/index.js'
import type { Bridge } from '../../host-bridge/index.js'
import { bridgeSkipReason, createBridgePool, sh } from '../helpers/bridge.js'
import type { BridgePool } from '../helpers/bridge.js'

const skip = bridgeSkipReason()
if (skip !== undefined) console.warn(`host-bridge executor tests skipped: ${skip}`)

describe.skipIf(skip !== undefined)('host bridge executor on real ZFS and LXC', () => {
  let zp: BridgePool
  let bridge: Bridge
  const crm = { node: 'crm' }

  beforeAll(() => {
    zp = createBridgePool('ex')
    bridge = createBridge({ node: 'host1', backend: 'zfs', allow: [parseAllowRule(`crm=${zp.root}`)], lxcPath: zp.lxcPath, keepPreflight: 2 })
  })
  afterAll(() => zp?.destroy())

  it('should take a held pre-flight snapshot named after the caller and intent', async () => {
    const out = await bridge.executor.preflight({ caller: crm, dataset: zp.template, intent: 'Upgrade nginx' })
    expect(out).toMatchObject({ status: 'cleared', snapshot: expect.stringMatching(new RegExp(`^${zp.template}@PRE_crm_upgrade-nginx_\\d{8}_\\d{6}$`)) })
    if (out.status !== 'cleared') return
    expect(zp.snapshots(zp.template)).toContain(out.snapshot)
    expect(zp.holds(out.snapshot)).toBe(1)
    expect(await bridge.executor.release(crm, out.snapshot)).toEqual({ status: 'released', snapshot: out.snapshot })
    expect(zp.holds(out.snapshot)).toBe(0)
  })

  it('should give two pre-flights in the same second different names', async () => {
    const fixed = createBridge({ node: 'host1', backend: 'zfs', allow: [parseAllowRule(`crm=${zp.root}`)], lxcPath: zp.lxcPath })
    const nowMs = Date.UTC(2030, 0, 1, 0, 0, 0)
    ;(fixed.executor as unknown as { init: { nowMs: () => number } }).init.nowMs = () => nowMs
    const [a, b] = await Promise.all([
      fixed.executor.preflight({ caller: crm, dataset: zp.template, intent: 'same' }),
      fixed.executor.preflight({ caller: crm, dataset: zp.template, intent: 'same' })
    ])
    expect(a).toMatchObject({ status: 'cleared', snapshot: `${zp.template}@PRE_crm_same_20300101_000000` })
    expect(b).toMatchObject({ status: 'cleared', snapshot: `${zp.template}@PRE_crm_same_20300101_000000_2` })
  })

  it('should deny with zfs\'s reason when the zfs command fails (a dataset that does not exist)', async () => {
    const before = bridge.runner.stats.commandsRun
    const out = await bridge.executor.preflight({ caller: crm, dataset: `${zp.root}/missing`, intent: 'x' })
    expect(out).toMatchObject({ status: 'denied', reason: expect.stringContaining('does not exist') })
    expect(bridge.runner.stats.commandsRun).toBeGreaterThan(before)
  })

  it('should roll back a changed file, and refuse while a newer snapshot exists unless told to destroy it', async () => {
    sh('zfs', ['create', `${zp.root}/data`])
    const file = path.join(zp.mountpointOf(`${zp.root}/data`), 'config.txt')
    writeFileSync(file, 'good\n')
    const pre = await bridge.executor.preflight({ caller: crm, dataset: `${zp.root}/data`, intent: 'edit config' })
    if (pre.status !== 'cleared') throw new Error(JSON.stringify(pre))
    writeFileSync(file, 'broken\n')
    sh('zfs', ['snapshot', `${zp.root}/data@later`])
    const refused = await bridge.executor.rollback(crm, pre.snapshot, false)
    expect(refused).toMatchObject({ status: 'denied', newer: [`${zp.root}/data@later`], reason: expect.stringContaining(`${zp.root}/data@later`) })
    expect(readFileSync(file, 'utf8')).toBe('broken\n')
    const done = await bridge.executor.rollback(crm, pre.snapshot, true)
    expect(done).toEqual({ status: 'rolled-back', snapshot: pre.snapshot, destroyed: [`${zp.root}/data@later`] })
    expect(readFileSync(file, 'utf8')).toBe('good\n')
    expect(zp.snapshots(`${zp.root}/data`)).toEqual([pre.snapshot])
  })

  it('should prune only our PRE_ snapshots beyond the newest N and leave a foreign snapshot alone', async () => {
    sh('zfs', ['create', `${zp.root}/prune`])
    sh('zfs', ['snapshot', `${zp.root}/prune@foreign-backup`])
    const taken: string[] = []
    for (const i of [1, 2, 3, 4]) {
      const out = await bridge.executor.preflight({ caller: crm, dataset: `${zp.root}/prune`, intent: `step ${i}` })
      if (out.status === 'cleared') taken.push(out.snapshot)
    }
    const { destroyed } = await bridge.executor.prune(`${zp.root}/prune`)
    expect(destroyed).toEqual(taken.slice(0, 2))
    expect(zp.snapshots(`${zp.root}/prune`)).toEqual([`${zp.root}/prune@foreign-backup`, ...taken.slice(2)])
  })

  it('should clone a template snapshot into a running LXC container on a ZFS clone', async () => {
    const out = await bridge.executor.clone(crm, `${zp.template}@base`, 'web1')
    expect(out).toMatchObject({ status: 'provisioned', container: 'web1', dataset: `${zp.root}/web1`, ms: expect.any(Number) })
    expect(sh('zfs', ['get', '-H', '-o', 'value', 'origin', `${zp.root}/web1`]).trim()).toBe(`${zp.template}@base`)
    expect(sh('lxc-info', ['-P', zp.lxcPath, '-n', 'web1', '-s', '-H']).trim()).toBe('RUNNING')
    const ps = sh('lxc-attach', ['-P', zp.lxcPath, '-n', 'web1', '--', '/bin/busybox', 'ps'])
    expect(ps).toContain('sleep 3600')
    expect(readFileSync(path.join(zp.lxcPath, 'web1', 'config'), 'utf8')).toContain(`lxc.rootfs.path = dir:${zp.mountpointOf(`${zp.root}/web1`)}`)
  })

  it('should deny a clone whose name is taken, and leave the running one alone', async () => {
    const out = await bridge.executor.clone(crm, `${zp.template}@base`, 'web1')
    expect(out).toMatchObject({ status: 'denied', reason: expect.stringContaining('exists') })
    expect(sh('lxc-info', ['-P', zp.lxcPath, '-n', 'web1', '-s', '-H']).trim()).toBe('RUNNING')
  })
})
