/**
 * `npm run sim:bench [-- SCENARIO ...]`: runs the big scenarios, each in its
 * own `mesh-sim` process (so its peak RSS is its own, and a run that runs
 * out of memory or time does not take the bench down), and prints per run:
 * simulated seconds per wall second, peak RSS, detection p99, false deaths,
 * delta convergence p99 and bytes per node per second. It measures; it does
 * not assert. A run that does not finish within its wall budget is stopped
 * and reported with how far it got.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { SimResult } from './result.js'

const ROOT = path.resolve(import.meta.dirname, '..')
const DEFAULT_SCENARIOS = ['sim/scenarios/stalls-loss-1000.yaml', 'sim/scenarios/steady-1000.yaml', 'sim/scenarios/steady-10000.yaml']
/** Wall budget per run. */
const BUDGET_MS = Number(process.env.SIM_BENCH_BUDGET_S ?? 1200) * 1000
/** Heap ceiling of a run, MiB: most of this machine's memory. */
const HEAP_MB = Number(process.env.SIM_BENCH_HEAP_MB ?? 20_000)

interface Outcome { scenario: string, finished: boolean, exitCode: number | null, wallS: number, simS: number, peakRssMiB: number, result: SimResult | undefined, stderrTail: string }

async function runOne (scenario: string, dir: string): Promise<Outcome> {
  const out = path.join(dir, `${path.basename(scenario)}.json`)
  // Semi-spaces of 256 MiB instead of 64: a 10,000-node run scavenges a fourth as often.
  // steady-10000: 646 s -> 526 s wall, peak RSS 10.0 -> 8.7 GiB, same JSON.
  const args = [`--max-old-space-size=${HEAP_MB}`, '--max-semi-space-size=256', '--import', 'tsx', 'sim/mesh-sim-main.ts', 'run', scenario, '--json', out, '--progress-lines']
  const t0 = performance.now()
  // glibc's malloc asks for transparent huge pages (where the kernel gives them only on request):
  // a 10,000-node run keeps ~8 GB in typed arrays and touches it at random, one TLB miss per touch
  // with 4 KiB pages. Other C libraries ignore the variable.
  const env = { ...process.env, GLIBC_TUNABLES: process.env.GLIBC_TUNABLES ?? 'glibc.malloc.hugetlb=1' }
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  let simS = 0
  let peak = 0
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
    for (const m of d.toString().matchAll(/progress sim (\d+) s wall [\d.]+ s rss (\d+) MiB/g)) {
      simS = Number(m[1])
      peak = Math.max(peak, Number(m[2]))
      process.stderr.write(`  ${path.basename(scenario)}: ${m[0]}\n`)
    }
    const rss = /peak rss (\d+) MiB/.exec(d.toString())
    if (rss !== null) peak = Math.max(peak, Number(rss[1]))
  })
  child.stdout.resume()
  const timer = setTimeout(() => child.kill('SIGKILL'), BUDGET_MS)
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  clearTimeout(timer)
  const wallS = (performance.now() - t0) / 1000
  let result: SimResult | undefined
  try {
    result = JSON.parse(readFileSync(out, 'utf8')) as SimResult
    simS = result.durationS + (result.liveness.afterS ?? 0)
  } catch {
    result = undefined
  }
  return { scenario, finished: result !== undefined, exitCode, wallS, simS, peakRssMiB: peak, result, stderrTail: stderr.split('\n').slice(-4).join('\n') }
}

function line (o: Outcome): string {
  const name = path.basename(o.scenario, '.yaml')
  if (o.result === undefined) {
    return `${name}: did not finish (exit ${o.exitCode ?? 'killed'}) after ${o.wallS.toFixed(0)} s wall, reached ${o.simS} s simulated (${(o.simS / o.wallS).toFixed(3)} sim s per wall s), peak RSS ${o.peakRssMiB} MiB\n  ${o.stderrTail.replace(/\n/g, '\n  ')}`
  }
  const r = o.result
  return [
    `${name}: ${r.ok ? 'ok' : 'CHECK FAILED'}  nodes ${r.nodes}`,
    `  simulated s per wall s   ${(o.simS / o.wallS).toFixed(3)}  (${o.simS.toFixed(0)} s in ${o.wallS.toFixed(0)} s wall)`,
    `  peak RSS                 ${o.peakRssMiB} MiB`,
    `  detection p99            ${r.detection.everywhere.p99 ?? 'n/a'} s everywhere (${r.detection.everywhereExcludingStalled.p99 ?? 'n/a'} s without stalled observers), ${r.detection.perObserver.p99 ?? 'n/a'} s per observer (${r.detection.crashes} crashes)`,
    `  false deaths             ${r.detection.falseDeaths}  (false suspicions ${r.detection.falseSuspicions}, ${r.detection.falseSuspicionsOfStalled} of them of stalled nodes)`,
    `  delta convergence p99    ${r.deltaConvergence.p99 ?? 'n/a'} s (${r.deltaConvergence.count} writes; ${r.deltaConvergence.excludingStalled.p99 ?? 'n/a'} s counting only nodes not stalled)`,
    `  bytes per node per s     ${r.traffic.bytesPerNodePerS}  (${Object.entries(r.traffic.byKind).map(([k, v]) => `${k} ${v.bytes}`).join(', ')})`
  ].join('\n')
}

async function main (): Promise<void> {
  const scenarios = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_SCENARIOS
  const dir = mkdtempSync(path.join(tmpdir(), 'mesh-sim-bench-'))
  try {
    for (const s of scenarios) {
      process.stderr.write(`running ${s} ...\n`)
      const o = await runOne(s, dir)
      process.stdout.write(`${line(o)}\n`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
