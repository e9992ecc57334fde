/**
 * The meshfs flight recorder: a write-behind copy of the replicated state as
 * small JSON files. The agent marks what changed (cheap, synchronous); a
 * single writer flushes the changed files at most once per flush interval.
 *
 * The writer does one filesystem operation at a time on purpose. Node runs
 * file I/O on libuv's small shared thread pool; a hung FUSE mount blocks the
 * thread of every operation in flight on it. One operation at a time means a
 * hung mount holds one pool thread, never all of them, so LevelDB and the
 * rest of the agent keep going; probes and gossip use sockets and never wait
 * for the pool at all.
 */
import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from 'pino'
import type { AdminEvent, AgentCore, Liveness, Value } from '../core/index.js'
import { fsyncDir, isTempName, writeRecordIfNewer } from './atomic-file.js'
import { EVENTS_PER_FLUSH_MAX, FILES_PER_FLUSH_MAX, LAYOUT_DIRS, TEMP_STALE_MS } from './constants.js'
import { detectMount } from './mounts.js'
import type { MountInfo } from './mounts.js'
import { seal } from './records.js'
import type { RecordEnvelope } from './records.js'
import { renderLiveNode, renderLiveService, renderPeers, renderSnapshot, servicesOf } from './render.js'

export interface RecorderInit {
  dir: string
  flushMs: number
  writer: string
  core: AgentCore
  log: Logger
}

export interface RecorderStats {
  dir: string
  /** How far the files are behind the agent's state: age of the oldest unwritten change. */
  lagMs: number
  /** Files and events waiting to be written. */
  queueDepth: number
  flushing: boolean
  flushes: number
  filesWritten: number
  /** Files left alone because another agent sharing the folder had written a newer fact. */
  filesSkippedOlder: number
  eventsWritten: number
  writeErrors: number
  lastFlushMs: number
  mount: MountInfo | null
}

interface PendingEvent { event: string, subject: string, atMs: number, fields: Record<string, Value> }

export class Recorder {
  private readonly init: RecorderInit
  /** Target path -> time it first became dirty (monotonic-ish: Date.now()). */
  private dirty = new Map<string, number>()
  private events: PendingEvent[] = []
  private inFlightSinceMs: number | undefined
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> | undefined
  private stopped = false
  readonly stats: RecorderStats

  constructor (init: RecorderInit) {
    this.init = init
    this.stats = { dir: init.dir, lagMs: 0, queueDepth: 0, flushing: false, flushes: 0, filesWritten: 0, filesSkippedOlder: 0, eventsWritten: 0, writeErrors: 0, lastFlushMs: 0, mount: null }
  }

  private p (...parts: string[]): string {
    return path.join(this.init.dir, ...parts)
  }

  async start (): Promise<void> {
    for (const d of LAYOUT_DIRS) await mkdir(this.p(d), { recursive: true })
    const swept = await this.sweepTemps()
    this.stats.mount = await detectMount(this.init.dir)
    this.init.log.info({ recorder: this.init.dir, mount: this.stats.mount, sweptTempFiles: swept }, 'recorder started')
    // Everything known at start is dirty once, so the folder reflects the restored state.
    for (const m of this.init.core.members.all()) this.markNode(m.name)
    this.schedule()
  }

  /** Remove temp files of dead writers in the folders we write. */
  private async sweepTemps (): Promise<number> {
    let swept = 0
    const dirs = ['live/nodes', 'snapshots', 'bootstrap', 'live/services']
    const servicesDir = this.p('live/services')
    for (const d of await readdir(servicesDir).catch(() => [])) dirs.push(path.join('live/services', d))
    for (const d of dirs) {
      for (const name of await readdir(this.p(d)).catch(() => [] as string[])) {
        if (!isTempName(name)) continue
        const file = this.p(d, name)
        const age = await stat(file).then((s) => Date.now() - s.mtimeMs, () => 0)
        if (age > TEMP_STALE_MS) {
          await unlink(file).catch(() => {})
          swept++
        }
      }
    }
    return swept
  }

