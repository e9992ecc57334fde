/**
 * End to end: an operator's admin workflow with the real binaries:
 * `meshctl keygen`, `mesh-agent run --admin-key`, `meshctl maintenance`,
 * `meshctl events --follow`.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MESHCTL, MESH_AGENT, runCli, spawnAgent } from '../helpers/processes.js'
import type { AgentProcess } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'

let root: string
let key: string
const agents: AgentProcess[] = []

async function maintenanceAt (p: AgentProcess, node: string): Promise<string | undefined> {
  const res = await runCli(MESHCTL, ['status', '--agent', p.api, '--json'])
  if (res.code !== 0) throw new Error(`meshctl status failed (${res.code}): ${res.stderr}`)
  return (JSON.parse(res.stdout) as { members: { name: string, maintenance?: string }[] }).members.find((m) => m.name === node)?.maintenance
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hauki-e2e-admin-'))
  key = path.join(root, 'ops.key')
  const gen = await runCli(MESHCTL, ['keygen', '--out', key])
  expect(gen.code).toBe(0)
  const first = await spawnAgent('k1', path.join(root, 'k1'), ['--admin-key', `${key}.pub`])
  agents.push(first, await spawnAgent('k2', path.join(root, 'k2'), ['--admin-key', `${key}.pub`, '--bootstrap', first.listen]))
})

afterAll(async () => {
  for (const p of agents) p.child.kill('SIGKILL')
  await rm(root, { recursive: true, force: true })
})

describe('e2e: admin events', () => {
  it('should refuse to start with a secret key as --admin-key, naming the flag (exit 2)', async () => {
    const res = await runCli(MESH_AGENT, ['run', '--name', 'bad', '--data', path.join(root, 'bad'), '--admin-key', key, '--api', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0'])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('--admin-key')
    expect(res.stderr).toContain('SECRET key')
  })

  it('should put a node into maintenance with meshctl and stream the event with events --follow', async () => {
    const [k1, k2] = agents as [AgentProcess, AgentProcess]
    await waitFor('k2 known at k1', async () => (await maintenanceAt(k1, 'k2')) === 'Active', 30_000, 250)
    const follow = spawn(process.execPath, [MESHCTL, 'events', '--follow', '--json', '--agent', k2.api], { stdio: ['ignore', 'pipe', 'pipe'] })
    let streamed = ''
    follow.stdout.on('data', (d: Buffer) => { streamed += d.toString() })
    const exited = new Promise<number | null>((resolve) => follow.on('exit', (c) => resolve(c)))
    const res = await runCli(MESHCTL, ['maintenance', 'enter', 'k2', '--agent', k1.api], { MESH_ADMIN_KEY: key })
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    await waitFor('k2 in Maintenance at both agents', async () => (await maintenanceAt(k1, 'k2')) === 'Maintenance' && (await maintenanceAt(k2, 'k2')) === 'Maintenance', 30_000, 250)
    await waitFor('events --follow printed the admin event', () => streamed.split('\n').some((l) => l.includes('"admin:maintenance-enter"')), 15_000)
    for (const line of streamed.split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line) as unknown).not.toThrow()
    follow.kill('SIGINT')
    expect(await exited).toBe(0)
  })
})
