/**
 * A scenario that cannot run. `field` is the dotted path of the offending
 * field (`scenario.network.loss`), so the CLI can print one line that says
 * exactly what to fix; the CLI maps `code` to exit status 2.
 */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError'
  readonly code = 'ERR_BAD_SCENARIO'
  readonly field: string

  constructor (field: string, rule: string, options?: { cause?: unknown }) {
    super(`${field}: ${rule}`, options)
    this.field = field
  }
}
