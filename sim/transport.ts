/**
 * Probes and anti-entropy over the simulated network, with the runtime's
 * rules (agent/runtime/agent.ts, probe-protocol.ts, sync-protocol.ts):
 *
 * - A direct probe is a libp2p ping aborted at the core's timeout: a late
 *   answer is never reported. A crashed or departed target refuses the
 *   connection (its process is gone, its host still answers), which the
 *   core hears as `probe-failed` one round trip later; a partition or a lost
 *   packet is silence.
 * - An indirect probe asks a helper to ping the target; the helper answers
 *   ack or nack; the asker gives up at timeout + INDIRECT_PROBE_SLACK_MS. A
 *   helper that cannot be reached sends nothing (no nack), which Lifeguard
 *   counts against the asker.
 * - A sync round is up to three request/response exchanges (hello ->
 *   versions or digest, want -> versions after a digest, push -> delta),
 *   each frame its own message with its own fate, each exchange bounded by
 *   SYNC_EXCHANGE_TIMEOUT_MS, at most
 *   `syncConcurrentMax` rounds per node at once. Each side computes its
 *   frame from its state at the moment the frame is handled.
 */
import type { NodeName, SyncAnswer, SyncPush, SyncVersions } from '../agent/core/index.js'
import { INDIRECT_PROBE_SLACK_MS, SYNC_EXCHANGE_TIMEOUT_MS } from './constants.js'
import { PING_BYTES, PROBE_RESPONSE_BYTES, probeRequestBytes, syncRequestBytes, syncResponseBytes } from './sizes.js'
import type { World } from './world.js'

function count (w: World, kind: 'probe' | 'sync', bytes: number): void {
  w.traffic[kind].messages++
  w.traffic[kind].bytes += bytes
}

export function sendProbe (w: World, a: number, probeId: number, target: NodeName, timeoutMs: number): void {
  const t = w.indexOf(target)
  if (t === undefined) return
  const t0 = w.now
  count(w, 'probe', PING_BYTES)
  if (!w.isUp(t)) {
    if (w.net.canSend(a, t)) w.atNode(a, t0 + 2 * w.net.baseMs(a, t), () => w.step(a, { kind: 'probe-failed', probeId }))
    return
  }
  const there = w.net.fate(a, t)
  if (there.kind !== 'arrives') return
  const answeredAt = w.readyAtMs(t, t0 + there.delayMs)
  const back = w.net.fate(t, a)
  if (back.kind !== 'arrives') return
  const rttMs = answeredAt + back.delayMs - t0
  if (rttMs > timeoutMs) return
  w.atNode(a, t0 + rttMs, () => w.step(a, { kind: 'probe-ack', probeId, rttMs: Math.round(rttMs * 100) / 100 }))
}

/** When the helper's own ping of the target settles, and how, measured from when it started. */
function helperPing (w: World, h: number, t: number, startMs: number, timeoutMs: number): { ok: boolean, atMs: number } {
  count(w, 'probe', PING_BYTES)
  if (!w.isUp(t)) return { ok: false, atMs: startMs + 2 * w.net.baseMs(h, t) }
  const there = w.net.fate(h, t)
  const back = w.net.fate(t, h)
  if (there.kind !== 'arrives' || back.kind !== 'arrives') return { ok: false, atMs: startMs + timeoutMs }
  const doneMs = w.readyAtMs(t, startMs + there.delayMs) + back.delayMs
  return doneMs - startMs <= timeoutMs ? { ok: true, atMs: doneMs } : { ok: false, atMs: startMs + timeoutMs }
}

export function sendIndirect (w: World, a: number, probeId: number, helper: NodeName, target: NodeName, timeoutMs: number): void {
  const h = w.indexOf(helper)
  const t = w.indexOf(target)
  if (h === undefined || t === undefined) return
  const t0 = w.now
  count(w, 'probe', probeRequestBytes(target))
  if (!w.isUp(h)) return
  const req = w.net.fate(a, h)
  if (req.kind !== 'arrives') return
  const startMs = w.readyAtMs(h, t0 + req.delayMs)
  const outcome = helperPing(w, h, t, startMs, Math.max(1, Math.floor(timeoutMs)))
  count(w, 'probe', PROBE_RESPONSE_BYTES)
  const res = w.net.fate(h, a)
  if (res.kind !== 'arrives') return
  const atMs = outcome.atMs + res.delayMs
  if (atMs - t0 > Math.ceil(timeoutMs) + INDIRECT_PROBE_SLACK_MS) return
  w.atNode(a, atMs, () => w.step(a, { kind: outcome.ok ? 'indirect-ack' : 'indirect-nack', probeId }))
}

