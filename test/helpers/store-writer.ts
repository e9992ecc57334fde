/**
 * Child process for the crash tests: opens the store in argv[2], begins an
 * incarnation, then writes batch after batch of WRITER_BATCH_ENTRIES entries
 * (each batch with its version and HLC) until killed, printing
 * `writing <k>` before and `flushed <k>` after each flush of batch k.
 */
import { openStore } from '../../agent/store/index.js'
import { WRITER_BATCH_ENTRIES, WRITER_NODE, writerEntry, writerHlc } from './store-fixtures.js'

/** Bound on the run should nobody kill it. */
const BATCHES_MAX = 100_000

const dir = process.argv[2]
if (dir === undefined) throw new Error('usage: store-writer.ts <store folder>')
// Batch limits far above one batch, so every flush() writes exactly one batch k.
const store = await openStore({ path: dir, batchEntriesMax: 1_000_000, batchDelayMs: 60_000 })
const incarnation = await store.beginIncarnation()
process.stdout.write(`incarnation ${incarnation}\n`)
for (let k = 0; k < BATCHES_MAX; k++) {
  const entries = Array.from({ length: WRITER_BATCH_ENTRIES }, (_, i) => writerEntry(k, i))
  const last = writerHlc(k, WRITER_BATCH_ENTRIES - 1)
  store.enqueue({ entries, deletes: [], versions: [[WRITER_NODE, last, last]], hlc: last, incarnation })
  // Stdout to a pipe is synchronous on Linux, so a parent that kills on this line hits the batch in flight.
  process.stdout.write(`writing ${k}\n`)
  await store.flush()
  process.stdout.write(`flushed ${k}\n`)
}
await store.close()
