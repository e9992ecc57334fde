/**
 * Validation of the simulator against real agents: the same small scenario
 * (20 nodes, default core periods, kill one) run in the simulator over many
 * seeds and with real `mesh-agent` processes on loopback, and the two
 * failure-detection latency distributions (SIGKILL to `dead`, per survivor)
 * printed side by side.
 *
 *     npx tsx sim/validate-real.ts [--kills 3] [--seeds 10]
 *
 * The real side spawns processes and polls their HTTP API every 100 ms (so
 * its samples carry up to 100 ms of polling delay); run it on a quiet machine.
 * It measures; it asserts nothing.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadScenario } from './scenario/index.js'
import { Run } from './run.js'
import { percentile } from './stats.js'

const ROOT = path.resolve(import.meta.dirname, '..')
const AGENTS = 20
const POLL_MS = 100

interface Agent { name: string, proc: ChildProcess, out: string, err: string, api: string, listen: string, exited: boolean }

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))) }

async function until (what: string, cond: () => boolean | Promise<boolean>, deadlineMs: number): Promise<void> {
  const end = performance.now() + deadlineMs
  while (!(await cond())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

function spawnAgent (name: string, dir: string, bootstrap: string[]): Agent {
  const args = [path.join(ROOT, 'bin/mesh-agent.js'), 'run', '--name', name, '--data', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0', '--log-level', 'warn', ...bootstrap.flatMap((b) => ['--bootstrap', b])]
  const a: Agent = { name, proc: spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }), out: '', err: '', api: '', listen: '', exited: false }
  a.proc.stdout?.on('data', (d: Buffer) => { a.out += d.toString() })
  a.proc.stderr?.on('data', (d: Buffer) => { a.err += d.toString() })
  a.proc.on('exit', () => { a.exited = true })
  return a
}

async function ready (a: Agent): Promise<void> {
  await until(`${a.name} to print its addresses`, () => {
    if (a.exited) throw new Error(`${a.name} exited: ${a.err}`)
    return /^api /m.test(a.out) && /^listen /m.test(a.out)
  }, 90_000)
  a.api = (/^api (\S+)/m.exec(a.out) as RegExpExecArray)[1] as string
  a.listen = (/^listen (\S+)/m.exec(a.out) as RegExpExecArray)[1] as string
}

async function members (a: Agent): Promise<Map<string, string> | undefined> {
  try {
    const res = await fetch(`${a.api}/v1/status`, { signal: AbortSignal.timeout(2_000) })
    if (!res.ok) return undefined
    const v = await res.json() as { members: { name: string, liveness: string }[] }
    return new Map(v.members.map((m) => [m.name, m.liveness]))
  } catch {
    return undefined
  }
}

/** SIGKILL `victim`; the time until each survivor shows it dead, ms. */
async function killAndTime (victim: Agent, survivors: Agent[]): Promise<number[]> {
  const t0 = performance.now()
  victim.proc.kill('SIGKILL')
  return await Promise.all(survivors.map(async (s) => {
    for (let tick = 1; performance.now() - t0 < 120_000; tick++) {
      if ((await members(s))?.get(victim.name) === 'dead') return performance.now() - t0
      await sleep(t0 + tick * POLL_MS - performance.now())
    }
    return Number.NaN
  }))
}

async function realSamples (kills: number): Promise<number[]> {
  const root = await mkdtemp(path.join(tmpdir(), 'mesh-sim-validate-'))
  const agents: Agent[] = []
  try {
    agents.push(spawnAgent('real-00', path.join(root, 'a0'), []))
    await ready(agents[0] as Agent)
    for (let i = 1; i < AGENTS; i++) agents.push(spawnAgent(`real-${String(i).padStart(2, '0')}`, path.join(root, `a${i}`), [(agents[0] as Agent).listen]))
    await Promise.all(agents.map(ready))
    const samples: number[] = []
    for (let k = 0; k < kills; k++) {
      const live = agents.filter((a) => !a.exited)
      await until('every agent to see every live agent alive', async () => {
        const views = await Promise.all(live.map(members))
        return views.every((v) => v !== undefined && live.every((a) => a === live[views.indexOf(v)] || v.get(a.name) === 'alive'))
      }, 120_000)
      await sleep(10_000)
      const victim = live[live.length - 1] as Agent
      samples.push(...await killAndTime(victim, live.slice(0, -1)))
      process.stderr.write(`real: kill ${k + 1} of ${kills} done\n`)
    }
    return samples
  } finally {
    for (const a of agents) if (!a.exited) a.proc.kill('SIGKILL')
    await sleep(500)
    await rm(root, { recursive: true, force: true })
  }
}

function simSamples (seeds: number): number[] {
  const scenario = loadScenario(path.join(ROOT, 'sim/scenarios/crash-20.yaml'))
  const out: number[] = []
  for (let seed = 1; seed <= seeds; seed++) {
    const run = new Run(scenario, { seed })
    run.run()
    out.push(...run.detection.perObserverMs)
  }
  return out
}

function describe (label: string, xs: number[]): string {
  const ok = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  const s = (p: number): string => ((percentile(ok, p) ?? Number.NaN) / 1000).toFixed(2)
  return `${label.padEnd(6)} n=${String(ok.length).padEnd(4)} min ${s(0)} s  p10 ${s(10)} s  p50 ${s(50)} s  p90 ${s(90)} s  p99 ${s(99)} s  max ${s(100)} s  (missed ${xs.length - ok.length})`
}

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const sim = simSamples(arg('--seeds', 10))
const real = await realSamples(arg('--kills', 3))
process.stdout.write(`SIGKILL/crash -> dead, per survivor, 20 nodes, default periods\n${describe('sim', sim)}\n${describe('real', real)}\n`)
