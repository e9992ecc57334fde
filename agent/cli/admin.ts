/**
 * Admin commands: `meshctl maintenance enter|exit NODE`, `drain NODE`,
 * `cordon NODE`, `uncordon NODE`, `restart-daemons NODE`, `clear-avoid NODE`.
 * Each signs an admin event locally with the operator's secret key (`--key
 * FILE`, else `$MESH_ADMIN_KEY`) and hands it to the local agent, which
 * replicates it. The secret key never leaves this process.
 *
 * The event's HLC stamp must order after everything the agent has seen, so
 * meshctl reads the agent's clock first and stamps max(now, agent + 1): an
 * operator whose laptop clock is behind still gets an event that wins over
 * the ones before it.
 */
import { readFileSync } from 'node:fs'
import { DRAIN_DEADLINE_S_MAX, hlcFromWall, isNodeName, parseKeyFile, signAdminEvent } from '../core/index.js'
import type { AdminAction, Value } from '../core/index.js'
import { flagValue } from './argv.js'
import type { FlagSpec } from './argv.js'
import type { Command, CommandContext, CommandResult } from './command.js'
import { ADMIN_KEY_ENV, REASON_CHARS_MAX } from './constants.js'
import { BadResponseError, UsageError } from './errors.js'
import { isPlainObject } from './values.js'

export const ADMIN_EVENTS_PATH = '/v1/admin/events'
const KEY_FLAG: FlagSpec = { name: 'key', kind: 'string' }
const REASON_FLAG: FlagSpec = { name: 'reason', kind: 'string' }
const DEADLINE_FLAG: FlagSpec = { name: 'deadline', kind: 'string' }
const DURATION_RE = /^([0-9]{1,6})(s|m|h)$/

/** `90s`, `30m`, `2h` -> seconds, at most the longest drain deadline an event may carry. */
export function parseDurationS (raw: string, flag: string): number {
  const m = DURATION_RE.exec(raw)
  const s = m === null ? NaN : Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1)
  if (!Number.isFinite(s) || s < 1 || s > DRAIN_DEADLINE_S_MAX) throw new UsageError(`--${flag}: must be a duration such as 90s, 30m or 2h, between 1s and ${DRAIN_DEADLINE_S_MAX / 3600}h, got ${JSON.stringify(raw)}`)
  return s
}

function readSecretKey (ctx: CommandContext): string {
  const file = flagValue(ctx.args, 'key') ?? ctx.env[ADMIN_KEY_ENV]
  if (file === undefined || file === '') throw new UsageError(`--key FILE (or $${ADMIN_KEY_ENV}) is required: the admin secret key from meshctl keygen`)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new UsageError(`--key: cannot read ${file}: ${(err as Error).message}`)
  }
  const parsed = parseKeyFile(text)
  if (!parsed.ok) throw new UsageError(`--key: ${file}: ${parsed.reason}`)
  if (parsed.key.kind !== 'secret') throw new UsageError(`--key: ${file} holds a public key; signing needs the secret key file`)
  return parsed.key.secretKey
}

function paramsFrom (ctx: CommandContext, action: AdminAction): { [k: string]: Value } {
  const params: { [k: string]: Value } = {}
  const reason = flagValue(ctx.args, 'reason')
  if (reason !== undefined) {
    if (reason.length > REASON_CHARS_MAX) throw new UsageError(`--reason: at most ${REASON_CHARS_MAX} characters, got ${reason.length}`)
    params.reason = reason
  }
  const deadline = flagValue(ctx.args, 'deadline')
  if (deadline !== undefined) {
    if (action !== 'drain' && action !== 'maintenance-enter') throw new UsageError('--deadline: only for drain and maintenance enter')
    params.deadlineS = parseDurationS(deadline, 'deadline')
  }
  return params
}

/** Sign `action` on `target` and hand it to the agent; the agent's answer is the result. */
async function signAndSend (ctx: CommandContext, action: AdminAction, target: string | undefined): Promise<CommandResult> {
  if (target === undefined) throw new UsageError(`${action}: missing NODE`)
  if (!isNodeName(target)) throw new UsageError(`NODE: not a valid node name: ${JSON.stringify(target)}`)
  const secretKey = readSecretKey(ctx)
  const params = paramsFrom(ctx, action)
  const status = await ctx.agent.getJson('/v1/status')
  const agentHlc = isPlainObject(status) && typeof status.hlc === 'number' ? status.hlc : 0
  const hlc = Math.max(hlcFromWall(Date.now()), agentHlc + 1)
  const event = signAdminEvent({ action, target, hlc, params }, secretKey)
  const answer = await ctx.agent.postJson(ADMIN_EVENTS_PATH, event)
  if (!isPlainObject(answer) || typeof answer.id !== 'string') throw new BadResponseError(`unexpected answer to POST ${ADMIN_EVENTS_PATH}: ${JSON.stringify(answer)}`)
  const state = typeof answer.state === 'string' ? answer.state : '?'
  return { data: { ...answer, event }, text: `${action} ${target}: accepted as event ${event.id}; ${target} is ${state} as this agent folds it now\n` }
}

function adminCommand (action: AdminAction, name: string, summary: string, extra: FlagSpec[] = []): Command {
  return {
    name,
    summary,
    synopsis: `${name} NODE --key FILE`,
    flags: [KEY_FLAG, REASON_FLAG, ...extra],
    positionalsMax: 1,
    run: async (ctx) => await signAndSend(ctx, action, ctx.args.positionals[0])
  }
}

export const maintenanceCommand: Command = {
  name: 'maintenance',
  summary: 'maintenance enter|exit NODE: put a node into maintenance (drains it) or take it out',
  synopsis: 'maintenance enter|exit NODE --key FILE',
  flags: [KEY_FLAG, REASON_FLAG, DEADLINE_FLAG],
  positionalsMax: 2,
  run: async (ctx) => {
    const [sub, node] = ctx.args.positionals
    if (sub !== 'enter' && sub !== 'exit') throw new UsageError('maintenance: say enter or exit, then the NODE')
    return await signAndSend(ctx, sub === 'enter' ? 'maintenance-enter' : 'maintenance-exit', node)
  }
}

export const ADMIN_COMMANDS: readonly Command[] = [
  maintenanceCommand,
  adminCommand('drain', 'drain', 'drain NODE: stop its non-essential daemons and hold it in maintenance', [DEADLINE_FLAG]),
  adminCommand('cordon', 'cordon', 'cordon NODE: no new placements on it (a flag beside maintenance)'),
  adminCommand('uncordon', 'uncordon', 'uncordon NODE: allow placements again'),
  adminCommand('restart-daemons', 'restart-daemons', 'restart-daemons NODE: restart the daemons it supervises'),
  adminCommand('clear-avoid', 'clear-avoid', 'clear-avoid NODE: clear its avoid lists')
]
