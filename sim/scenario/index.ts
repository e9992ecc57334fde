/**
 * Scenario files: what to simulate. Example:
 *
 * ```ts
 * import { loadScenario } from '../scenario/index.js'
 * const scenario = loadScenario('sim/scenarios/steady-1000.yaml') // throws ScenarioError naming the field
 * ```
 */
export { ScenarioError } from './errors.js'
export { loadScenario, scenarioFromText } from './load.js'
export { EVENT_KINDS, parseScenario } from './schema.js'
export type { Churn, ClockSkew, CoreOverrides, EventKind, GossipModel, LatencyModel, NetworkModel, Scenario, ScheduledEvent, Stalls, Workload } from './schema.js'
