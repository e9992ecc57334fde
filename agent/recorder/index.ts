/**
 * The meshfs flight recorder: the mesh's durable, human-readable memory.
 *
 * ```ts
 * const recorder = new Recorder({ dir: '/meshfs', flushMs: 2000, writer: 'hauki-crm', core, log })
 * await recorder.start()            // creates the layout, sweeps stale temp files, detects the mount
 * recorder.noteKey('node/a/heartbeat') // cheap: marks live/nodes/a.json dirty
 * await recorder.stop(3000)         // final flush, bounded
 * const report = await verifyRecorder('/meshfs')
 * ```
 */
export { Recorder } from './recorder.js'
export type { RecorderInit, RecorderStats } from './recorder.js'
export { verifyRecorder } from './verify.js'
export type { VerifyProblem, VerifyReport } from './verify.js'
export { peersFromRecorder } from './emergency.js'
export { detectMount, classifyMount } from './mounts.js'
export type { MountInfo } from './mounts.js'
export { recordProblem, seal } from './records.js'
export type { RecordEnvelope, RecordKind } from './records.js'
export { writeAtomic, writeRecordIfNewer, isTempName } from './atomic-file.js'
export * as recorderConstants from './constants.js'
