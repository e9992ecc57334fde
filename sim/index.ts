/**
 * The deterministic simulator: the unmodified agent core of every node over a
 * simulated network and a virtual clock. Example:
 *
 * ```ts
 * import { loadScenario, runScenario } from '../sim/index.js'
 * const result = runScenario(loadScenario('sim/scenarios/crash-20.yaml'), { seed: 7 })
 * if (!result.ok) console.log(result.reproduce)
 * ```
 *
 * Nothing in the project imports sim; its users are `bin/mesh-sim.js`,
 * `sim/bench.ts` and the tests.
 */
export { checkAckedWrites, checkMembership, checkStateDigests } from './checkers.js'
export type { AckedWrite, CheckResult, NodeView } from './checkers.js'
export { main } from './cli.js'
export { renderReport } from './report/html.js'
export type { SimResult } from './result.js'
export { Run, runScenario } from './run.js'
export type { RunOptions } from './run.js'
export { ScenarioError, loadScenario, parseScenario, scenarioFromText } from './scenario/index.js'
export type { Scenario } from './scenario/index.js'
