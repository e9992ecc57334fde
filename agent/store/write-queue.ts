/**
 * The write-behind queue: what the next batch will write. Writes are keyed by
 * their database key, so a later write of a key replaces an earlier one and a
 * batch never carries stale values. HLC and incarnation only ever go up, so
 * the queue keeps their maximum.
 */
import { encodeEntry, encodeVersion, entryDbKey, versionDbKey } from './codec.js'
import { ENTRY_PREFIX } from './constants.js'
import type { PersistWrite } from './types.js'

/** Database key -> encoded value, or `undefined` for a delete. */
export type Ops = Map<string, string | undefined>

export interface QueuedBatch {
  ops: Ops
  hlc: number
  incarnation: number
}

function assertCounter (name: string, x: number): void {
  // A bad counter here is a bug in the caller, not an outcome: fail loudly.
  if (!Number.isSafeInteger(x) || x < 0) throw new RangeError(`persist ${name} must be a non-negative safe integer, got ${x}`)
}

export class WriteQueue {
  private ops: Ops = new Map()
  private hlcMax = 0
  private incarnationMax = 0

  /** Queued writes (entries, deletes, versions); meta is not counted. */
  get size (): number {
    return this.ops.size
  }

  get hlc (): number {
    return this.hlcMax
  }

  get incarnation (): number {
    return this.incarnationMax
  }

  add (p: PersistWrite): void {
    assertCounter('hlc', p.hlc)
    assertCounter('incarnation', p.incarnation)
    // Encode first so a value that cannot be encoded leaves the queue as it was.
    const puts: Array<[string, string]> = []
    for (const e of p.entries) puts.push([entryDbKey(e.key), encodeEntry(e)])
    for (const v of p.versions) puts.push([versionDbKey(v[0]), encodeVersion(v)])
    for (const [k, v] of puts) this.ops.set(k, v)
    // Deletes come after entries: the core collects tombstones at the end of a step.
    for (const key of p.deletes) this.ops.set(entryDbKey(key), undefined)
    if (p.hlc > this.hlcMax) this.hlcMax = p.hlc
    if (p.incarnation > this.incarnationMax) this.incarnationMax = p.incarnation
  }

  /** Everything queued, leaving the queue empty. */
  take (): QueuedBatch {
    const batch = { ops: this.ops, hlc: this.hlcMax, incarnation: this.incarnationMax }
    this.ops = new Map()
    this.hlcMax = 0
    this.incarnationMax = 0
    return batch
  }

  /** Put back a batch that failed, under any write queued since (those are newer). */
  restore (batch: QueuedBatch): void {
    const merged: Ops = batch.ops
    for (const [k, v] of this.ops) merged.set(k, v)
    this.ops = merged
    this.hlcMax = Math.max(this.hlcMax, batch.hlc)
    this.incarnationMax = Math.max(this.incarnationMax, batch.incarnation)
  }
}

/** Entry records (puts and deletes) among a batch's writes. */
export function countEntryOps (ops: Ops): number {
  let n = 0
  for (const k of ops.keys()) if (k.startsWith(ENTRY_PREFIX)) n++
  return n
}
