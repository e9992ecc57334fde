/**
 * Resident memory of real `mesh-agent run` processes on loopback, split into
 * what the kernel sees (`/proc/<pid>/status`: VmRSS = RssAnon + RssFile +
 * RssShmem) and what the agent's V8 isolate reports (a preloaded probe,
 * `rss-probe.mjs`, answers SIGWINCH with `process.memoryUsage()` and heap
 * space sizes). Also counts threads and the resident memory of any child
 * processes an agent keeps (a compiler service, for instance).
 *
 * Environment: BENCH_RSS_AGENTS (default 20), BENCH_RSS_SETTLE_MS (how long
 * after every agent knows every member, default 120000), BENCH_RSS_NODE_ARGS (extra Node
 * flags for the agents, space-separated, to compare settings).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import type { Figure } from './core.js'
import { agentStarted, spawnAgentChild } from './mesh-children.js'
import type { AgentChild } from './mesh-children.js'
import { mean, round, sleep, waitFor } from './mesh-util.js'

/** How often every agent's VmRSS is read while the agents settle. */
const SAMPLE_MS = 5_000
/** How often the mean and largest VmRSS are reported over time (figures `... after N s`). */
const REPORT_EVERY_MS = 60_000
const PROBE = pathToFileURL(path.join(import.meta.dirname, 'rss-probe.mjs')).href
const MB = 1024 * 1024

export interface RssOptions {
  agents: number
  settleMs: number
  nodeArgs: string[]
}

export const RSS_DEFAULTS: RssOptions = { agents: 20, settleMs: 120_000, nodeArgs: [] }

export function rssOptionsFromEnv (env: NodeJS.ProcessEnv): RssOptions {
  return {
    agents: Number(env.BENCH_RSS_AGENTS ?? RSS_DEFAULTS.agents),
    settleMs: Number(env.BENCH_RSS_SETTLE_MS ?? RSS_DEFAULTS.settleMs),
    nodeArgs: (env.BENCH_RSS_NODE_ARGS ?? '').split(' ').filter((a) => a.length > 0)
  }
}

type Child = AgentChild

interface Probe {
  usage: NodeJS.MemoryUsage
  heap: { mallocedMemory: number, nativeContexts: number }
  spaces: Record<string, { size: number, used: number, physical: number }>
  loader: string
  execArgv: string[]
}

/** Every agent knows every member (alive or not: on a loaded machine suspicions come and go; memory is what is measured). */
async function allKnown (children: Child[]): Promise<boolean> {
  const views = await Promise.all(children.map(async (c) => {
    try {
      const res = await fetch(`${c.api}/v1/status`, { signal: AbortSignal.timeout(10_000) })
      return res.ok ? await res.json() as { members: unknown[] } : undefined
    } catch {
      return undefined
    }
  }))
  return views.every((v) => v !== undefined && v.members.length === children.length)
}

/** `/proc/<pid>/status` fields in kB. */
async function procStatus (pid: number): Promise<Record<string, number>> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8')
  const out: Record<string, number> = {}
  for (const m of s.matchAll(/^(VmRSS|RssAnon|RssFile|RssShmem|Threads):\s+(\d+)/gm)) out[m[1] as string] = Number(m[2])
  return out
}

/**
 * Extra figures beside VmRSS (the target's measure): PSS splits each shared page among the
 * processes that map it (the node binary is mapped by every agent), USS counts only private pages.
 * In kB, from `/proc/<pid>/smaps_rollup`.
 */
async function procRollup (pid: number): Promise<{ pss: number, uss: number }> {
  const s = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8')
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? Number.NaN)
  return { pss: kb('Pss'), uss: kb('Private_Clean') + kb('Private_Dirty') }
}

/** CPU time (user + system) a process has used, in ms. */
async function cpuMs (pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12])) * 10 // fields 14 and 15, in ticks of 10 ms (USER_HZ 100)
}

/** Resident memory (kB) of every process whose parent is `pid`, and their count. */
async function descendantsRssKb (pid: number): Promise<{ count: number, kb: number }> {
  let count = 0
  let kb = 0
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid !== pid) continue
      count++
      kb += (await procStatus(Number(entry))).VmRSS ?? 0
    } catch {
      // The process ended while we looked.
    }
  }
  return { count, kb }
}

async function probe (c: Child): Promise<Probe> {
  const before = c.stdout.split('\n').filter((l) => l.startsWith('rssprobe ')).length
  c.proc.kill('SIGWINCH')
  let line = ''
  await waitFor(`${c.name} answers the memory probe`, () => {
    const lines = c.stdout.split('\n').filter((l) => l.startsWith('rssprobe '))
    if (lines.length <= before) return false
    line = lines[lines.length - 1] as string
    return true
  }, 30_000, 10)
  return JSON.parse(line.slice('rssprobe '.length)) as Probe
}

async function stopAll (children: Child[]): Promise<void> {
  const live = children.filter((c) => !c.exited)
  for (const c of live) c.proc.kill('SIGTERM')
  await waitFor('agents exit after SIGTERM', () => live.every((c) => c.exited), 8_000).catch(() => {})
  for (const c of live) if (!c.exited) c.proc.kill('SIGKILL')
}