/**
 * Send one frame of an exchange from `from` to `to`; `then` runs at `to` when
 * it arrives. If it cannot arrive in time, `fail` runs at `owner` (the
 * requester) when its exchange deadline passes.
 */
function frame (w: World, from: number, to: number, bytes: number, sentAtMs: number, owner: number, then: () => void, fail: () => void): void {
  count(w, 'sync', bytes)
  const deadlineMs = sentAtMs + SYNC_EXCHANGE_TIMEOUT_MS
  if (!w.isUp(to)) {
    // A dead peer refuses at once; a partitioned one times out.
    const refusedAt = w.net.canSend(from, to) ? w.now + 2 * w.net.baseMs(from, to) : deadlineMs
    w.atNode(owner, refusedAt, fail)
    return
  }
  const f = w.net.fate(from, to)
  const at = w.now + (f.kind === 'arrives' ? f.delayMs : 0)
  if (f.kind !== 'arrives' || at > deadlineMs) {
    w.atNode(owner, deadlineMs, fail)
    return
  }
  w.atNode(to, at, then)
}

export function startSync (w: World, q: number, r: number): void {
  const qn = w.node(q)
  if (q === r || qn.status !== 'up' || qn.core === undefined || qn.syncsRunning >= w.scenario.syncConcurrentMax) return
  qn.syncsRunning++
  const life = qn.life
  const done = (): void => { if (qn.life === life) qn.syncsRunning-- }
  const hello = { t: 'hello' as const, ...qn.core.syncHello() }
  const t0 = w.now
  frame(w, q, r, syncRequestBytes(hello), t0, q, () => {
    const rc = w.node(r).core
    if (rc === undefined) return w.atNode(q, t0 + SYNC_EXCHANGE_TIMEOUT_MS, done)
    const answer = rc.syncAnswer(hello)
    frame(w, r, q, syncResponseBytes(answer), t0, q, () => onAnswer(w, q, r, answer, done), done)
  }, done)
}

/** After a digest, ask for the versions in the fine buckets that differ (as runSync does). */
function onAnswer (w: World, q: number, r: number, answer: SyncAnswer, done: () => void): void {
  if (answer.t === 'versions') return onVersions(w, q, r, answer, done)
  const qc = w.node(q).core
  if (qc === undefined) return done()
  const want = { t: 'want' as const, ...qc.syncWant(answer) }
  if (want.buckets.length === 0) return done()
  const t1 = w.now
  frame(w, q, r, syncRequestBytes(want), t1, q, () => {
    const rc = w.node(r).core
    if (rc === undefined) return w.atNode(q, t1 + SYNC_EXCHANGE_TIMEOUT_MS, done)
    const versions = { t: 'versions' as const, ...rc.syncWanted(want) }
    frame(w, r, q, syncResponseBytes(versions), t1, q, () => onVersions(w, q, r, versions, done), done)
  }, done)
}

function onVersions (w: World, q: number, r: number, versions: SyncVersions, done: () => void): void {
  const qc = w.node(q).core
  if (qc === undefined || versions.buckets.length === 0) return done()
  const push = { t: 'push' as const, ...qc.syncPush(versions) }
  const t1 = w.now
  frame(w, q, r, syncRequestBytes(push), t1, q, () => onPush(w, q, r, push, t1, done), done)
}

function onPush (w: World, q: number, r: number, push: SyncPush, t1: number, done: () => void): void {
  const rc = w.node(r).core
  if (rc === undefined) return w.atNode(q, t1 + SYNC_EXCHANGE_TIMEOUT_MS, done)
  // Compute what the peer misses before taking in what it sent (as handleSync does).
  const delta = { t: 'delta' as const, ...rc.syncDelta(push) }
  w.step(r, { kind: 'entries', source: 'sync', entries: push.entries })
  w.step(r, { kind: 'sync-advance', versions: push.complete })
  frame(w, r, q, syncResponseBytes(delta), t1, q, () => {
    w.step(q, { kind: 'entries', source: 'sync', entries: delta.entries })
    w.step(q, { kind: 'sync-advance', versions: delta.complete })
    done()
  }, done)
}
