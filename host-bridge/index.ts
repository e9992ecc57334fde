/**
 * The host bridge: the privileged executor that alone touches ZFS and LXC on
 * a host. Pure builders and name rules (no I/O), one runner (execa, argv
 * only), two backends (`zfs`, `dir`) and the executor that checks
 * authorization and answers with outcome values. It depends on `protocols`
 * only; the agent runtime wires it to the mesh.
 *
 * ```ts
 * import { createBridge, parseAllowRule } from '../host-bridge/index.js'
 * const bridge = createBridge({ node: 'host1', backend: 'zfs', allow: [parseAllowRule('crm=tank/ct/crm')], lxcPath: '/var/lib/lxc' })
 * const out = await bridge.executor.preflight({ caller: { node: 'crm' }, intent: 'upgrade nginx' })
 * // { status: 'cleared', snapshot: 'tank/ct/crm@PRE_crm_upgrade-nginx_20261125_184800' } or { status: 'denied', reason }
 * ```
 */
import type { Backend, BackendKind } from './backend.js'
import { LXC_PATH_DEFAULT } from './constants.js'
import { dirBackend } from './dir-backend.js'
import { BridgeExecutor } from './executor.js'
import type { AllowRule } from './authorize.js'
import { checkLxcPath } from './lxc-args.js'
import { lxc } from './lxc.js'
import { createRunner } from './runner.js'
import type { Runner } from './runner.js'
import { zfsBackend } from './zfs-backend.js'

export * as bridgeConstants from './constants.js'
export { BridgeConfigError, BridgeError, BusyError, CommandFailedError, ConflictError, InvalidNameError, NotAllowedError } from './errors.js'
export { checkContainerName, checkDataset, checkSnapshot, checkSnapshotPart, checkUnder, isUnder } from './names.js'
export type { ContainerName, DatasetName, SnapshotName } from './names.js'
export { intentSlug, isOurs, preflightName, snapshotId, snapshotOfId, uniqueName, utcStamp } from './naming.js'
export * as zfsArgs from './zfs-args.js'
export * as lxcArgs from './lxc-args.js'
export type { ListedSnapshot } from './zfs-args.js'
export { createRunner, okOrThrow } from './runner.js'
export type { CommandResult, Runner, RunnerStats } from './runner.js'
export { dirBackend } from './dir-backend.js'
export { zfsBackend } from './zfs-backend.js'
export type { Backend, BackendKind } from './backend.js'
export { lxc } from './lxc.js'
export type { Lxc } from './lxc.js'
export { formatAllowRules, parseAdvertisedRules, parseAllowRule, rootsFor } from './authorize.js'
export type { AllowRule, Caller } from './authorize.js'
export { pruneCandidates } from './retention.js'
export { BridgeExecutor, denied } from './executor.js'
export type { BarrierResult, ExecutorInit, PreflightRequest, PruneResult } from './executor.js'

export interface BridgeInit {
  /** This host's node name. */
  node: string
  /** `zfs` (production) or `dir` (plain folder copies). */
  backend: BackendKind
  /** Who may use which dataset roots. */
  allow: readonly AllowRule[]
  /** Folder of the `dir` backend's datasets; required for `dir`. */
  dirRoot?: string
  /** The zfs program. @default 'zfs' */
  zfsBin?: string
  /** LXC's lxcpath for cloned containers. @default LXC_PATH_DEFAULT ('/var/lib/lxc') */
  lxcPath?: string
  /** Pre-flight snapshots kept per dataset. @default KEEP_PREFLIGHT_DEFAULT (20) */
  keepPreflight?: number
}

export interface Bridge {
  executor: BridgeExecutor
  runner: Runner
  backend: Backend
  init: BridgeInit
}

/** Build a runner, a backend, LXC and the executor from one configuration. */
export function createBridge (init: BridgeInit): Bridge {
  const runner = createRunner()
  const backend = init.backend === 'dir'
    ? dirBackend({ root: init.dirRoot ?? '' })
    : zfsBackend({ runner, zfsBin: init.zfsBin })
  const lxcPath = checkLxcPath(init.lxcPath ?? LXC_PATH_DEFAULT)
  const executor = new BridgeExecutor({ node: init.node, backend, allow: init.allow, lxc: lxc({ runner, lxcPath }), keepPreflight: init.keepPreflight })
  return { executor, runner, backend, init }
}
