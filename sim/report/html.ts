/**
 * The HTML report: one self-contained file (inline CSS and SVG, no scripts,
 * no network) with the run's figures, its checks and three charts:
 * detection latency distribution, convergence over time, bandwidth.
 */
import type { SimResult } from '../result.js'
import type { Summary } from '../stats.js'
import { HISTOGRAM_BUCKET_MS } from '../constants.js'
import { barChart, esc, lineChart, scatterChart } from './svg.js'

function sum (s: Summary, unit = 's'): string {
  if (s.count === 0) return 'n/a (no samples)'
  return `p50 ${s.p50} ${unit}, p99 ${s.p99} ${unit}, max ${s.max} ${unit} (${s.count} samples)`
}

function row (k: string, v: string | number): string {
  return `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`
}

function figures (r: SimResult): string {
  const d = r.detection
  return `<table>${[
    row('failure detection, crash to dead at every live node', sum(d.everywhere)),
    row('failure detection, per observer', sum(d.perObserver)),
    row('crashes / detected everywhere / restarted first', `${d.crashes} / ${d.detectedEverywhere} / ${d.restartedFirst}`),
    row('false suspicions: distinct (of stalled nodes; per-observer views)', `${d.falseSuspicions} (${d.falseSuspicionsOfStalled}; ${d.falseSuspicionViews})`),
    row('false deaths: distinct (per-observer views)', `${d.falseDeaths} (${d.falseDeathViews})`),
    row('suspicions / deaths of running nodes across a partition (or in the 2 min after it healed)', `${d.partitionSuspicions} / ${d.partitionDeaths}`),
    row('delta convergence to all live nodes', sum(r.deltaConvergence)),
    row('delta convergence to all live nodes not stalled at the time', sum(r.deltaConvergence.excludingStalled)),
    row('writes / acknowledged / superseded before converging', `${r.deltaConvergence.writes} / ${r.deltaConvergence.acknowledged} / ${r.deltaConvergence.superseded}`),
    row('convergence after joins and restarts', `${sum(r.joins)}; unsettled ${r.joins.unsettled}`),
    row('convergence after partition heals', r.heals.length === 0 ? 'no partition' : r.heals.map((h) => `at ${h.atS} s: ${h.convergedAfterS ?? 'not converged'} s`).join('; ')),
    row('messages per node per second', r.traffic.messagesPerNodePerS),
    row('bytes per node per second', r.traffic.bytesPerNodePerS),
    row('bytes per node per second by kind', Object.entries(r.traffic.byKind).map(([k, v]) => `${k} ${v.bytes}`).join(', ')),
    row('peak state per node', `${r.state.peakEntriesPerNode} entries, ${r.state.peakBytesPerNode} bytes`),
    row('liveness phase', r.liveness.converged ? `converged ${r.liveness.afterS} s after the faults stopped` : 'did not converge'),
    row('core steps', r.coreSteps)
  ].join('')}</table>`
}

function checks (r: SimResult): string {
  const items = r.checks.map((c) => `<li class="${c.ok ? 'ok' : 'bad'}"><b>${c.ok ? 'PASS' : 'FAIL'}</b> ${esc(c.name)}: ${esc(c.detail)}</li>`).join('')
  const repro = r.ok ? '' : `<p class="bad">Reproduce: <code>${esc(r.reproduce)}</code></p>`
  const ex = r.detection.examples.length === 0 ? '' : `<p>Examples:</p><ul>${r.detection.examples.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>`
  return `<ul>${items}</ul>${repro}${ex}`
}

export function renderReport (r: SimResult): string {
  const tl = r.timeline
  const detection = barChart({ title: 'Failure detection latency (crash to dead, per observer)', xLabel: 'seconds after the crash', yLabel: 'observers' }, r.detection.histogram, HISTOGRAM_BUCKET_MS / 1000, '#c0392b')
  const agreement = lineChart({ title: 'Convergence over time: share of live nodes holding the most common state', xLabel: 'simulated seconds', yLabel: 'share of live nodes', yMax: 1 }, [
    { label: 'share agreeing', color: '#2c7fb8', points: tl.map((p) => [p.tS, p.agreement]) }
  ])
  const deltas = scatterChart({ title: 'Delta convergence: each write, time to reach every live node', xLabel: 'simulated seconds (when it converged)', yLabel: 'seconds' }, { label: 'writes', color: '#27ae60', points: r.deltaSamples })
  const nodes = lineChart({ title: 'Live and stalled nodes', xLabel: 'simulated seconds', yLabel: 'nodes' }, [
    { label: 'live', color: '#2c7fb8', points: tl.map((p) => [p.tS, p.up]) },
    { label: 'stalled', color: '#e67e22', points: tl.map((p) => [p.tS, p.stalled]) }
  ])
  const bandwidth = lineChart({ title: 'Bandwidth per node (sent)', xLabel: 'simulated seconds', yLabel: 'bytes per second' }, [
    { label: 'bytes/s per node', color: '#8e44ad', points: tl.map((p) => [p.tS, p.bytesPerNodePerS]) }
  ])
  const messages = lineChart({ title: 'Messages per node (sent)', xLabel: 'simulated seconds', yLabel: 'messages per second' }, [
    { label: 'messages/s per node', color: '#16a085', points: tl.map((p) => [p.tS, p.messagesPerNodePerS]) }
  ])
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mesh-sim: ${esc(r.scenario)} seed ${r.seed}</title>
<style>body{font-family:sans-serif;max-width:960px;margin:20px auto;color:#222}table{border-collapse:collapse}th{text-align:left;padding:3px 12px 3px 0;font-weight:normal;color:#555}td{padding:3px 0}.ok b{color:#27ae60}.bad,.bad b{color:#c0392b}svg{display:block;margin:18px 0}code{background:#f3f3f3;padding:2px 4px}</style>
</head><body>
<h1>mesh-sim: ${esc(r.scenario)}</h1>
<p>${r.nodes} nodes, ${r.durationS} s fault phase, seed ${r.seed}: <b class="${r.ok ? 'ok' : 'bad'}">${r.ok ? 'all checks passed' : 'a check failed'}</b></p>
<h2>Checks</h2>${checks(r)}
<h2>Figures</h2>${figures(r)}
<h2>Charts</h2>${detection}${agreement}${deltas}${bandwidth}${messages}${nodes}
</body></html>
`
}
