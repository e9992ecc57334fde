/**
 * Host bridge frames on BRIDGE_PROTOCOL (one request, one answer per stream)
 * and flush-barrier frames on BARRIER_PROTOCOL.
 *
 *   preflight {intent, dataset?, critical?, deadlineMs?} -> cleared {snapshot, acked?, notAcked?} | denied {reason}
 *   release   {snapshot}                                  -> released {snapshot} | denied
 *   clone     {from, name}                                -> provisioned {container, dataset, ms} | denied
 *   rollback  {snapshot, destroyNewer}                    -> rolled-back {snapshot, destroyed} | denied {reason, newer?}
 *   list      {dataset?}                                  -> listed {snapshots} | denied
 *   flush (barrier)                                       -> flushed {ok}
 *
 * Names travel as bounded text: the wire checks shape and size, the host's
 * executor checks the ZFS/LXC naming rules and answers `denied` with the rule
 * that was broken, so a caller always learns why.
 */
import { decodeWith, encodeWith, validateWith } from './codec.js'
import {
  BARRIER_FRAME_BYTES_MAX, BRIDGE_DEADLINE_MS_MAX, BRIDGE_FRAME_BYTES_MAX, BRIDGE_INTENT_LENGTH_MAX, BRIDGE_LIST_MAX,
  BRIDGE_NAME_LENGTH_MAX, BRIDGE_REASON_LENGTH_MAX, BRIDGE_MEMBERS_MAX
} from './constants.js'
import { fail, intInRange, isPlainMap, list, nodeName, record, safeUint, text } from './fields.js'
import type { Mode } from './fields.js'
import type { DecodeResult } from './types.js'

export type BridgeRequest =
  | { t: 'preflight', id: number, intent: string, dataset?: string, critical?: boolean, deadlineMs?: number }
  | { t: 'release', id: number, snapshot: string }
  | { t: 'clone', id: number, from: string, name: string }
  | { t: 'rollback', id: number, snapshot: string, destroyNewer: boolean }
  | { t: 'list', id: number, dataset?: string }

export interface ListedSnapshotWire { snapshot: string, holds: number }

export type BridgeOutcome =
  | { status: 'cleared', snapshot: string, acked?: string[], notAcked?: string[] }
  | { status: 'denied', reason: string, newer?: string[] }
  | { status: 'released', snapshot: string }
  | { status: 'provisioned', container: string, dataset: string, ms: number }
  | { status: 'rolled-back', snapshot: string, destroyed: string[] }
  | { status: 'listed', snapshots: ListedSnapshotWire[] }

export type BridgeAnswer = BridgeOutcome & { t: 'answer', id: number }

export type BarrierFrame = { t: 'flush', id: number } | { t: 'flushed', id: number, ok: boolean }

const name = (x: unknown, path: string): string => text(x, path, BRIDGE_NAME_LENGTH_MAX)
const optional = <T>(x: unknown, parse: (y: unknown) => T): T | undefined => (x === undefined ? undefined : parse(x))
const bool = (x: unknown, path: string): boolean => {
  if (typeof x !== 'boolean') fail(path, 'must be a boolean')
  return x
}
const names = (x: unknown, path: string, max: number): string[] => list(x, path, max, name)
const members = (x: unknown, path: string): string[] => list(x, path, BRIDGE_MEMBERS_MAX, nodeName)

/** Drops undefined fields, so an optional field that is absent stays absent on the wire. */
function compact<T extends object> (o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k]
  return o
}

function requestSchema (x: unknown, mode: Mode): BridgeRequest {
  if (!isPlainMap(x)) return fail('', 'must be a map')
  switch (x.t) {
    case 'preflight': {
      const r = record(x, '', ['t', 'id', 'intent', 'dataset', 'critical', 'deadlineMs'], mode)
      return compact({
        t: 'preflight',
        id: safeUint(r.id, 'id'),
        intent: text(r.intent, 'intent', BRIDGE_INTENT_LENGTH_MAX),
        dataset: optional(r.dataset, (y) => name(y, 'dataset')),
        critical: optional(r.critical, (y) => bool(y, 'critical')),
        deadlineMs: optional(r.deadlineMs, (y) => intInRange(y, 'deadlineMs', 1, BRIDGE_DEADLINE_MS_MAX))
      })
    }
    case 'release': {
      const r = record(x, '', ['t', 'id', 'snapshot'], mode)
      return { t: 'release', id: safeUint(r.id, 'id'), snapshot: name(r.snapshot, 'snapshot') }
    }
    case 'clone': {
      const r = record(x, '', ['t', 'id', 'from', 'name'], mode)
      return { t: 'clone', id: safeUint(r.id, 'id'), from: name(r.from, 'from'), name: name(r.name, 'name') }
    }
    case 'rollback': {
      const r = record(x, '', ['t', 'id', 'snapshot', 'destroyNewer'], mode)
      return { t: 'rollback', id: safeUint(r.id, 'id'), snapshot: name(r.snapshot, 'snapshot'), destroyNewer: bool(r.destroyNewer, 'destroyNewer') }
    }
    case 'list': {
      const r = record(x, '', ['t', 'id', 'dataset'], mode)
      return compact({ t: 'list', id: safeUint(r.id, 'id'), dataset: optional(r.dataset, (y) => name(y, 'dataset')) })
    }
    default:
      return fail('t', 'must be one of preflight, release, clone, rollback, list')
  }
}

