/**
 * Record envelopes: every file (and every event line) carries its schema,
 * schema version, writer, the HLC of the fact and a SHA-256 checksum over
 * the rest, so a stale, torn or hand-edited record is detectable.
 */
import { createHash } from 'node:crypto'
import { canonicalJson } from '../core/index.js'
import type { Value } from '../core/index.js'
import { SCHEMA_VERSION } from './constants.js'

export type RecordKind = 'live-node' | 'live-service' | 'snapshot' | 'event' | 'peers'

export interface RecordEnvelope {
  schema: `hauki-mesh/${RecordKind}`
  schemaVersion: number
  writer: string
  hlc: number
  checksum: string
  [field: string]: Value
}

function checksumOf (body: Record<string, Value>): string {
  return `sha256:${createHash('sha256').update(canonicalJson(body)).digest('hex')}`
}

/** Wrap a record body in the envelope and seal it. */
export function seal (kind: RecordKind, writer: string, hlc: number, body: Record<string, Value>): RecordEnvelope {
  const unsealed: Record<string, Value> = { schema: `hauki-mesh/${kind}`, schemaVersion: SCHEMA_VERSION, writer, hlc, ...body }
  return { ...unsealed, checksum: checksumOf(unsealed) } as RecordEnvelope
}

const REQUIRED: Record<RecordKind, readonly string[]> = {
  'live-node': ['node', 'peerId', 'status', 'timestamp', 'uptime', 'load', 'memory', 'incarnation', 'role', 'capabilities', 'addrs'],
  'live-service': ['node', 'service', 'status'],
  snapshot: ['id', 'value'],
  event: ['ts', 'event', 'subject'],
  peers: ['addrs']
}

/** Why a parsed record is not valid, or undefined when it is. */
export function recordProblem (x: unknown, expected?: RecordKind): string | undefined {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return 'not a JSON object'
  const rec = x as Record<string, Value>
  const schema = rec.schema
  if (typeof schema !== 'string' || !schema.startsWith('hauki-mesh/')) return 'schema: missing or not a hauki-mesh schema'
  const kind = schema.slice('hauki-mesh/'.length) as RecordKind
  if (!(kind in REQUIRED)) return `schema: unknown kind "${kind}"`
  if (expected !== undefined && kind !== expected) return `schema: expected hauki-mesh/${expected}, found ${schema}`
  if (typeof rec.schemaVersion !== 'number' || !Number.isInteger(rec.schemaVersion)) return 'schemaVersion: missing'
  if (rec.schemaVersion > SCHEMA_VERSION) return `schemaVersion: ${rec.schemaVersion} is newer than this reader (${SCHEMA_VERSION})`
  if (typeof rec.writer !== 'string' || rec.writer.length === 0) return 'writer: missing'
  if (typeof rec.hlc !== 'number' || !Number.isSafeInteger(rec.hlc) || rec.hlc < 0) return 'hlc: missing or not a safe integer'
  for (const field of REQUIRED[kind]) if (!(field in rec)) return `${field}: missing`
  const { checksum, ...body } = rec
  if (typeof checksum !== 'string') return 'checksum: missing'
  if (checksum !== checksumOf(body)) return 'checksum: does not match the contents (torn or edited record)'
  return undefined
}
