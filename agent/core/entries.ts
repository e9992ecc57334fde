/**
 * Rules for single entries: what a key may be, who may write it, and which of
 * two writes wins. These rules define the CRDT: `wins` is a total order on
 * the writes of one key, so keeping the greatest is commutative, associative
 * and idempotent.
 */
import { ENTRY_KEY_LENGTH_MAX, NODE_NAME_LENGTH_MAX } from './constants.js'
import type { Entry, Liveness, MemberRecord, NodeName, Value } from './types.js'

/** Node names: a letter or digit, then letters, digits, `.`, `_` or `-` (at most NODE_NAME_LENGTH_MAX). */
const KEY_SEGMENT_RE = /^[A-Za-z0-9._@:+-]+$/
const KEY_FAMILIES = new Set(['node', 'member', 'snapshot', 'admin', 'service'])

const LIVENESS_RANK: Record<Liveness, number> = { alive: 0, suspect: 1, dead: 2, left: 3 }

/**
 * Character classes of node names and key segments, for the checks on the
 * merge path (every write a node receives), which must not cost a regex each.
 * Bit 1: a node name character; bit 2: a node name's first character; bit 4: a key segment character.
 */
const CHAR = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c)
  CHAR[c] = (/[A-Za-z0-9._-]/.test(ch) ? 1 : 0) | (/[A-Za-z0-9]/.test(ch) ? 2 : 0) | (/[A-Za-z0-9._@:+-]/.test(ch) ? 4 : 0)
}

function charClass (s: string, i: number): number {
  const c = s.charCodeAt(i)
  return c < 128 ? CHAR[c] as number : 0
}

/** `isNodeName(s.slice(start, end))` without the slice. */
function isNodeNameRange (s: string, start: number, end: number): boolean {
  if (end <= start || end - start > NODE_NAME_LENGTH_MAX || (charClass(s, start) & 2) === 0) return false
  for (let i = start + 1; i < end; i++) if ((charClass(s, i) & 1) === 0) return false
  return true
}

export function isNodeName (x: unknown): x is NodeName {
  return typeof x === 'string' && isNodeNameRange(x, 0, x.length)
}

export function isLiveness (x: unknown): x is Liveness {
  return x === 'alive' || x === 'suspect' || x === 'dead' || x === 'left'
}

export function nodeKey (name: NodeName, field: string): string {
  return `node/${name}/${field}`
}

export function memberKey (name: NodeName): string {
  return `member/${name}`
}

/** The member name of a `member/<name>` key, or undefined for other keys. */
export function memberOfKey (key: string): NodeName | undefined {
  return key.startsWith('member/') ? key.slice(7) : undefined
}

/** The owner of a `node/<name>/<field>` key, or undefined for other keys. */
export function ownerOfKey (key: string): NodeName | undefined {
  if (!key.startsWith('node/')) return undefined
  const end = key.indexOf('/', 5)
  return end < 0 ? undefined : key.slice(5, end)
}

export function isMemberRecord (v: Value): v is MemberRecord & { [key: string]: Value } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false
  const inc = v.incarnation
  return typeof inc === 'number' && Number.isSafeInteger(inc) && inc >= 0 && isLiveness(v.status)
}

/**
 * Why an entry may not enter the state, or undefined when it may. Checks the
 * key grammar and write authority: a node writes only its own `node/<name>/*`
 * keys, and only a node itself may declare itself alive (a refutation) or
 * left; anyone may suspect or declare dead.
 */
export function entryRejection (e: Entry): string | undefined {
  return isCommonValid(e) ? undefined : rejection(e)
}

/**
 * True for the writes every node makes about itself (`member/<name>` and
 * `node/<origin>/<field>`) when `rejection` would find nothing wrong with
 * them; false when it has to look (it may still find nothing).
 */
function isCommonValid (e: Entry): boolean {
  const key = e.key
  const origin = e.origin
  if (typeof key !== 'string' || key.length > ENTRY_KEY_LENGTH_MAX || !isNodeName(origin)) return false
  if (key.startsWith('node/')) {
    const from = 5 + origin.length + 1
    if (!key.startsWith(origin, 5) || key.charCodeAt(from - 1) !== 47 /* / */ || from >= key.length) return false
    for (let i = from; i < key.length; i++) if ((charClass(key, i) & 4) === 0) return false
    return true
  }
  if (key.startsWith('member/')) {
    if (!isNodeNameRange(key, 7, key.length) || !isMemberRecord(e.value)) return false
    const status = e.value.status
    return (status !== 'alive' && status !== 'left') || (key.length - 7 === origin.length && key.startsWith(origin, 7))
  }
  return false
}

