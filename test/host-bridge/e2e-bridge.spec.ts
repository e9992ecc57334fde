/**
 * End to end: `mesh-agent` processes (one `--role host` with the bridge
 * flags) on real zfs-fuse, driven with the `meshctl` binary. A stopped
 * (SIGSTOP) agent holds a critical pre-flight until the barrier's deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { bridgeSkipReason, createBridgePool } from '../helpers/bridge.js'
import type { BridgePool } from '../helpers/bridge.js'
import { MESHCTL, runCli, spawnAgent } from '../helpers/processes.js'
import type { AgentProcess } from '../helpers/processes.js'
import { waitFor } from '../helpers/wait.js'

const skip = bridgeSkipReason()
if (skip !== undefined) console.warn(`host-bridge e2e tests skipped: ${skip}`)

describe.skipIf(skip !== undefined)('host bridge end to end: mesh-agent processes and meshctl', () => {
  let zp: BridgePool
  const procs: AgentProcess[] = []
  let ct1: AgentProcess
  let ct2: AgentProcess

  beforeAll(async () => {
    zp = createBridgePool('e2e')
    const host = await spawnAgent('host1', path.join(zp.dir, 'host1'), ['--role', 'host', '--zfs-allow', `ct1=${zp.root}`, '--zfs-allow', `ct2=${zp.root}/ct2`,
      '--lxc-path', zp.lxcPath, '--keep-preflight', '3', '--log-level', 'warn'])
    procs.push(host)
    ct1 = await spawnAgent('ct1', path.join(zp.dir, 'ct1'), ['--bootstrap', host.listen, '--log-level', 'warn'])
    ct2 = await spawnAgent('ct2', path.join(zp.dir, 'ct2'), ['--bootstrap', host.listen, '--log-level', 'warn'])
    procs.push(ct1, ct2)
    await waitFor('ct1 sees all three alive and the host\'s bridge label', async () => {
      const s = await (await fetch(`${ct1.api}/v1/status`)).json() as { members: { name: string, liveness: string, capabilities: { labels?: Record<string, string> } }[] }
      return s.members.filter((m) => m.liveness === 'alive').length === 3 &&
        s.members.some((m) => m.name === 'host1' && m.capabilities.labels?.['bridge.allow'] === `ct1=${zp.root},ct2=${zp.root}/ct2`)
    }, 60_000)
  }, 120_000)
  afterAll(async () => {
    for (const p of procs) {
      p.child.kill('SIGCONT')
      p.child.kill('SIGKILL')
      await p.exited
    }
    zp?.destroy()
  })

  it('should clear a pre-flight on the caller\'s default dataset with meshctl and print the held snapshot', async () => {
    const out = await runCli(MESHCTL, ['--agent', ct1.api, 'preflight', '--intent', 'deploy v2'])
    expect(out.code).toBe(0)
    const snapshot = out.stdout.trim()
    expect(snapshot).toMatch(new RegExp(`^${zp.root}@PRE_ct1_deploy-v2_\\d{8}_\\d{6}$`))
    expect(zp.snapshots(zp.root)).toContain(snapshot)
    expect(zp.holds(snapshot)).toBe(1)
    await waitFor('ct2 lists the snapshot', async () => (await runCli(MESHCTL, ['--agent', ct2.api, 'snapshots'])).stdout.includes(snapshot))
  })

  it('should exit 3 with the reason on stderr when the host denies', async () => {
    const out = await runCli(MESHCTL, ['--agent', ct2.api, 'preflight', '--intent', 'x', '--dataset', `${zp.root}/ct1`])
    expect(out).toMatchObject({ code: 3, stdout: '' })
    expect(out.stderr).toContain('preflight denied')
  })

  it('should wait for a stopped agent until the barrier deadline, report it as not acknowledged, and still snapshot', async () => {
    ct2.child.kill('SIGSTOP')
    try {
      const started = Date.now()
      const out = await runCli(MESHCTL, ['--agent', ct1.api, 'preflight', '--intent', 'migrate schema', '--critical', '--deadline-ms', '2500'])
      const tookMs = Date.now() - started
      expect(out.code).toBe(0)
      expect(out.stdout).toMatch(/acknowledged: ct1, host1\nnot acknowledged: ct2\n$/)
      expect(tookMs).toBeGreaterThanOrEqual(2500)
      const snapshot = out.stdout.split('\n')[0] as string
      expect(zp.snapshots(zp.root)).toEqual(expect.arrayContaining([snapshot, `${zp.template}@${snapshot.split('@')[1] as string}`]))
    } finally {
      ct2.child.kill('SIGCONT')
    }
  })
})
