/**
 * `npm run bench [-- GROUP...]`: runs the benchmarks and prints each figure
 * with its unit, then one JSON line with all of them. Benchmarks measure;
 * they never fail on a slow figure.
 *
 * Groups: core, store, recorder, delta (20 in-process agents), wire (bytes
 * by protocol at rest, 20 in-process agents), procs (20 `mesh-agent`
 * processes), bridge (host bridge on zfs-fuse and LXC), rss (resident memory
 * of 20 `mesh-agent` processes, see bench/rss.ts; not in the default set, it
 * takes minutes). No
 * group named means all. `BENCH_QUIET_MS` sets the quiet window of `procs`
 * (default 30 s; the 10-minute false-suspicion run is BENCH_QUIET_MS=600000).
 */
import { benchBridge } from './bridge.js'
import { benchCore } from './core.js'
import type { Figure } from './core.js'
import { benchDelta } from './mesh-delta.js'
import { benchProcs, PROCS_DEFAULTS } from './mesh-procs.js'
import { benchRecorder } from './recorder.js'
import { benchRss, rssOptionsFromEnv } from './rss.js'
import { benchStore } from './store.js'
import { benchWire } from './mesh-wire.js'

const GROUPS: Record<string, () => Promise<Figure[]>> = {
  core: async () => benchCore(),
  store: benchStore,
  recorder: benchRecorder,
  delta: async () => await benchDelta(),
  procs: async () => await benchProcs({ ...PROCS_DEFAULTS, quietMs: Number(process.env.BENCH_QUIET_MS ?? PROCS_DEFAULTS.quietMs) }),
  bridge: benchBridge,
  wire: async () => await benchWire(),
  rss: async () => await benchRss(rssOptionsFromEnv(process.env))
}

async function main (argv: string[]): Promise<number> {
  const unknown = argv.filter((g) => !Object.hasOwn(GROUPS, g))
  if (unknown.length > 0) {
    console.error(`bench: unknown group ${unknown.join(', ')}; groups are ${Object.keys(GROUPS).join(', ')}`)
    return 2
  }
  const chosen = argv.length === 0 ? Object.keys(GROUPS).filter((g) => g !== 'rss') : argv
  const figures: Figure[] = []
  for (const group of chosen) {
    const started = performance.now()
    const got = await (GROUPS[group] as () => Promise<Figure[]>)()
    figures.push(...got)
    const width = Math.max(0, ...got.map((f) => f.name.length))
    for (const f of got) console.log(`${f.name.padEnd(width)}  ${f.value.toLocaleString('en-US')} ${f.unit}`)
    console.error(`bench: ${group} took ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  console.log(JSON.stringify({ bench: figures }))
  return 0
}

process.exitCode = await main(process.argv.slice(2))