export async function benchRss (opt: RssOptions = RSS_DEFAULTS): Promise<Figure[]> {
  const root = await mkdtemp(path.join(tmpdir(), 'hauki-bench-rss-'))
  const children: Child[] = []
  try {
    const first = spawnAgentChild('rss-00', path.join(root, 'a0'), { bootstrap: [], nodeArgs: [...opt.nodeArgs, '--import', PROBE] })
    children.push(first)
    await agentStarted(first)
    for (let i = 1; i < opt.agents; i++) children.push(spawnAgentChild(`rss-${String(i).padStart(2, '0')}`, path.join(root, `a${i}`), { bootstrap: [first.listen], nodeArgs: [...opt.nodeArgs, '--import', PROBE] }))
    await Promise.all(children.map(agentStarted))
    await waitFor(`all ${opt.agents} agents know all ${opt.agents} members`, async () => await allKnown(children), 300_000, 500)
    const settleStart = performance.now()
    const cpu0 = await Promise.all(children.map(async (c) => await cpuMs(c.pid)))
    // VmRSS of every agent every few seconds while settled: the largest value any agent
    // reached, not only where each happens to be at the end (old-generation garbage comes and goes).
    let peakKb = 0
    // Mean and largest VmRSS about every REPORT_EVERY_MS: does it level off or keep climbing?
    const over: Array<{ atS: number, meanKb: number, maxKb: number }> = []
    while (performance.now() - settleStart < opt.settleMs) {
      await sleep(Math.min(SAMPLE_MS, opt.settleMs - (performance.now() - settleStart)))
      const sample = await Promise.all(children.map(async (c) => (await procStatus(c.pid)).VmRSS ?? 0))
      peakKb = Math.max(peakKb, ...sample)
      const atMs = performance.now() - settleStart
      if (atMs >= (over.length + 1) * REPORT_EVERY_MS - SAMPLE_MS / 2) over.push({ atS: Math.round(atMs / 1000), meanKb: mean(sample), maxKb: Math.max(...sample) })
    }
    const cpu1 = await Promise.all(children.map(async (c) => await cpuMs(c.pid)))
    const settledS = (performance.now() - settleStart) / 1000

    const st = await Promise.all(children.map(async (c) => await procStatus(c.pid)))
    const rollup = await Promise.all(children.map(async (c) => await procRollup(c.pid)))
    const desc = await Promise.all(children.map(async (c) => await descendantsRssKb(c.pid)))
    const pr = await Promise.all(children.map(probe))
    const kb = (k: string): number => mean(st.map((s) => s[k] ?? 0)) / 1024
    const usage = (k: keyof NodeJS.MemoryUsage): number => mean(pr.map((p) => p.usage[k])) / MB
    const space = (name: string): number => mean(pr.map((p) => p.spaces[name]?.physical ?? 0)) / MB
    const n = opt.agents
    const loaders = [...new Set(pr.map((p) => `${p.loader} ${p.execArgv.filter((a) => !a.includes('rss-probe') && a !== '--import').join(' ')}`.trim()))]
    const flags = ` [${loaders.join('; ')}]`
    const f = (name: string, value: number, unit: string): Figure => ({ name: `rss ${n} agents, ${Math.round(settledS)} s settled${flags}: ${name}`, value: round(value), unit })
    return [
      f('VmRSS per agent (mean)', kb('VmRSS'), 'MB'),
      f('VmRSS per agent (max)', Math.max(...st.map((s) => s.VmRSS ?? 0)) / 1024, 'MB'),
      f(`VmRSS, largest of any agent at any time while settled (sampled every ${SAMPLE_MS / 1000} s)`, Math.max(peakKb, ...st.map((s) => s.VmRSS ?? 0)) / 1024, 'MB'),
      f('RssAnon (mean)', kb('RssAnon'), 'MB'),
      f('RssFile (mean: the node binary and mapped libraries)', kb('RssFile'), 'MB'),
      f('PSS per agent (mean; extra figure: shared pages split among the agents)', mean(rollup.map((r) => r.pss)) / 1024, 'MB'),
      f('USS per agent (mean; extra figure: private pages only)', mean(rollup.map((r) => r.uss)) / 1024, 'MB'),
      f('V8 heap committed, heapTotal (mean)', usage('heapTotal'), 'MB'),
      f('V8 heap used, heapUsed (mean)', usage('heapUsed'), 'MB'),
      f('V8 new space, physical (mean)', space('new_space'), 'MB'),
      f('V8 old space, physical (mean)', space('old_space'), 'MB'),
      f('V8 code space, physical (mean)', space('code_space'), 'MB'),
      f('external memory (mean, includes arrayBuffers)', usage('external'), 'MB'),
      f('arrayBuffers (mean)', usage('arrayBuffers'), 'MB'),
      f('V8 malloced memory (mean)', mean(pr.map((p) => p.heap.mallocedMemory)) / MB, 'MB'),
      f('native contexts (mean)', mean(pr.map((p) => p.heap.nativeContexts)), 'contexts'),
      f('CPU per agent while settled (mean, user + system)', mean(cpu1.map((c, i) => c - (cpu0[i] as number))) / settledS / 10, '%'),
      f('threads (mean)', mean(st.map((s) => s.Threads ?? 0)), 'threads'),
      f('child processes per agent (mean)', mean(desc.map((d) => d.count)), 'processes'),
      f('child processes VmRSS per agent (mean)', mean(desc.map((d) => d.kb)) / 1024, 'MB'),
      ...over.flatMap((o) => [
        f(`VmRSS per agent after ${o.atS} s settled (mean)`, o.meanKb / 1024, 'MB'),
        f(`VmRSS per agent after ${o.atS} s settled (max)`, o.maxKb / 1024, 'MB')
      ])
    ]
  } finally {
    await stopAll(children)
    await rm(root, { recursive: true, force: true })
  }
}
