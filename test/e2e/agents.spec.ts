/**
 * End to end: `mesh-agent run` processes on loopback, read with
 * `meshctl status --json`. Default protocol periods (1 s probes).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MESHCTL, MESH_AGENT, logLines, runCli, spawnAgent } from '../helpers/processes.js'
import type { AgentProcess } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'

interface Status { self: string, members: { name: string, liveness: string, incarnation: number, lastHeartbeatAgeMs: number | null, role: string | null }[] }

let root: string
const agents = new Map<string, AgentProcess>()

async function status (p: AgentProcess): Promise<Status> {
  const res = await runCli(MESHCTL, ['status', '--agent', p.api, '--json'])
  if (res.code !== 0) throw new Error(`meshctl status failed (${res.code}): ${res.stderr}`)
  return JSON.parse(res.stdout) as Status
}

async function livenessOf (p: AgentProcess, member: string): Promise<string | undefined> {
  return (await status(p)).members.find((m) => m.name === member)?.liveness
}

async function allSee (among: string[], member: string, liveness: string): Promise<boolean> {
  for (const n of among) if (await livenessOf(agents.get(n)!, member) !== liveness) return false
  return true
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hauki-e2e-'))
  const first = await spawnAgent('e1', path.join(root, 'e1'), ['--cap', 'zone=a', '--role', 'host'], { HAUKI_MESH_TEST_HOOKS: '1' })
  agents.set('e1', first)
  for (const n of ['e2', 'e3', 'e4']) {
    agents.set(n, await spawnAgent(n, path.join(root, n), ['--bootstrap', first.listen, '--cap', `zone=${n}`], { HAUKI_MESH_TEST_HOOKS: '1' }))
  }
})

afterAll(async () => {
  for (const p of agents.values()) p.child.kill('SIGKILL')
  await rm(root, { recursive: true, force: true })
})

describe('e2e: mesh-agent processes and meshctl', () => {
  it('should show every agent alive with heartbeats and capabilities in meshctl status --json', async () => {
    const names = [...agents.keys()]
    await waitFor('all four alive at every agent', async () => {
      for (const n of names) if (!(await allSee([n], 'e1', 'alive') && await allSee(names, n, 'alive'))) return false
      return true
    }, 30_000, 250)
    const s = await status(agents.get('e2')!)
    expect(s.self).toBe('e2')
    expect(s.members.map((m) => m.name).sort()).toEqual(names)
    expect(s.members.find((m) => m.name === 'e1')?.role).toBe('host')
    const table = await runCli(MESHCTL, ['status', '--agent', agents.get('e3')!.api])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/e1\s+alive/)
  })

  it('should not declare an agent dead whose event loop is blocked for 3 s, nor let it accuse others', async () => {
    const e2 = agents.get('e2')!
    const blockedAt = Date.now()
    const res = await fetch(`${e2.api}/v1/test/block-loop?ms=3000`, { method: 'POST' })
    expect(res.status).toBe(202)
    // Past the block, and then past the time a false suspicion would have turned into a death.
    await waitFor('the block is over and 8 s passed', async () => Date.now() - blockedAt > 11_000 && await livenessOf(e2, 'e1') !== undefined, 20_000, 500)
    for (const p of agents.values()) {
      const deaths = logLines(p).filter((l) => l.msg === 'member:dead')
      expect(deaths, `${p.name} logged deaths`).toEqual([])
    }
    expect(await allSee(['e1', 'e3', 'e4'], 'e2', 'alive')).toBe(true)
    expect(await allSee(['e2'], 'e1', 'alive')).toBe(true)
  })

  it('should see a SIGKILLed agent become dead at every survivor', async () => {
    const e4 = agents.get('e4')!
    e4.child.kill('SIGKILL')
    await e4.exited
    await waitFor('e4 dead everywhere', async () => await allSee(['e1', 'e2', 'e3'], 'e4', 'dead'), 40_000, 250)
    agents.delete('e4')
    // Each survivor saw its connection to e4 close and probed e4 out of turn.
    for (const n of ['e1', 'e2', 'e3']) {
      const metrics = await (await fetch(`${agents.get(n)!.api}/metrics`)).text()
      expect(metrics, `${n} counted a lost peer`).toMatch(/^mesh_peers_lost_total [1-9]/m)
    }
  })

  it('should announce left and exit 0 within 5 s on SIGTERM', async () => {
    const e3 = agents.get('e3')!
    const t0 = Date.now()
    e3.child.kill('SIGTERM')
    const exit = await e3.exited
    expect(exit.code).toBe(0)
    expect(Date.now() - t0).toBeLessThan(5_000)
    agents.delete('e3')
    await waitFor('e3 left at the others', async () => await allSee(['e1', 'e2'], 'e3', 'left'), 10_000, 250)
  })

  it.each([
    [['run', '--heartbeat-ms', 'abc'], '--heartbeat-ms'],
    [['run', '--role', 'king'], '--role'],
    [['run', '--bogus'], '--bogus'],
    [['fly'], 'unknown command']
  ])('should exit 2 naming the problem for mesh-agent %j', async (args, named) => {
    const res = await runCli(MESH_AGENT, args)
    expect(res.code).toBe(2)
    expect(res.stderr).toContain(named)
  })

  it('should exit 1 with a clear message when the agent is unreachable', async () => {
    const res = await runCli(MESHCTL, ['status', '--agent', 'http://127.0.0.1:9'])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('cannot reach agent at http://127.0.0.1:9')
  })
})
