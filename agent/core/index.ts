/**
 * The pure core of a hauki-mesh agent: replicated CRDT state, SWIM membership
 * with Lifeguard, heartbeat telemetry and anti-entropy bookkeeping.
 *
 * It takes inputs with the time they happened and returns effects; it never
 * touches a clock, randomness, the network or the disk itself. Example:
 *
 * ```ts
 * import { AgentCore, seededRng } from '../core/index.js'
 * const core = new AgentCore({ name: 'hauki-crm', rng: seededRng(42), incarnation: 3 })
 * let effects = core.step({ kind: 'start', capabilities: { role: 'container', labels: {}, services: [] } }, now())
 * // carry out effects: persist, publish, probe, sync, wake ...
 * effects = core.step({ kind: 'entries', source: 'gossip', entries }, now())
 * ```
 */
export { AgentCore } from './agent.js'
export type { AgentCoreInit, Channel, CoreStats, Effect, Input } from './agent.js'
export type { Clock } from './clock.js'
export * as constants from './constants.js'
export { canonicalJson, compareStamp, compareWrites, entryRejection, isLiveness, isMemberRecord, isNodeName, memberKey, memberOfKey, nodeKey, ownerOfKey } from './entries.js'
export { HybridClock, hlcFromWall, hlcLogical, hlcWallMs, isHlc } from './hlc.js'
export { grown, newColumn } from './columns.js'
export type { Column, ColumnKind, ColumnMaker } from './columns.js'
export { NameTable } from './names.js'
export { Replica, UndoLog, VersionBank } from './replica.js'
export type { MergeOutcome, OriginVersion } from './replica.js'
export { sample, seededRng, shuffleInPlace } from './rng.js'
export type { Rng } from './rng.js'
export { bucketCountFor, isBucketCount, syncAnswer, syncDelta, syncHello, syncPush, syncVersions, syncWant, syncWanted } from './sync.js'
export type { SyncAnswer, SyncDelta, SyncDigest, SyncHello, SyncPush, SyncVersions, SyncWant } from './sync.js'
export { heartbeatIntervalMs } from './telemetry.js'
export type { Capabilities, HeartbeatValue, TelemetrySample } from './telemetry.js'
export { Suspicion, SuspicionTimers, deadlineSpreadMs, suspicionMinMs, suspicionTimeoutMs, expectedConfirmations } from './membership/suspicion.js'
export { ADMIN_ACTIONS, adminEventId, adminEventRejection, adminShapeProblem, generateAdminKey, publicKeyOf, signAdminEvent } from './admin/event.js'
export type { AdminAction, AdminEvent, AdminPayload, Ed25519Verify } from './admin/event.js'
export { compareEvents, foldMaintenance } from './admin/fold.js'
export type { FoldStep, MaintenanceState, MaintenanceView, ReportPhase } from './admin/fold.js'
export { drainDeadlineMsOf, DRAIN_DEADLINE_S_MAX } from './admin/worker.js'
export type { MaintenanceWork } from './admin/worker.js'
export { formatPublicKeyFile, formatSecretKeyFile, parseKeyFile } from './admin/key-file.js'
export type { KeyFile } from './admin/key-file.js'
export { whereIs } from './placement.js'
export type { PlacementCandidate, PlacementQuery } from './placement.js'
export type { Entry, EntryKey, Hlc, Instant, Liveness, MemberRecord, NodeName, PeerIdStr, Value } from './types.js'