function listed (x: unknown, path: string): ListedSnapshotWire {
  const r = record(x, path, ['snapshot', 'holds'], 'exact')
  return { snapshot: name(r.snapshot, `${path}.snapshot`), holds: safeUint(r.holds, `${path}.holds`) }
}

/** The outcome part of an answer (also what the local API returns). */
export function outcomeSchema (x: unknown, mode: Mode, extra: readonly string[] = []): BridgeOutcome {
  if (!isPlainMap(x)) return fail('', 'must be a map')
  const fields = (own: string[]): Record<string, unknown> => record(x, '', [...extra, 'status', ...own], mode)
  switch (x.status) {
    case 'cleared': {
      const r = fields(['snapshot', 'acked', 'notAcked'])
      return compact({ status: 'cleared', snapshot: name(r.snapshot, 'snapshot'), acked: optional(r.acked, (y) => members(y, 'acked')), notAcked: optional(r.notAcked, (y) => members(y, 'notAcked')) })
    }
    case 'denied': {
      const r = fields(['reason', 'newer'])
      return compact({ status: 'denied', reason: text(r.reason, 'reason', BRIDGE_REASON_LENGTH_MAX), newer: optional(r.newer, (y) => names(y, 'newer', BRIDGE_LIST_MAX)) })
    }
    case 'released': return { status: 'released', snapshot: name(fields(['snapshot']).snapshot, 'snapshot') }
    case 'provisioned': {
      const r = fields(['container', 'dataset', 'ms'])
      return { status: 'provisioned', container: name(r.container, 'container'), dataset: name(r.dataset, 'dataset'), ms: safeUint(r.ms, 'ms') }
    }
    case 'rolled-back': {
      const r = fields(['snapshot', 'destroyed'])
      return { status: 'rolled-back', snapshot: name(r.snapshot, 'snapshot'), destroyed: names(r.destroyed, 'destroyed', BRIDGE_LIST_MAX) }
    }
    case 'listed': return { status: 'listed', snapshots: list(fields(['snapshots']).snapshots, 'snapshots', BRIDGE_LIST_MAX, listed) }
    default:
      return fail('status', 'must be one of cleared, denied, released, provisioned, rolled-back, listed')
  }
}

function answerSchema (x: unknown, mode: Mode): BridgeAnswer {
  if (!isPlainMap(x)) return fail('', 'must be a map')
  if (x.t !== 'answer') fail('t', 'must be answer')
  return { t: 'answer', id: safeUint(x.id, 'id'), ...outcomeSchema(x, mode, ['t', 'id']) }
}

function barrierSchema (x: unknown, mode: Mode): BarrierFrame {
  if (!isPlainMap(x)) return fail('', 'must be a map')
  if (x.t === 'flush') return { t: 'flush', id: safeUint(record(x, '', ['t', 'id'], mode).id, 'id') }
  if (x.t === 'flushed') {
    const r = record(x, '', ['t', 'id', 'ok'], mode)
    return { t: 'flushed', id: safeUint(r.id, 'id'), ok: bool(r.ok, 'ok') }
  }
  return fail('t', 'must be flush or flushed')
}

export const encodeBridgeRequest = (m: BridgeRequest): Uint8Array => encodeWith(m, 'bridge', BRIDGE_FRAME_BYTES_MAX, requestSchema)
export const decodeBridgeRequest = (b: Uint8Array): DecodeResult<BridgeRequest> => decodeWith(b, BRIDGE_FRAME_BYTES_MAX, requestSchema)
export const validateBridgeRequest = (x: unknown): DecodeResult<BridgeRequest> => validateWith(x, requestSchema)
export const encodeBridgeAnswer = (m: BridgeAnswer): Uint8Array => encodeWith(m, 'bridge', BRIDGE_FRAME_BYTES_MAX, answerSchema)
export const decodeBridgeAnswer = (b: Uint8Array): DecodeResult<BridgeAnswer> => decodeWith(b, BRIDGE_FRAME_BYTES_MAX, answerSchema)
export const validateBridgeOutcome = (x: unknown): DecodeResult<BridgeOutcome> => validateWith(x, (y, m) => outcomeSchema(y, m))
export const encodeBarrierFrame = (m: BarrierFrame): Uint8Array => encodeWith(m, 'bridge', BARRIER_FRAME_BYTES_MAX, barrierSchema)
export const decodeBarrierFrame = (b: Uint8Array): DecodeResult<BarrierFrame> => decodeWith(b, BARRIER_FRAME_BYTES_MAX, barrierSchema)
