/**
 * `meshctl where SERVICE` (or `--label KEY[=VALUE]`): which nodes offer it
 * and may take new work now, nearest first (alive, not cordoned, Active).
 * `--all` also lists the nodes that offer it but are passed over, with the
 * reason. Exit 1 when no node may take it, so scripts can branch on it.
 */
import { flagValue } from './argv.js'
import type { Command, CommandResult } from './command.js'
import { BadResponseError, CliError, UsageError } from './errors.js'
import { cell, formatRtt, renderTable, sanitize } from './format.js'
import { isPlainObject } from './values.js'

export const WHERE_PATH = '/v1/where'

/** Nothing eligible offers what was asked. */
export class NothingEligibleError extends CliError {
  override name = 'NothingEligibleError'
  readonly code = 'NOT_FOUND'
}

interface Candidate { node: string, rttMs: unknown, role: unknown, eligible: boolean, reason: unknown }

function checkCandidates (x: unknown): Candidate[] {
  if (!isPlainObject(x) || !Array.isArray(x.candidates)) throw new BadResponseError(`unexpected answer to GET ${WHERE_PATH}: no "candidates" array`)
  return x.candidates.filter((c): c is Candidate => isPlainObject(c) && typeof c.node === 'string' && typeof c.eligible === 'boolean')
}

export const whereCommand: Command = {
  name: 'where',
  summary: 'where SERVICE: nodes that offer a service (or --label KEY[=VALUE]) and may take work, nearest first',
  synopsis: 'where [SERVICE] [--label KEY[=VALUE]] [--all]',
  flags: [{ name: 'label', kind: 'string' }, { name: 'all', kind: 'boolean' }],
  positionalsMax: 1,
  run: async (ctx): Promise<CommandResult> => {
    const service = ctx.args.positionals[0]
    const label = flagValue(ctx.args, 'label')
    if (service === undefined && label === undefined) throw new UsageError('where: name a SERVICE or give --label KEY[=VALUE]')
    const query = new URLSearchParams()
    if (service !== undefined) query.set('service', service)
    if (label !== undefined) query.set('label', label)
    const data = await ctx.agent.getJson(`${WHERE_PATH}?${query.toString()}`)
    const all = checkCandidates(data)
    const shown = ctx.args.booleans.has('all') ? all : all.filter((c) => c.eligible)
    const what = [service, label === undefined ? undefined : `label ${label}`].filter((x) => x !== undefined).join(' with ')
    if (!all.some((c) => c.eligible) && !ctx.json) {
      const passed = all.map((c) => `${sanitize(c.node)} (${cell(c.reason)})`).join(', ')
      throw new NothingEligibleError(`no node may take ${what} now${passed === '' ? ': nobody offers it' : `; offered by ${passed}`}`)
    }
    const rows = shown.map((c) => [sanitize(c.node), formatRtt(c.rttMs), cell(c.role), c.eligible ? 'eligible' : cell(c.reason)])
    const text = rows.length === 0 ? `no node offers ${what}\n` : renderTable(['NODE', 'RTT', 'ROLE', 'STATUS'], rows)
    return { data, text, exitCode: all.some((c) => c.eligible) ? 0 : 1 }
  }
}
