/** `mesh-agent run` child processes on loopback, for the benchmarks that measure real processes (procs, rss). */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import path from 'node:path'
import { waitFor } from './mesh-util.js'

const MESH_AGENT = path.join(path.resolve(import.meta.dirname, '..'), 'bin/mesh-agent.js')

export interface AgentChild { name: string, proc: ChildProcess, pid: number, stdout: string, stderr: string, api: string, listen: string, exited: boolean }

export interface SpawnAgentInit {
  bootstrap: string[]
  /** Node arguments before the script (`--import` preloads, V8 flags). */
  nodeArgs?: string[]
  /** `mesh-agent run` flags on top of the loopback defaults. */
  agentArgs?: string[]
}

/** Start `mesh-agent run` (argv only, no shell) on loopback ports chosen by the kernel, logging at warn. */
export function spawnAgentChild (name: string, dataDir: string, init: SpawnAgentInit): AgentChild {
  const args = [...(init.nodeArgs ?? []), MESH_AGENT, 'run', '--name', name, '--data', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0',
    '--api', '127.0.0.1:0', '--log-level', 'warn', ...(init.agentArgs ?? []), ...init.bootstrap.flatMap((b) => ['--bootstrap', b])]
  const proc = spawn(process.execPath, args, { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const c: AgentChild = { name, proc, pid: proc.pid ?? -1, stdout: '', stderr: '', api: '', listen: '', exited: false }
  proc.stdout?.on('data', (d: Buffer) => { c.stdout += d.toString() })
  proc.stderr?.on('data', (d: Buffer) => { c.stderr += d.toString() })
  proc.on('exit', () => { c.exited = true })
  return c
}

/** Wait until the child printed its API and listen addresses, and note them. */
export async function agentStarted (c: AgentChild): Promise<void> {
  await waitFor(`${c.name} prints its api address`, () => {
    if (c.exited) throw new Error(`${c.name} exited early: ${c.stderr}`)
    return /^api /m.test(c.stdout)
  }, 90_000)
  c.api = (/^api (\S+)/m.exec(c.stdout) as RegExpExecArray)[1] as string
  c.listen = (/^listen (\S+)/m.exec(c.stdout) as RegExpExecArray)[1] as string
}