  private mark (target: string): void {
    if (!this.dirty.has(target)) this.dirty.set(target, Date.now())
  }

  private markNode (node: string): void {
    this.mark(this.p('live/nodes', `${node}.json`))
    for (const svc of servicesOf(this.init.core, node)) this.mark(this.p('live/services', node, `${svc}.json`))
    this.mark(this.p('bootstrap', 'peers.json'))
  }

  /** A replicated key changed: mark the files that show it. */
  noteKey (key: string): void {
    if (this.stopped) return
    if (key.startsWith('member/')) return this.markNode(key.slice(7))
    if (key.startsWith('admin/')) return
    if (key.startsWith('node/')) {
      const end = key.indexOf('/', 5)
      if (end > 5) this.markNode(key.slice(5, end))
      return
    }
    if (key.startsWith('snapshot/')) this.mark(this.p('snapshots', `${key.slice(9)}.json`))
  }

  /** A membership change worth an event line (joins, deaths, leaves). */
  noteMember (name: string, from: Liveness | undefined, to: Liveness, incarnation: number): void {
    if (this.stopped) return
    const event = to === 'dead' ? 'member:dead' : to === 'left' ? 'member:left' : to === 'alive' && from !== 'suspect' ? 'member:joined' : undefined
    if (event !== undefined) this.pushEvent({ event, subject: name, atMs: Date.now(), fields: { incarnation } })
  }

  /** An admin event was accepted: an event line, and the target's file shows its new state. */
  noteAdmin (e: AdminEvent, state: string): void {
    if (this.stopped) return
    this.pushEvent({ event: `admin:${e.action}`, subject: e.target, atMs: Date.now(), fields: { id: e.id, signer: e.signer, eventHlc: e.hlc, state } })
    this.markNode(e.target)
  }

  /** Any other event worth a line in events/ (the host bridge's snapshot:taken, snapshot:released, ...). */
  noteEvent (event: string, subject: string, fields: Record<string, Value>): void {
    if (this.stopped) return
    this.pushEvent({ event, subject, atMs: Date.now(), fields })
  }

  private pushEvent (e: PendingEvent): void {
    if (this.events.length < EVENTS_PER_FLUSH_MAX * 10) this.events.push(e)
  }