function rejection (e: Entry): string | undefined {
  if (!isNodeName(e.origin)) return 'origin is not a valid node name'
  if (e.key.length === 0 || e.key.length > ENTRY_KEY_LENGTH_MAX) return 'key length out of range'
  const parts = e.key.split('/')
  const family = parts[0] as string
  if (!KEY_FAMILIES.has(family)) return `unknown key family "${family}"`
  if (parts.length < 2 || !parts.every((p) => KEY_SEGMENT_RE.test(p))) return 'malformed key'
  if (family === 'node') {
    if (parts.length !== 3) return 'node keys are node/<name>/<field>'
    if (parts[1] !== e.origin) return `node/${parts[1]}/* may only be written by ${parts[1]}`
  }
  if (family === 'member') {
    if (parts.length !== 2 || !isNodeName(parts[1])) return 'member keys are member/<name>'
    if (!isMemberRecord(e.value)) return 'member value must be { incarnation, status }'
    const status = e.value.status
    if ((status === 'alive' || status === 'left') && parts[1] !== e.origin) {
      return `only ${parts[1]} may declare itself ${status}`
    }
  }
  return undefined
}

/**
 * `entryRejection` for a write to a key the replica already holds, so the
 * key's syntax was checked when it was first stored: only the rules that
 * depend on the writer and the value remain. The hot path of merge, where
 * most writes update keys already held (heartbeats, RTT, membership).
 */
export function heldKeyRejection (e: Entry): string | undefined {
  const origin = e.origin
  if (!isNodeName(origin)) return 'origin is not a valid node name'
  const key = e.key
  if (key.startsWith('node/')) {
    const end = key.indexOf('/', 5)
    if (end !== 5 + origin.length || !key.startsWith(origin, 5)) {
      const owner = key.slice(5, end)
      return `node/${owner}/* may only be written by ${owner}`
    }
  } else if (key.startsWith('member/')) {
    if (!isMemberRecord(e.value)) return 'member value must be { incarnation, status }'
    const status = e.value.status
    if ((status === 'alive' || status === 'left') && (key.length - 7 !== origin.length || !key.startsWith(origin, 7))) return `only ${key.slice(7)} may declare itself ${status}`
  }
  return undefined
}

/**
 * JSON with object keys sorted, so equal values give equal text whatever
 * order their keys were built or decoded in (CBOR sorts map keys; a local
 * object keeps insertion order).
 */
export function canonicalJson (v: Value): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
  const keys = Object.keys(v).sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k] as Value)}`).join(',')}}`
}


/** Compare two writes by stamp: negative when a orders before b. */
export function compareStamp (a: Entry, b: Entry): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1
  if (a.origin !== b.origin) return a.origin < b.origin ? -1 : 1
  return 0
}

/**
 * Total order of two writes of the same key; positive when `a` wins.
 * Member entries follow SWIM precedence (memberlist): a higher incarnation
 * wins, and at equal incarnation alive < suspect < dead < left. Everything
 * else, and ties, are last-writer-wins by `(hlc, origin)`. Two different
 * values under one stamp can only come from a forger or a bug; they are
 * ordered by their encoding so every replica still keeps the same one.
 */
export function compareWrites (a: Entry, b: Entry): number {
  if (a.key.charCodeAt(0) === 109 /* m */ && a.value !== null && b.value !== null && a.key.startsWith('member/')) {
    // entryRejection guarantees the shape for stored member entries.
    const ma = a.value as unknown as MemberRecord
    const mb = b.value as unknown as MemberRecord
    if (ma.incarnation !== mb.incarnation) return ma.incarnation - mb.incarnation
    const ra = LIVENESS_RANK[ma.status]
    const rb = LIVENESS_RANK[mb.status]
    if (ra !== rb) return ra - rb
  }
  const byStamp = compareStamp(a, b)
  if (byStamp !== 0) return byStamp
  if (a.value === b.value) return 0
  const ja = canonicalJson(a.value)
  const jb = canonicalJson(b.value)
  return ja === jb ? 0 : ja < jb ? -1 : 1
}
