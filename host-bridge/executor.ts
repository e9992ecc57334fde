/**
 * The privileged executor: checks who may touch which dataset, validates
 * every name, then runs the backend and LXC. Every operation returns an
 * outcome value; a refusal or failure is `{ status: 'denied', reason }` and,
 * when the refusal came from a check, no process was started. Operations run
 * one at a time (a queue), so two pre-flights in the same second get
 * different names and rollback never races a snapshot.
 */
import type { BridgeOutcome } from '../protocols/index.js'
import { rootsFor } from './authorize.js'
import type { AllowRule, Caller } from './authorize.js'
import type { Backend } from './backend.js'
import { EXECUTOR_QUEUE_MAX, HOLD_TAG, ISSUED_NAMES_MAX, KEEP_PREFLIGHT_DEFAULT, LIST_SNAPSHOTS_MAX, REASON_LENGTH_MAX } from './constants.js'
import { BridgeConfigError, BridgeError, BusyError, CommandFailedError, ConflictError, NotAllowedError } from './errors.js'
import type { Lxc } from './lxc.js'
import { checkContainerName, checkDataset, checkSnapshot, checkUnder } from './names.js'
import type { DatasetName, SnapshotName } from './names.js'
import { isOurs, preflightName, uniqueName } from './naming.js'
import { pruneCandidates } from './retention.js'

type Options = { signal?: AbortSignal }
export type Denied = Extract<BridgeOutcome, { status: 'denied' }>

export interface BarrierResult { acked: string[], notAcked: string[] }

export interface PreflightRequest {
  caller: Caller
  intent: string
  dataset?: string
  critical?: boolean
  /** Runs the flush barrier of a critical pre-flight (the runtime's job: it knows the members). */
  barrier?: () => Promise<BarrierResult>
}

export interface ExecutorInit {
  /** This host's node name (for logs). */
  node: string
  backend: Backend
  allow: readonly AllowRule[]
  /** LXC provisioning for clones; clones are denied without it. */
  lxc?: Lxc
  /** Pre-flight snapshots kept per dataset; older ones of ours are released and destroyed. @default KEEP_PREFLIGHT_DEFAULT */
  keepPreflight?: number
  /** Wall clock in ms, for snapshot names. @default Date.now */
  nowMs?: () => number
}

export interface PruneResult { destroyed: SnapshotName[] }

export class BridgeExecutor {
  readonly backend: Backend
  private readonly init: ExecutorInit
  private readonly keep: number
  private queue: Promise<unknown> = Promise.resolve()
  /** Snapshot names this executor has used (bounded): same-second requests get the next suffix without asking zfs. */
  private readonly issued = new Set<SnapshotName>()
  private queued = 0

  constructor (init: ExecutorInit) {
    this.init = init
    this.backend = init.backend
    this.keep = init.keepPreflight ?? KEEP_PREFLIGHT_DEFAULT
    if (!Number.isSafeInteger(this.keep) || this.keep < 1) throw new BridgeConfigError(`keepPreflight: must be a positive integer, got ${this.keep}`)
  }

  /** Dataset roots the caller may use. */
  rootsOf (caller: Caller): DatasetName[] {
    return rootsFor(this.init.allow, caller)
  }

  /** Take (and hold) a pre-flight snapshot; a critical one runs the barrier first and snapshots recursively. */
  async preflight (req: PreflightRequest, options?: Options): Promise<BridgeOutcome> {
    return await this.serial(async () => {
      const dataset = this.datasetFor(req.caller, req.dataset)
      const critical = req.critical === true
      const barrier = critical && req.barrier !== undefined ? await req.barrier() : undefined
      const snapshot = await this.snapshotUnique(preflightName(dataset, req.caller.node, req.intent, (this.init.nowMs ?? Date.now)()), critical, options)
      try {
        await this.backend.hold(snapshot, { recursive: critical }, options)
      } catch (err) {
        await this.backend.destroySnapshot(snapshot, { deferred: true }).catch(() => {})
        throw err
      }
      return barrier === undefined ? { status: 'cleared', snapshot } : { status: 'cleared', snapshot, acked: barrier.acked, notAcked: barrier.notAcked }
    }, options)
  }

