/**
 * Node names interned to dense integer ids, so the replica and the member
 * table keep per-node state in typed columns instead of one Map slot and one
 * object per node. Ids are assigned in first-seen order and never reused.
 *
 * Lookups take a range of a larger string (`member/<name>`,
 * `node/<name>/<field>`) without slicing it. The table hashes names with
 * `hashString`, the same hash the replica's digest uses, so a name's hash is
 * computed once.
 *
 * One table may be shared by several cores in one process: the simulator
 * shares one across all its nodes so each name is stored once, and so is
 * what the table keeps for the replicas using it (where each node key lives,
 * the pool of held entries). A core's behaviour never depends on the id
 * values, only on its own first-seen orders, so sharing changes nothing but
 * memory.
 */
import type { VersionBank } from './replica.js'
import { EntryPool } from './entry-pool.js'
import { KeyTable } from './key-table.js'
import { fmix32 } from './hash.js'
import type { NodeName } from './types.js'
import { grown } from './columns.js'
import type { ColumnMaker } from './columns.js'

/** `hashString` of `s.slice(start, end)`, without the slice. */
export function hashRange (s: string, start: number, end: number): number {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return fmix32(h)
}

export class NameTable {
  private readonly names: NodeName[] = []
  private hashes = new Uint32Array(64)
  /** Open addressing, linear probing: id + 1, 0 for an empty slot. At most half full. */
  private slots = new Int32Array(128)
  /**
   * Where keys that name a node live, for the replicas that use this table:
   * `id * 8 + field` of `member/<name>` and `node/<name>/<field>` keys
   * (see Replica). A key's place never changes, and parsing it is most of
   * what finding it costs; replicas that share this table share the work.
   */
  readonly keyPlaces = new Map<string, number>()
  /** The entries the replicas using this table hold (in their rows and by key id). */
  readonly entries = new EntryPool()
  /** The keys outside the rows that the replicas using this table hold (see Replica). */
  readonly keys = new KeyTable()
  /**
   * Where the id-indexed columns of the replicas and member tables using this
   * table come from; undefined (the agent): `new Int32Array(n)` and the like.
   * The simulator hands them pre-faulted memory while a fleet forms.
   */
  makeColumn: ColumnMaker | undefined = undefined
  /**
   * Where replicas made while it is set keep their versions (see
   * VersionBank); undefined (the agent): each in a column of its own. The
   * simulator sets one while a fleet forms.
   */
  versionBank: VersionBank | undefined = undefined

  /** Names interned so far; ids are 0 .. size - 1. */
  get size (): number {
    return this.names.length
  }

  nameOf (id: number): NodeName {
    return this.names[id] as NodeName
  }

  /** `hashString(nameOf(id))`. */
  hashOf (id: number): number {
    return this.hashes[id] as number
  }

  /** The id of `s.slice(start, end)`, or -1 when it was never interned. */
  find (s: string, start = 0, end = s.length): number {
    return this.probe(s, start, end, hashRange(s, start, end))
  }

  /** The id of `s.slice(start, end)`, interning it if new. */
  intern (s: string, start = 0, end = s.length): number {
    const h = hashRange(s, start, end)
    const found = this.probe(s, start, end, h)
    if (found >= 0) return found
    const id = this.names.length
    this.names.push(start === 0 && end === s.length ? s : s.slice(start, end))
    if (id >= this.hashes.length) {
      this.hashes = grown(this.hashes, this.hashes.length * 2)
    }
    this.hashes[id] = h
    if (2 * this.names.length > this.slots.length) this.grow()
    else this.place(id, h)
    return id
  }

  private probe (s: string, start: number, end: number, h: number): number {
    const mask = this.slots.length - 1
    const whole = start === 0 && end === s.length
    const len = end - start
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i] as number
      if (slot === 0) return -1
      const id = slot - 1
      if (this.hashes[id] !== h) continue
      const name = this.names[id] as NodeName
      if (whole ? name === s : name.length === len && s.startsWith(name, start)) return id
    }
  }

  private place (id: number, h: number): void {
    const mask = this.slots.length - 1
    let i = h & mask
    while (this.slots[i] !== 0) i = (i + 1) & mask
    this.slots[i] = id + 1
  }

  private grow (): void {
    this.slots = new Int32Array(this.slots.length * 2)
    for (let id = 0; id < this.names.length; id++) this.place(id, this.hashes[id] as number)
  }
}