  private schedule (): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      const { lagMs, queueDepth } = this.snapshot()
      if (lagMs > 5 * this.init.flushMs) this.init.log.warn({ lagMs, queueDepth, recorder: this.init.dir }, 'recorder is lagging (slow or stalled mount?)')
      void this.flush().finally(() => this.schedule())
    }, this.init.flushMs)
    this.timer.unref()
  }

  /** Write everything dirty now; concurrent callers share one flush. */
  async flush (): Promise<void> {
    if (this.flushing !== undefined) return await this.flushing
    if (this.dirty.size === 0 && this.events.length === 0) return
    this.flushing = this.runFlush().finally(() => {
      this.flushing = undefined
      this.inFlightSinceMs = undefined
    })
    return await this.flushing
  }

  private async runFlush (): Promise<void> {
    const t0 = Date.now()
    const batch = [...this.dirty].slice(0, FILES_PER_FLUSH_MAX)
    for (const [target] of batch) this.dirty.delete(target)
    const events = this.events.splice(0, EVENTS_PER_FLUSH_MAX)
    this.inFlightSinceMs = Math.min(...batch.map(([, at]) => at), ...events.map((e) => e.atMs))
    const touched = new Map<string, [string, number][]>()
    for (const [target, since] of batch) {
      try {
        if (await this.writeTarget(target)) {
          const dir = path.dirname(target)
          touched.set(dir, [...(touched.get(dir) ?? []), [target, since]])
        }
      } catch (err) {
        // Redone from memory at the next flush, with a fresh temp file.
        this.stats.writeErrors++
        if (!this.dirty.has(target)) this.dirty.set(target, since)
        this.init.log.warn({ file: target, err: (err as Error).message }, 'recorder write failed; will retry')
      }
    }
    // One folder fsync per folder per flush makes all its renames durable, instead of one per file.
    for (const [dir, files] of touched) {
      try {
        await fsyncDir(dir)
      } catch (err) {
        this.stats.writeErrors++
        for (const [target, since] of files) if (!this.dirty.has(target)) this.dirty.set(target, since)
        this.init.log.warn({ dir, err: (err as Error).message }, 'recorder could not fsync a folder; will rewrite its files')
      }
    }
    if (events.length > 0) await this.appendEvents(events)
    this.stats.flushes++
    this.stats.lastFlushMs = Date.now() - t0
  }

  private render (target: string): RecordEnvelope | undefined | 'delete' {
    const core = this.init.core
    const writer = this.init.writer
    const rel = path.relative(this.init.dir, target).split(path.sep)
    const base = (rel[rel.length - 1] as string).replace(/\.json$/, '')
    if (rel[0] === 'live' && rel[1] === 'nodes') return renderLiveNode(core, writer, base)
    if (rel[0] === 'live' && rel[1] === 'services') return renderLiveService(core, writer, rel[2] as string, base)
    if (rel[0] === 'snapshots') return renderSnapshot(core, writer, base) ?? 'delete'
    if (rel[0] === 'bootstrap') return renderPeers(core, writer)
    return undefined
  }

  /** Write one file; true when it was renamed into place (its folder still needs an fsync). */
  private async writeTarget (target: string): Promise<boolean> {
    const rec = this.render(target)
    if (rec === undefined) return false
    if (rec === 'delete') {
      await unlink(target).catch(() => {})
      return true
    }
    await mkdir(path.dirname(target), { recursive: true })
    const wrote = await writeRecordIfNewer(target, rec.hlc, `${JSON.stringify(rec, null, 2)}\n`, { syncDir: false })
    if (wrote) this.stats.filesWritten++
    else this.stats.filesSkippedOlder++
    return wrote
  }

  /** Append event lines, one write per day file, then fsync. A failed day is requeued. */
  private async appendEvents (events: PendingEvent[]): Promise<void> {
    const byDay = new Map<string, PendingEvent[]>()
    for (const e of events) {
      const day = new Date(e.atMs).toISOString().slice(0, 10)
      byDay.set(day, [...(byDay.get(day) ?? []), e])
    }
    for (const [day, group] of byDay) {
      const lines = group.map((e) => JSON.stringify(seal('event', this.init.writer, this.init.core.hlc, { ...e.fields, ts: new Date(e.atMs).toISOString(), event: e.event, subject: e.subject })))
      try {
        const fh = await open(this.p('events', `${day}.ndjson`), 'a', 0o644)
        try {
          // One write call per batch: a crash leaves whole lines, never half of one.
          await fh.write(`${lines.join('\n')}\n`)
          await fh.sync()
        } finally {
          await fh.close()
        }
        this.stats.eventsWritten += lines.length
      } catch (err) {
        this.stats.writeErrors++
        this.events.unshift(...group)
        this.init.log.warn({ day, err: (err as Error).message }, 'recorder could not append events; will retry')
      }
    }
  }

  /** Current figures, with lag and queue depth computed now. */
  snapshot (): RecorderStats {
    let oldest = this.inFlightSinceMs ?? Infinity
    for (const at of this.dirty.values()) if (at < oldest) oldest = at
    for (const e of this.events) if (e.atMs < oldest) oldest = e.atMs
    this.stats.lagMs = oldest === Infinity ? 0 : Date.now() - oldest
    this.stats.queueDepth = this.dirty.size + this.events.length
    this.stats.flushing = this.flushing !== undefined
    return { ...this.stats }
  }

  /** Final flush, bounded by `deadlineMs` (a hung mount must not hold up shutdown). */
  async stop (deadlineMs: number): Promise<void> {
    clearTimeout(this.timer)
    const done = this.flush().then(() => this.flush())
    this.stopped = true
    await Promise.race([done.catch(() => {}), new Promise((resolve) => setTimeout(resolve, deadlineMs).unref())])
  }
}