  /** Drop our hold; the snapshot stays until retention or an operator removes it. */
  async release (caller: Caller, snapshot: string, options?: Options): Promise<BridgeOutcome> {
    return await this.serial(async () => {
      const s = this.snapshotFor(caller, snapshot)
      await this.backend.release(s.snapshot, { recursive: await this.isRecursiveHold(s.snapshot, options) }, options)
      return { status: 'released', snapshot: s.snapshot }
    }, options)
  }

  /** Roll the dataset back; refuses while newer snapshots exist unless `destroyNewer`, and names them either way. */
  async rollback (caller: Caller, snapshot: string, destroyNewer: boolean, options?: Options): Promise<BridgeOutcome> {
    return await this.serial(async () => {
      const s = this.snapshotFor(caller, snapshot)
      const listed = await this.backend.list(s.dataset, { recursive: false }, options)
      const at = listed.findIndex((l) => l.snapshot === s.snapshot)
      if (at < 0) throw new ConflictError(`snapshot ${s.snapshot} does not exist`)
      const newer = listed.slice(at + 1)
      if (newer.length > 0 && !destroyNewer) {
        throw new ConflictError(`newer snapshots exist on ${s.dataset}: ${newer.map((n) => n.snapshot).join(', ')}; pass destroy-newer to destroy them`, newer.map((n) => n.snapshot))
      }
      // Our holds would stop `rollback -r`; foreign holds are not ours to drop and make it fail with zfs's reason.
      for (const n of newer) if (n.holds > 0 && isOurs(n.snapshot)) await this.backend.release(n.snapshot, { recursive: false }, options).catch(() => {})
      await this.backend.rollback(s.snapshot, { destroyNewer }, options)
      return { status: 'rolled-back', snapshot: s.snapshot, destroyed: newer.map((n) => n.snapshot) }
    }, options)
  }

  /** Clone `from` (dataset@snap) to a sibling dataset named `name`, and start an LXC container on it. */
  async clone (caller: Caller, from: string, name: string, options?: Options): Promise<BridgeOutcome> {
    return await this.serial(async () => {
      const lxc = this.init.lxc
      const started = performance.now()
      const s = this.snapshotFor(caller, from)
      const container = checkContainerName(name)
      const parent = s.dataset.includes('/') ? s.dataset.slice(0, s.dataset.lastIndexOf('/')) : s.dataset
      const target = checkDataset(`${parent}/${container}`, 'clone target')
      checkUnder(target, this.rootsOf(caller), caller.node)
      if (lxc === undefined) throw new NotAllowedError('this host has no LXC configured (--lxc-path)')
      // Checked first, so the cleanup below can only ever remove a container this call created.
      if (await lxc.exists(container)) throw new ConflictError(`container ${container} already exists`)
      // The parent's mountpoint is read while zfs clones: a new clone inherits `<parent mountpoint>/<name>`.
      const [, parentMount] = await Promise.all([
        this.backend.clone(s.snapshot, target, options),
        this.backend.mountpoint(parent, options).catch(() => undefined)
      ])
      try {
        const inherited = parentMount !== undefined && parentMount.startsWith('/') ? `${parentMount}/${container}` : undefined
        await lxc.createAndStart(container, inherited ?? await this.backend.mountpoint(target, options), options)
      } catch (err) {
        await lxc.stopAndRemove(container).catch(() => {})
        await this.backend.destroyDataset(target).catch(() => {})
        throw err
      }
      return { status: 'provisioned', container, dataset: target, ms: Math.round(performance.now() - started) }
    }, options)
  }

  /** Snapshots under the caller's roots (or one dataset of them), oldest first. */
  async list (caller: Caller, dataset: string | undefined, options?: Options): Promise<BridgeOutcome> {
    try {
      const roots = dataset === undefined ? this.rootsOf(caller) : [this.datasetFor(caller, dataset)]
      if (roots.length === 0) throw new NotAllowedError(`${caller.node} may not use any dataset on this host`)
      const out: { snapshot: string, holds: number }[] = []
      for (const root of roots) {
        for (const s of await this.backend.list(root, { recursive: true }, options)) out.push({ snapshot: s.snapshot, holds: s.holds })
      }
      return { status: 'listed', snapshots: out.slice(0, LIST_SNAPSHOTS_MAX) }
    } catch (err) {
      return denied(err)
    }
  }

