/**
 * Carrying out the maintenance work the core asks for (`maintenance`
 * effects): drain (stop this node's non-essential daemons), resume (start
 * them again), restart-daemons, clear-avoid. The core hears back through a
 * `maintenance-done` input and only then reports progress, so a drain counts
 * as complete only once the daemons actually stopped.
 *
 * Daemon supervision is not built yet, so the production executor supervises
 * nothing: there is nothing to stop, and every piece of work is complete at
 * once. The interface is the seam where the supervisor plugs in; tests plug
 * in executors that hold work back to exercise the drain deadline.
 */
import type { MaintenanceWork } from '../core/index.js'

export interface MaintenanceExecutor {
  /** Do the work; resolve true when it is done, false when it failed. */
  run: (work: MaintenanceWork, eventId: string, options?: { signal?: AbortSignal }) => Promise<boolean>
}

/** The executor of a node that supervises no daemons (yet): all work is done at once. */
export const noDaemonsExecutor: MaintenanceExecutor = {
  run: async () => true
}
