/**
 * `mesh-sim run SCENARIO [--seed N] [--json OUT] [--report OUT.html]`
 *
 * Exit codes: 0 every check passed, 1 a check failed (or an internal error),
 * 2 usage error or a bad scenario file (the message names the field).
 * Progress goes to stderr, and only when stderr is a terminal; the wall time
 * and memory of the run go to stderr too, never into the JSON, so the JSON
 * of one scenario and seed is byte-identical from run to run.
 */
import { writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { SEED_MAX } from './constants.js'
import { renderReport } from './report/html.js'
import type { SimResult } from './result.js'
import { runScenario } from './run.js'
import { ScenarioError, loadScenario } from './scenario/index.js'

const USAGE = `usage: mesh-sim run SCENARIO [--seed N] [--json OUT.json] [--report OUT.html]

Runs a scenario file (YAML or JSON, see sim/README.md and sim/scenarios/) in the
deterministic simulator and prints its figures. Exit 0: all checks passed;
1: a check failed; 2: usage error or bad scenario.`

export interface CliArgs { scenario: string, seed: number | undefined, json: string | undefined, report: string | undefined, progressLines: boolean }

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export function parseArgs (argv: readonly string[]): CliArgs {
  const [cmd, ...rest] = argv
  if (cmd !== 'run') throw new UsageError(cmd === undefined ? 'missing command' : `unknown command "${cmd}"`)
  const out: CliArgs = { scenario: '', seed: undefined, json: undefined, report: undefined, progressLines: false }
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string
    const value = (): string => {
      const v = rest[++i]
      if (v === undefined) throw new UsageError(`${a} needs a value`)
      return v
    }
    if (a === '--seed') {
      const v = value()
      const n = Number(v)
      if (!/^\d+$/.test(v) || n > SEED_MAX) throw new UsageError(`--seed must be an integer between 0 and ${SEED_MAX}, got "${v}"`)
      out.seed = n
    } else if (a === '--json') out.json = value()
    else if (a === '--report') out.report = value()
    else if (a === '--progress-lines') out.progressLines = true
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`)
    else if (out.scenario === '') out.scenario = a
    else throw new UsageError(`unexpected argument "${a}"`)
  }
  if (out.scenario === '') throw new UsageError('missing SCENARIO file')
  return out
}

type Progress = (p: { simMs: number, faultEndMs: number, livenessEndMs: number, phase: string }) => void

/** One line per 10 simulated seconds with the wall time so far (for sim/bench.ts, which reads them). */
function progressLines (t0: number): Progress {
  let next = 0
  return (p) => {
    if (p.simMs < next) return
    next = p.simMs + 10_000
    process.stderr.write(`progress sim ${(p.simMs / 1000).toFixed(0)} s wall ${((performance.now() - t0) / 1000).toFixed(1)} s rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB\n`)
  }
}

function progressBar (): Progress | undefined {
  if (process.stderr.isTTY !== true) return undefined
  return (p) => {
    const frac = p.phase === 'fault' ? p.simMs / p.faultEndMs : 1
    const width = 30
    const done = Math.round(frac * width)
    process.stderr.write(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${p.phase} ${(p.simMs / 1000).toFixed(0)} s simulated `)
  }
}

export function summary (r: SimResult): string {
  const d = r.detection
  const s = (x: { count: number, p50: number | null, p99: number | null, max: number | null }): string => x.count === 0 ? 'n/a' : `p50 ${x.p50} s  p99 ${x.p99} s  max ${x.max} s  (n=${x.count})`
  const lines = [
    `scenario ${r.scenario}  nodes ${r.nodes}  fault phase ${r.durationS} s  seed ${r.seed}`,
    ...r.checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`),
    `detection (crash -> dead everywhere)  ${s(d.everywhere)}`,
    `detection, stalled observers excluded ${s(d.everywhereExcludingStalled)}`,
    `detection (per observer)              ${s(d.perObserver)}`,
    `crashes ${d.crashes}  restarted before detected ${d.restartedFirst}  false suspicions ${d.falseSuspicions} (of stalled nodes ${d.falseSuspicionsOfStalled}; views ${d.falseSuspicionViews})  false deaths ${d.falseDeaths} (views ${d.falseDeathViews})  across a partition: suspicions ${d.partitionSuspicions}, deaths ${d.partitionDeaths}`,
    `delta convergence                     ${s(r.deltaConvergence)}`,
    `delta convergence, stalled excluded   ${s(r.deltaConvergence.excludingStalled)}`,
    `join/restart convergence              ${s(r.joins)}  unsettled ${r.joins.unsettled}`,
    `partition heals                       ${r.heals.length === 0 ? 'none' : r.heals.map((h) => `at ${h.atS} s -> ${h.convergedAfterS ?? 'never'} s`).join(', ')}`,
    `traffic per node                      ${r.traffic.messagesPerNodePerS} msg/s  ${r.traffic.bytesPerNodePerS} B/s  (${Object.entries(r.traffic.byKind).map(([k, v]) => `${k} ${v.bytes} B/s`).join(', ')})`,
    `gossip by cause, per node             ${Object.entries(r.traffic.gossipByCause).map(([k, v]) => `${k} ${v.bytesPerNodePerS} B/s (${v.publishedPerS}/s x ${v.copiesPerNode})`).join(', ')}`,
    `peak state per node                   ${r.state.peakEntriesPerNode} entries  ${r.state.peakBytesPerNode} bytes`
  ]
  if (!r.ok) lines.push(`FAILED with seed ${r.seed}; reproduce with: ${r.reproduce}`)
  return lines.join('\n')
}

export function main (argv: readonly string[]): number {
  let args: CliArgs
  try {
    args = parseArgs(argv)
  } catch (err) {
    process.stderr.write(`mesh-sim: ${(err as Error).message}\n${USAGE}\n`)
    return 2
  }
  try {
    const scenario = loadScenario(args.scenario)
    const t0 = performance.now()
    const onProgress = args.progressLines ? progressLines(t0) : progressBar()
    const result = runScenario(scenario, { seed: args.seed, scenarioPath: args.scenario, onProgress })
    if (onProgress !== undefined && !args.progressLines) process.stderr.write('\n')
    const json = `${JSON.stringify(result, null, 2)}\n`
    if (args.json !== undefined) writeFileSync(args.json, json)
    if (args.report !== undefined) writeFileSync(args.report, renderReport(result))
    process.stdout.write(`${summary(result)}\n`)
    process.stderr.write(`wall ${((performance.now() - t0) / 1000).toFixed(1)} s  peak rss ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB  (not part of the JSON)\n`)
    return result.ok ? 0 : 1
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`mesh-sim: bad scenario: ${err.message}\n`)
      return 2
    }
    process.stderr.write(`mesh-sim: ${(err as Error).stack ?? String(err)}\n`)
    return 1
  }
}