  /**
   * Retention: of our PRE_ snapshots on `dataset`, all but the newest `keep`
   * are destroyed (deferred, then our hold released, so one still held by
   * someone else goes when they let go). Foreign snapshots are never touched.
   */
  async prune (dataset: DatasetName, options?: Options): Promise<PruneResult> {
    return await this.serialRaw(async () => {
      const ds = checkDataset(dataset)
      const destroyed: SnapshotName[] = []
      const listed = await this.backend.list(ds, { recursive: false }, options)
      for (const snapshot of pruneCandidates(listed, this.keep)) {
        const held = (listed.find((l) => l.snapshot === snapshot)?.holds ?? 0) > 0
        await this.backend.destroySnapshot(snapshot, { deferred: true }, options)
        if (held) await this.backend.release(snapshot, { recursive: false }, options).catch(() => {})
        destroyed.push(snapshot)
      }
      return { destroyed }
    })
  }

  /**
   * Snapshot under the first free name of base, base_2, ...: names issued
   * here are remembered, and a name zfs reports as existing (taken by someone
   * else) is skipped, so no `zfs list` sits on the pre-flight's path.
   */
  private async snapshotUnique (base: SnapshotName, recursive: boolean, options?: Options): Promise<SnapshotName> {
    if (this.issued.size > ISSUED_NAMES_MAX) this.issued.clear()
    for (;;) {
      const name = uniqueName(base, (n) => this.issued.has(n))
      this.issued.add(name)
      try {
        await this.backend.snapshot(name, { recursive }, options)
        return name
      } catch (err) {
        const exists = err instanceof ConflictError || (err instanceof CommandFailedError && err.result.stderr.includes('exists'))
        if (!exists) throw err
      }
    }
  }

  private datasetFor (caller: Caller, dataset: string | undefined): DatasetName {
    const roots = this.rootsOf(caller)
    if (dataset === undefined) {
      const first = roots[0]
      if (first === undefined) throw new NotAllowedError(`${caller.node} may not use any dataset on this host`)
      return first
    }
    const ds = checkDataset(dataset)
    checkUnder(ds, roots, caller.node)
    return ds
  }

  private snapshotFor (caller: Caller, snapshot: string): { snapshot: SnapshotName, dataset: DatasetName } {
    const s = checkSnapshot(snapshot)
    checkUnder(s.dataset, this.rootsOf(caller), caller.node)
    return s
  }

  /** A critical pre-flight held its snapshot recursively; release it the same way. */
  private async isRecursiveHold (snapshot: SnapshotName, options?: Options): Promise<boolean> {
    const { dataset, snap } = checkSnapshot(snapshot)
    const all = await this.backend.list(dataset, { recursive: true }, options)
    return all.some((l) => l.dataset !== dataset && l.snapshot.endsWith(`@${snap}`) && l.holds > 0)
  }

  private async serial (work: () => Promise<BridgeOutcome>, options?: Options): Promise<BridgeOutcome> {
    try {
      return await this.serialRaw(work, options)
    } catch (err) {
      return denied(err)
    }
  }

  private async serialRaw<T> (work: () => Promise<T>, options?: Options): Promise<T> {
    if (this.queued >= EXECUTOR_QUEUE_MAX) throw new BusyError(`host is busy: ${this.queued} bridge operations queued`)
    options?.signal?.throwIfAborted()
    this.queued++
    const run = this.queue.then(work, work)
    this.queue = run.catch(() => {})
    try {
      return await run
    } finally {
      this.queued--
    }
  }
}

/** A failure as a `denied` outcome; errors that are not ours are bugs and keep their stack in the reason. */
export function denied (err: unknown): Denied {
  const clip = (s: string): string => (s.length > REASON_LENGTH_MAX ? `${s.slice(0, REASON_LENGTH_MAX - 3)}...` : s)
  if (err instanceof ConflictError && err.names.length > 0) return { status: 'denied', reason: clip(err.message), newer: err.names }
  if (err instanceof BridgeError) return { status: 'denied', reason: clip(err.message) }
  const e = err instanceof Error ? err : new Error(String(err))
  return { status: 'denied', reason: clip(`${e.name}: ${e.message}`) }
}

export { HOLD_TAG }
