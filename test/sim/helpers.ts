import { parseScenario } from '../../sim/index.js'
import type { Scenario } from '../../sim/index.js'

/** A small, fast scenario: `nodes` nodes, short phases, a few writes. */
export function small (fields: Record<string, unknown> = {}): Scenario {
  return parseScenario({ name: 'small', nodes: 12, durationS: 40, warmupS: 15, startSpreadS: 3, livenessTimeoutS: 60, workload: { writesPerS: 2 }, ...fields })
}
