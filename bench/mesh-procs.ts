/**
 * A cluster of real `mesh-agent run` processes on loopback (default core
 * periods, `--log-level warn`): bytes on the wire and in syscalls per agent
 * at steady state, resident memory, false suspicions while nothing happens,
 * and how long the survivors take to declare a SIGKILLed agent dead.
 */
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import type { Figure } from './core.js'
import { formatPublicKeyFile, generateAdminKey, hlcFromWall, signAdminEvent } from '../agent/core/index.js'
import { randomBytes } from 'node:crypto'
import { agentStarted, spawnAgentChild } from './mesh-children.js'
import type { AgentChild } from './mesh-children.js'
import { mean, percentile, round, sleep, waitFor } from './mesh-util.js'

const NETCOUNT = pathToFileURL(path.join(import.meta.dirname, 'mesh-netcount.mjs')).href

export interface ProcsOptions {
  agents: number
  quietMs: number
  /** Deltas (signed admin events, cordon and uncordon in turn) written at random agents after the quiet window. */
  deltas: number
  /** Deltas written (at the same spacing) before the measured ones, and not measured. */
  warmupDeltas: number
  deltaSpacingMs: number
  /** Give up on the killed agent being declared dead everywhere after this. */
  detectDeadlineMs: number
}

export const PROCS_DEFAULTS: ProcsOptions = { agents: 20, quietMs: 30_000, deltas: 100, warmupDeltas: 50, deltaSpacingMs: 100, detectDeadlineMs: 90_000 }

type Child = AgentChild

interface MemberView { name: string, liveness: string }
interface StatusView { self: string, members: MemberView[], stats: { connections?: number } }


async function status (c: Child): Promise<StatusView | undefined> {
  try {
    const res = await fetch(`${c.api}/v1/status`, { signal: AbortSignal.timeout(2_000) })
    return res.ok ? await res.json() as StatusView : undefined
  } catch {
    return undefined
  }
}

interface Sample { at: number, p2pW: number, p2pR: number, httpW: number, httpR: number, wchar: number, rchar: number }

/** Ask the preloaded counter for socket bytes (SIGUSR2) and read /proc/<pid>/io at the same moment. */
async function sample (c: Child): Promise<Sample> {
  const before = c.stdout.split('\n').filter((l) => l.startsWith('netbytes ')).length
  const io = await readFile(`/proc/${c.pid}/io`, 'utf8')
  c.proc.kill('SIGUSR2')
  const at = performance.now()
  let line = ''
  await waitFor(`${c.name} reports its socket bytes`, () => {
    const lines = c.stdout.split('\n').filter((l) => l.startsWith('netbytes '))
    if (lines.length <= before) return false
    line = lines[lines.length - 1] as string
    return true
  }, 5_000, 10)
  const [p2pW, p2pR, httpW, httpR] = line.split(' ').slice(1).map(Number) as [number, number, number, number]
  const field = (k: string): number => Number((new RegExp(`^${k}: (\\d+)`, 'm').exec(io) as RegExpExecArray)[1])
  return { at, p2pW, p2pR, httpW, httpR, wchar: field('wchar'), rchar: field('rchar') }
}

async function rssMb (c: Child): Promise<number> {
  const s = await readFile(`/proc/${c.pid}/status`, 'utf8')
  return Number((/^VmRSS:\s+(\d+) kB/m.exec(s) as RegExpExecArray)[1]) / 1024
}

/** Log lines at warn or above (pino levels 40+) an agent wrote to stderr. */
function warnLines (c: Child): string[] {
  return c.stderr.split('\n').filter((l) => {
    if (!l.startsWith('{')) return false
    try {
      return Number((JSON.parse(l) as { level?: number }).level) >= 40
    } catch {
      return false
    }
  })
}

