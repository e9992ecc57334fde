/**
 * `npm run bench`: runs every benchmark and prints its figures as a table and
 * as one JSON line. Benchmarks measure; they never fail on a slow figure.
 */
import { benchCore } from './core.js'
import type { Figure } from './core.js'
import { benchStore } from './store.js'

async function main (): Promise<void> {
  const figures: Figure[] = []
  figures.push(...benchCore())
  figures.push(...await benchStore())
  const width = Math.max(...figures.map((f) => f.name.length))
  for (const f of figures) console.log(`${f.name.padEnd(width)}  ${f.value.toLocaleString('en-US')} ${f.unit}`)
  console.log(JSON.stringify({ bench: figures }))
}

await main()
