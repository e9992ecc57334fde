/**
 * meshctl's bridge commands end to end through a real mesh, on the `dir`
 * backend (plain folder copies), so they run on any machine; the clone at the
 * end needs real LXC.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runMeshctl } from '../../agent/cli/index.js'
import { hostsFor } from '../../agent/runtime/index.js'
import { bridgeSkipReason, sh, writeBusyboxRootfs } from '../helpers/bridge.js'
import { createBridgeMesh } from '../helpers/bridge-mesh.js'
import type { BridgeMesh } from '../helpers/bridge-mesh.js'
import { waitFor } from '../helpers/wait.js'

interface Run { code: number, stdout: string, stderr: string }

const lxcSkip = bridgeSkipReason()

describe('meshctl bridge commands on the dir backend', () => {
  let mesh: BridgeMesh
  let crmUrl: string
  let datasets: string
  let tmp: string
  const meshctl = async (...argv: string[]): Promise<Run> => {
    let stdout = ''
    let stderr = ''
    const code = await runMeshctl(['--agent', crmUrl, ...argv], { env: {}, fetch: globalThis.fetch, stdout: (s) => { stdout += s }, stderr: (s) => { stderr += s } })
    return { code, stdout, stderr }
  }

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'bridge-dir-'))
    datasets = path.join(tmp, 'datasets')
    mkdirSync(path.join(datasets, 'tank/ct/crm'), { recursive: true })
    writeFileSync(path.join(datasets, 'tank/ct/crm/app.conf'), 'version=1\n')
    mkdirSync(path.join(tmp, 'lxc'), { recursive: true })
    mesh = await createBridgeMesh({ name: 'host1', bridge: { allow: ['crm=tank/ct'], backend: 'dir', dirRoot: datasets, lxcPath: path.join(tmp, 'lxc') } }, ['crm'])
    crmUrl = mesh.get('crm').api.url
    await waitFor('crm finds the host', () => hostsFor(mesh.get('crm').runtime, 'tank/ct/crm').includes('host1'))
  }, 30_000)
  afterAll(async () => {
    await mesh?.close()
    rmSync(tmp, { recursive: true, force: true })
  })

  it('should print the snapshot and exit 0 when cleared, and exit 3 with the reason on stderr when denied', async () => {
    const ok = await meshctl('preflight', '--intent', 'edit config', '--dataset', 'tank/ct/crm')
    expect(ok.code).toBe(0)
    expect(ok.stdout).toMatch(/^tank\/ct\/crm@PRE_crm_edit-config_\d{8}_\d{6}\n$/)
    const denied = await meshctl('preflight', '--intent', 'x', '--dataset', 'tank/other')
    expect(denied).toMatchObject({ code: 3, stdout: '', stderr: expect.stringContaining('meshctl: preflight denied: no live host serves dataset tank/other for crm') })
    const json = await meshctl('preflight', '--intent', 'x', '--dataset', 'tank/ct/-o', '--json')
    expect(json.code).toBe(3)
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'denied', reason: expect.stringContaining('tank/ct/-o') })
  })

  it('should list the snapshots the mesh knows, as a table and as JSON', async () => {
    const table = await meshctl('snapshots')
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/SNAPSHOT\s+NODE\s+INTENT\s+HOLD/)
    expect(table.stdout).toContain('edit config')
    const json = JSON.parse((await meshctl('snapshots', '--json')).stdout) as { snapshots: { node: string, held: boolean }[] }
    expect(json.snapshots[0]).toMatchObject({ node: 'crm', held: true })
  })

  it('should roll back only with --yes, refuse past a newer snapshot, and restore the file with --destroy-newer', async () => {
    const file = path.join(datasets, 'tank/ct/crm/app.conf')
    const snap = (await meshctl('preflight', '--intent', 'before v2', '--dataset', 'tank/ct/crm')).stdout.trim()
    writeFileSync(file, 'version=2\n')
    const newer = (await meshctl('preflight', '--intent', 'after v2', '--dataset', 'tank/ct/crm')).stdout.trim()
    expect(newer).not.toBe(snap)
    expect((await meshctl('rollback', snap)).code).toBe(2)
    const refused = await meshctl('rollback', snap, '--yes')
    expect(refused).toMatchObject({ code: 3, stderr: expect.stringContaining(newer) })
    expect(readFileSync(file, 'utf8')).toBe('version=2\n')
    const done = await meshctl('rollback', snap, '--yes', '--destroy-newer')
    expect(done).toMatchObject({ code: 0, stdout: `rolled back to ${snap}\ndestroyed: ${newer}\n` })
    expect(readFileSync(file, 'utf8')).toBe('version=1\n')
    expect(await meshctl('release', snap)).toMatchObject({ code: 0, stdout: `released ${snap}\n` })
    expect((await meshctl('release', snap)).code).toBe(3)
  })

  it.skipIf(lxcSkip !== undefined)('should clone a snapshot into a running LXC container with meshctl clone', async () => {
    writeBusyboxRootfs(path.join(datasets, 'tank/ct/tmpl'))
    const base = (await meshctl('preflight', '--intent', 'template', '--dataset', 'tank/ct/tmpl')).stdout.trim()
    const out = await meshctl('clone', '--from', base, '--name', 'dirweb', '--json')
    expect(out.code).toBe(0)
    expect(JSON.parse(out.stdout)).toMatchObject({ status: 'provisioned', container: 'dirweb', dataset: 'tank/ct/dirweb' })
    const lxcPath = path.join(path.dirname(datasets), 'lxc')
    expect(sh('lxc-info', ['-P', lxcPath, '-n', 'dirweb', '-s', '-H']).trim()).toBe('RUNNING')
    sh('lxc-stop', ['-P', lxcPath, '-n', 'dirweb', '-k'])
  })
})
