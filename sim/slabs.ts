/**
 * Pre-faulted memory for the columns of a forming fleet.
 *
 * A formed fleet of 10,000 nodes allocates about 7 GB of columns (replica
 * versions and rows, member tables) in one go. The first write to each page
 * of it is a page fault, and in the VMs this runs in a first touch costs
 * about 3 µs per 4 KB (0.3-0.5 GB/s, measured): 20-25 s of a formed boot was
 * the kernel zeroing pages under the simulator's one thread. Here the
 * columns are carved out of large SharedArrayBuffers that a worker thread
 * writes one word of every page of as soon as each is made, on the other
 * core, ahead of the simulation's use; and V8, which starts a full garbage
 * collection for every 64 MB of new external memory, sees a few large
 * buffers instead of 100 collections' worth of small ones.
 *
 * The worker only touches memory: it writes 0 over 0 with a compare-exchange
 * (a write that changes nothing, even when the simulation has written the
 * word already), so it cannot change a result. Columns smaller than
 * COLUMN_MIN_BYTES, and anything made after `close`, come from the usual
 * allocator.
 */
import { Worker } from 'node:worker_threads'
import type { Column, ColumnKind, ColumnMaker } from '../agent/core/index.js'

const SLAB_BYTES = 256 * 2 ** 20
const COLUMN_MIN_BYTES = 16 * 1024
/** Columns start on a cache line. */
const ALIGN = 64
const PAGE_INTS = 4096 / 4

/** The worker: for each [buffer, from, to, what] it is sent, write 0 over 0 in the first word of every page in those bytes, then send back `what`. */
const TOUCHER = `
const { parentPort } = require('node:worker_threads')
parentPort.on('message', ([sab, from, to, what]) => {
  const a = new Int32Array(sab)
  for (let i = from / 4; i < to / 4; i += ${PAGE_INTS}) Atomics.compareExchange(a, i, 0, 0)
  parentPort.postMessage(what)
})
`

/** What the worker is sent: bytes `from` to `to` of a buffer, a slab or a range of a big buffer. */
type Touch = [SharedArrayBuffer, number, number, 'slab' | 'range']

export interface SlabOptions {
  slabBytes?: number
  columnMinBytes?: number
}

export class ColumnSlabs {
  private readonly slabBytes: number
  private readonly columnMinBytes: number
  private slab: SharedArrayBuffer | undefined
  /** The slab after this one, made (and sent to be touched) once this one is half used. */
  private next: SharedArrayBuffer | undefined
  private used = 0
  private worker: Worker | undefined
  private closed = false
  /** Bytes of columns handed out from slabs. */
  carved = 0
  /** Slabs made, and slabs the worker has touched every page of. */
  slabs = 0
  touched = 0
  /** Ranges of big buffers (see `buffer`) still to send to the worker, and how many it has touched. */
  private readonly ranges: Touch[] = []
  rangesTouched = 0

  constructor (opts: SlabOptions = {}) {
    this.slabBytes = opts.slabBytes ?? SLAB_BYTES
    this.columnMinBytes = opts.columnMinBytes ?? COLUMN_MIN_BYTES
  }

  readonly make: ColumnMaker = <C extends Column>(kind: ColumnKind<C>, length: number): C => {
    const perElement = (kind as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT
    const bytes = length * perElement
    if (this.closed || bytes < this.columnMinBytes || bytes > this.slabBytes) return new kind(length)
    let at = Math.ceil(this.used / ALIGN) * ALIGN
    if (this.slab === undefined || at + bytes > this.slab.byteLength) {
      this.slab = this.next ?? this.fresh()
      this.next = undefined
      at = 0
    }
    this.used = at + bytes
    if (this.next === undefined && this.used > this.slab.byteLength / 2) this.next = this.fresh()
    this.carved += bytes
    const Kind = kind as unknown as new (buffer: SharedArrayBuffer, byteOffset: number, length: number) => C
    return new Kind(this.slab, at, length)
  }

  /**
   * A zeroed buffer of `bytes` for one large column of the forming fleet (a
   * VersionBank). The worker touches it a slab's worth at a time, one range
   * now and one after each slab it is sent, so that neither waits long
   * behind the other. Made as usual after `close`.
   */
  readonly buffer = (bytes: number): ArrayBufferLike => {
    if (this.closed) return new ArrayBuffer(bytes)
    const sab = new SharedArrayBuffer(bytes)
    for (let from = 0; from < bytes; from += this.slabBytes) this.ranges.push([sab, from, Math.min(bytes, from + this.slabBytes), 'range'])
    this.sendRange()
    return sab
  }

  private fresh (): SharedArrayBuffer {
    const sab = new SharedArrayBuffer(this.slabBytes)
    this.send([sab, 0, sab.byteLength, 'slab'])
    this.slabs++
    this.sendRange()
    return sab
  }

  private sendRange (): void {
    const range = this.ranges.shift()
    if (range !== undefined) this.send(range)
  }

  private send (touch: Touch): void {
    if (this.worker === undefined) {
      this.worker = new Worker(TOUCHER, { eval: true })
      this.worker.on('message', (what: Touch[3]) => {
        if (what === 'slab') this.touched++
        else this.rangesTouched++
      })
      this.worker.unref()
    }
    this.worker.postMessage(touch)
  }

  /** No more columns from slabs: stop the worker and let an unused next slab go. */
  close (): void {
    this.closed = true
    this.ranges.length = 0
    void this.worker?.terminate()
    this.worker = undefined
    this.next = undefined
    this.slab = undefined
  }
}
