/**
 * Real `mesh-agent run` processes for end-to-end tests, started with the
 * project's Node 22 and an argument vector (never a shell).
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import path from 'node:path'
import { waitFor } from './wait.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
export const MESH_AGENT = path.join(ROOT, 'bin/mesh-agent.js')
export const MESHCTL = path.join(ROOT, 'bin/meshctl.js')

export interface AgentProcess {
  name: string
  child: ChildProcess
  stdout: string
  stderr: string
  api: string
  listen: string
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

export async function spawnAgent (name: string, dataDir: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<AgentProcess> {
  const args = [MESH_AGENT, 'run', '--name', name, '--data', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', ...extraArgs]
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const p: AgentProcess = {
    name,
    child,
    stdout: '',
    stderr: '',
    api: '',
    listen: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  }
  child.stdout?.on('data', (d: Buffer) => { p.stdout += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { p.stderr += d.toString() })
  let exitedEarly = false
  void p.exited.then(() => { exitedEarly = true })
  await waitFor(`${name} prints its api address`, () => {
    if (exitedEarly) throw new Error(`${name} exited early: ${p.stderr}`)
    return /^api /m.test(p.stdout)
  }, 30_000)
  p.api = (/^api (\S+)/m.exec(p.stdout) as RegExpExecArray)[1] as string
  p.listen = (/^listen (\S+)/m.exec(p.stdout) as RegExpExecArray)[1] as string
  return p
}

export interface CliResult { code: number | null, stdout: string, stderr: string }

/** Runs this Node binary with an argv array (no shell) and collects its output until its pipes close. */
export async function runNode (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s })
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (c) => { resolve(c) })
  })
  return { code, stdout, stderr }
}

export async function runCli (bin: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return await runNode([bin, ...args], env)
}

/** JSON log lines an agent wrote to stderr. */
export function logLines (p: AgentProcess): Record<string, unknown>[] {
  return p.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
}
