/**
 * Integration: "where is X?" on real agents. Cordon and maintenance take a
 * node out of placement everywhere; `meshctl where` answers nearest first.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runMeshctl } from '../../../agent/cli/index.js'
import { createTestMesh } from '../../helpers/mesh.js'
import type { TestMesh } from '../../helpers/mesh.js'
import { waitFor } from '../../helpers/wait.js'

let mesh: TestMesh
let keys: string

async function meshctl (argv: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runMeshctl(argv, { env: {}, fetch: globalThis.fetch, stdout: (s) => { stdout += s }, stderr: (s) => { stderr += s } })
  return { code, stdout, stderr }
}

interface Where { candidates: { node: string, eligible: boolean, reason: string | null, rttMs: number | null }[] }

beforeAll(async () => {
  keys = await mkdtemp(path.join(os.tmpdir(), 'hauki-where-'))
  expect((await meshctl(['keygen', '--out', path.join(keys, 'ops.key')])).code).toBe(0)
  const pub = JSON.parse(await (await import('node:fs/promises')).readFile(path.join(keys, 'ops.key.pub'), 'utf8')) as { publicKey: string }
  const caps: Record<string, Record<string, string>> = {
    w1: { zone: 'a' },
    w2: { zone: 'a', services: 'postgres,http' },
    w3: { zone: 'b', services: 'postgres' },
    w4: { zone: 'b', gpu: 'yes' }
  }
  mesh = await createTestMesh(Object.keys(caps), { adminKeys: [pub.publicKey], caps: (n) => caps[n]!, core: { recoverySettleMs: 500 } })
  await waitFor('all see all', () => [...mesh.agents.values()].every((a) => a.runtime.core.members.clusterSize === 4))
  await waitFor('w1 probed both postgres nodes', () => ['w2', 'w3'].every((n) => mesh.agents.get('w1')!.runtime.core.rttTo(n) !== undefined))
})

afterAll(async () => {
  await mesh?.close()
  await rm(keys, { recursive: true, force: true })
})

async function where (args: string[]): Promise<{ code: number, doc: Where, stderr: string }> {
  const run = await meshctl(['where', ...args, '--json', '--agent', mesh.agents.get('w1')!.api.url])
  return { code: run.code, doc: JSON.parse(run.stdout) as Where, stderr: run.stderr }
}

describe('where: placement answers', () => {
  it('should list the nodes offering a service, nearest first, and match labels', async () => {
    const { code, doc } = await where(['postgres'])
    expect(code).toBe(0)
    expect(doc.candidates.map((c) => c.node).sort()).toEqual(['w2', 'w3'])
    expect(doc.candidates.every((c) => c.eligible && typeof c.rttMs === 'number')).toBe(true)
    const rtts = doc.candidates.map((c) => c.rttMs as number)
    expect(rtts).toEqual([...rtts].sort((a, b) => a - b))
    expect((await where(['--label', 'gpu=yes'])).doc.candidates.map((c) => c.node)).toEqual(['w4'])
    expect((await where(['--label', 'zone=b'])).doc.candidates.map((c) => c.node).sort()).toEqual(['w3', 'w4'])
    expect((await where(['postgres', '--label', 'zone=b'])).doc.candidates.map((c) => c.node)).toEqual(['w3'])
  })

  it('should pass over cordoned nodes and nodes in maintenance, say why, and exit 1 when nobody is left', async () => {
    const key = path.join(keys, 'ops.key')
    const api = mesh.agents.get('w4')!.api.url
    expect((await meshctl(['cordon', 'w2', '--key', key, '--agent', api])).code).toBe(0)
    await waitFor('w1 sees w2 cordoned', () => mesh.agents.get('w1')!.runtime.core.maintenanceOf('w2').cordoned)
    const one = await where(['postgres'])
    expect(one.doc.candidates.map((c) => [c.node, c.eligible, c.reason])).toEqual([['w3', true, null], ['w2', false, 'cordoned']])
    expect((await meshctl(['maintenance', 'enter', 'w3', '--key', key, '--agent', api])).code).toBe(0)
    await waitFor('w1 sees w3 in maintenance', () => mesh.agents.get('w1')!.runtime.core.maintenanceOf('w3').state === 'Maintenance')
    const none = await meshctl(['where', 'postgres', '--agent', mesh.agents.get('w1')!.api.url])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('no node may take postgres now; offered by')
    expect(none.stderr).toContain('w2 (cordoned)')
    expect(none.stderr).toContain('w3 (maintenance Maintenance)')
    expect((await meshctl(['where', 'nosuch', '--agent', mesh.agents.get('w1')!.api.url])).stderr).toContain('nobody offers it')
  })

  it('should reject a malformed query with 400 and count it', async () => {
    const res = await fetch(`${mesh.agents.get('w1')!.api.url}/v1/where?service=${encodeURIComponent('a b;rm')}`)
    expect(res.status).toBe(400)
    expect(mesh.agents.get('w1')!.runtime.counters.get('mesh_rejected_messages_total{surface="api",reason="bad where query"}')).toBe(1)
  })
})