async function stopAll (children: Child[]): Promise<void> {
  const live = children.filter((c) => !c.exited)
  for (const c of live) c.proc.kill('SIGTERM')
  await waitFor('agents exit after SIGTERM', () => live.every((c) => c.exited), 8_000).catch(() => {})
  for (const c of live) if (!c.exited) c.proc.kill('SIGKILL')
  await waitFor('agents exit after SIGKILL', () => live.every((c) => c.exited), 5_000).catch(() => {})
}

export async function benchProcs (opt: ProcsOptions = PROCS_DEFAULTS): Promise<Figure[]> {
  const root = await mkdtemp(path.join(tmpdir(), 'hauki-bench-procs-'))
  const children: Child[] = []
  try {
    const adminKey = generateAdminKey(randomBytes(32))
    const adminKeyFile = path.join(root, 'admin.pub')
    await writeFile(adminKeyFile, formatPublicKeyFile(adminKey.publicKey))
    const t0 = performance.now()
    const first = spawnAgentChild('proc-00', path.join(root, 'a0'), { bootstrap: [], nodeArgs: ['--import', NETCOUNT], agentArgs: ['--admin-key', adminKeyFile] })
    children.push(first)
    await agentStarted(first)
    for (let i = 1; i < opt.agents; i++) children.push(spawnAgentChild(`proc-${String(i).padStart(2, '0')}`, path.join(root, `a${i}`), { bootstrap: [first.listen], nodeArgs: ['--import', NETCOUNT], agentArgs: ['--admin-key', adminKeyFile] }))
    await Promise.all(children.map(agentStarted))
    const startedMs = performance.now() - t0
    const names = children.map((c) => c.name)

    const allAlive = async (): Promise<boolean> => {
      const views = await Promise.all(children.map(status))
      return views.every((v) => v !== undefined && v.members.length === names.length && v.members.every((m) => m.liveness === 'alive'))
    }
    await waitFor(`all ${opt.agents} agent processes see all alive`, allAlive, 120_000, 250)
    const formedMs = performance.now() - t0

    // Quiet window: no bench writes. Every second, every agent's view of every member.
    const nonAlive = new Set<string>()
    let nonAliveSightings = 0
    const look = async (survivors: Child[], except?: string): Promise<void> => {
      const views = await Promise.all(survivors.map(status))
      for (const v of views) {
        for (const m of v?.members ?? []) {
          if (m.liveness === 'alive' || m.name === except) continue
          nonAliveSightings++
          nonAlive.add(`${v?.self ?? '?'} saw ${m.name} ${m.liveness}`)
        }
      }
    }
    const connections = (await Promise.all(children.map(status))).map((v) => v?.stats.connections ?? 0)
    const s0 = await Promise.all(children.map(sample))
    const quietStart = performance.now()
    for (let tick = 1; performance.now() - quietStart < opt.quietMs; tick++) {
      await look(children)
      await sleep(quietStart + tick * 1_000 - performance.now())
    }
    const s1 = await Promise.all(children.map(sample))
    const rss = await Promise.all(children.map(rssMb))
    const quietSightings = nonAliveSightings
    const quietNonAlive = [...nonAlive]

    const rate = (k: keyof Sample, minus?: keyof Sample): number => mean(children.map((_, i) => {
      const a = s0[i] as Sample
      const b = s1[i] as Sample
      const bytes = (b[k] - a[k]) - (minus === undefined ? 0 : b[minus] - a[minus])
      return bytes / ((b.at - a.at) / 1000)
    }))

    // Delta propagation: signed admin events (cordon, uncordon, ... of the first agent) posted at
    // random agents; every agent reports when it first held each one (/v1/events seenAt, its
    // wall clock in ms, the same clock for every process here). The writer holds an event in the
    // step that publishes it, so its seenAt is the publish time: propagation is the delay from it
    // to each other agent's seenAt. The figures from the moment the bench posts the event also
    // include the writer's HTTP handling and count the writer itself.
    const postDeltas = async (count: number, label: string, onPosted: (id: string, writer: number, sentAtMs: number) => void): Promise<void> => {
      const start = Date.now()
      for (let i = 0; i < count; i++) {
        await sleep(start + i * opt.deltaSpacingMs - Date.now())
        const w = Math.floor(Math.random() * children.length)
        const event = signAdminEvent({ action: i % 2 === 0 ? 'cordon' : 'uncordon', target: first.name, hlc: hlcFromWall(Date.now()), params: { [label]: i } }, adminKey.secretKey)
        onPosted(event.id, w, Date.now())
        await fetch(`${(children[w] as Child).api}/v1/admin/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event), signal: AbortSignal.timeout(5_000) }).catch(() => {})
      }
    }
    const seenBy = async (c: Child): Promise<Map<string, number>> => {
      const res = await fetch(`${c.api}/v1/events`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined)
      const body = res?.ok === true ? await res.json() as { events: Array<{ id?: string, seenAt?: string }> } : { events: [] }
      return new Map(body.events.filter((e) => e.id !== undefined && e.seenAt !== undefined).map((e) => [e.id as string, Date.parse(e.seenAt as string)]))
    }
    const heldEverywhere = async (ids: Set<string>): Promise<boolean> => (await Promise.all(children.map(seenBy))).every((m) => [...ids].every((id) => m.has(id)))
    // Warm-up: the first deltas after start also pay for compiling the delivery path in each process.
    const warmIds = new Set<string>()
    await postDeltas(opt.warmupDeltas, 'warmup', (id) => warmIds.add(id))
    // Polling 20 agents' event lists costs them CPU: let the last deltas land first.
    await sleep(1_000)
    await waitFor('every warm-up delta at every agent', async () => await heldEverywhere(warmIds), 20_000, 500).catch(() => {})
    const posted = new Map<string, { writer: number, sentAtMs: number }>()
    await postDeltas(opt.deltas, 'bench', (id, writer, sentAtMs) => posted.set(id, { writer, sentAtMs }))
    const deltaPairs = opt.deltas * (children.length - 1)
    await sleep(1_000)
    await waitFor('every delta at every agent', async () => await heldEverywhere(new Set(posted.keys())), 20_000, 500).catch(() => {})
    const seen = await Promise.all(children.map(seenBy))
    const delays: number[] = []
    const postDelays: number[] = []
    for (const [id, p] of posted) {
      for (const m of seen) {
        const at = m.get(id)
        if (at !== undefined) postDelays.push(Math.max(0, at - p.sentAtMs))
      }
      const publishedAt = (seen[p.writer] as Map<string, number>).get(id)
      if (publishedAt === undefined) continue
      for (const [i, m] of seen.entries()) {
        const at = m.get(id)
        if (i !== p.writer && at !== undefined) delays.push(at - publishedAt)
      }
    }

    // Failure detection: SIGKILL the last agent (not the bootstrap one); poll every survivor every 100 ms.
    const victim = children[children.length - 1] as Child
    const survivors = children.slice(0, -1)
    const suspectAt = new Map<string, number>()
    const deadAt = new Map<string, number>()
    nonAlive.clear()
    nonAliveSightings = 0
    const killedAt = performance.now()
    victim.proc.kill('SIGKILL')
    await Promise.all(survivors.map(async (s) => {
      for (let tick = 1; !deadAt.has(s.name) && performance.now() - killedAt < opt.detectDeadlineMs; tick++) {
        const v = await status(s)
        const now = performance.now()
        const m = v?.members.find((x) => x.name === victim.name)
        if (m !== undefined && m.liveness !== 'alive' && !suspectAt.has(s.name)) suspectAt.set(s.name, now - killedAt)
        if (m?.liveness === 'dead') deadAt.set(s.name, now - killedAt)
        for (const x of v?.members ?? []) {
          if (x.name === victim.name || x.liveness === 'alive') continue
          nonAliveSightings++
          nonAlive.add(`${v?.self ?? '?'} saw ${x.name} ${x.liveness}`)
        }
        await sleep(killedAt + tick * 100 - performance.now())
      }
    }))
    const allDead = deadAt.size === survivors.length
    const warns = children.reduce((s, c) => s + warnLines(c).length, 0)

    const n = opt.agents
    return [
      { name: `mesh procs: ${n} agent processes started (first, then the rest at once)`, value: Math.round(startedMs), unit: 'ms' },
      { name: `mesh procs: until all ${n} see all ${n} alive (from first spawn)`, value: Math.round(formedMs), unit: 'ms' },
      { name: 'mesh procs: libp2p connections per agent at quiet start (mean)', value: round(mean(connections)), unit: 'connections' },
      { name: `mesh procs: TCP bytes sent per agent, quiet ${opt.quietMs / 1000} s (libp2p sockets, mean)`, value: Math.round(rate('p2pW')), unit: 'B/s' },
      { name: 'mesh procs: TCP bytes received per agent, quiet (libp2p sockets, mean)', value: Math.round(rate('p2pR')), unit: 'B/s' },
      { name: 'mesh procs: wchar per agent, quiet, minus HTTP API (/proc io: sockets + LevelDB + logs at warn)', value: Math.round(rate('wchar', 'httpW')), unit: 'B/s' },
      { name: 'mesh procs: rchar per agent, quiet, minus HTTP API (/proc io)', value: Math.round(rate('rchar', 'httpR')), unit: 'B/s' },
      { name: 'mesh procs: resident memory per agent at steady state (VmRSS, max)', value: round(Math.max(...rss)), unit: 'MB' },
      { name: 'mesh procs: resident memory per agent at steady state (VmRSS, mean)', value: round(mean(rss)), unit: 'MB' },
      { name: `mesh procs: false suspicions during the quiet window (member views not alive, polled 1/s; ${quietNonAlive.length} distinct)`, value: quietSightings, unit: 'sightings' },
      { name: `mesh procs: delta propagation p50 (${opt.deltas} signed admin events, every ${opt.deltaSpacingMs} ms, after ${opt.warmupDeltas} unmeasured; publish at the writer to delivery at each of the ${n - 1} others; ms clock)`, value: round(percentile(delays, 50), 1), unit: 'ms' },
      { name: 'mesh procs: delta propagation p99', value: round(percentile(delays, 99), 1), unit: 'ms' },
      { name: `mesh procs: delta deliveries missing after 20 s (of ${deltaPairs})`, value: deltaPairs - delays.length, unit: 'deliveries' },
      { name: `mesh procs: from posting a delta to the writer's API until each of the ${n} agents holds it, p50 (HTTP handling at the writer included)`, value: round(percentile(postDelays, 50), 1), unit: 'ms' },
      { name: 'mesh procs: from posting a delta until each agent holds it, p99', value: round(percentile(postDelays, 99), 1), unit: 'ms' },
      { name: 'mesh procs: SIGKILL to first survivor showing the agent suspect or dead', value: Math.round(Math.min(...suspectAt.values())), unit: 'ms' },
      { name: 'mesh procs: SIGKILL to first survivor showing it dead', value: Math.round(Math.min(...deadAt.values())), unit: 'ms' },
      { name: `mesh procs: SIGKILL to every survivor showing it dead (polled every 100 ms${allDead ? '' : `; only ${deadAt.size} of ${survivors.length} by the deadline`})`, value: allDead ? Math.round(Math.max(...deadAt.values())) : Number.NaN, unit: 'ms' },
      { name: 'mesh procs: other members shown suspect/dead while detecting the kill', value: nonAliveSightings, unit: 'sightings' },
      { name: 'mesh procs: log lines at warn or above, all agents, whole run', value: warns, unit: 'lines' }
    ]
  } finally {
    await stopAll(children)
    await rm(root, { recursive: true, force: true })
  }
}
