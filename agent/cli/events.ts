/**
 * `meshctl events [--follow]`: the admin and mesh events the local agent
 * knows, oldest first. Admin events are shown as every agent folds them
 * (applied or no-op, the state they led to); mesh events are this agent's
 * observations (joins, suspicions, deaths, leaves).
 *
 * `--follow` keeps asking the agent and prints each event once, as it
 * appears, until Ctrl-C; with `--json` it prints one JSON object per line.
 */
import type { Command, CommandContext, CommandResult } from './command.js'
import { EVENTS_POLL_MS } from './constants.js'
import { BadResponseError } from './errors.js'
import { sanitize } from './format.js'
import { isPlainObject } from './values.js'

export const EVENTS_PATH = '/v1/events'
/** Keys of events already printed by `--follow`, bounded so a long follow does not grow without end. */
const SEEN_MAX = 100_000

type MeshEvent = Record<string, unknown> & { ts: string, event: string, subject: string }

function checkEvents (x: unknown): MeshEvent[] {
  if (!isPlainObject(x) || !Array.isArray(x.events)) throw new BadResponseError(`unexpected answer to GET ${EVENTS_PATH}: no "events" array`)
  return x.events.filter((e): e is MeshEvent => isPlainObject(e) && typeof e.ts === 'string' && typeof e.event === 'string' && typeof e.subject === 'string')
}

/** One event as a line: time, event, subject, then the other fields as k=v. */
export function formatEvent (e: MeshEvent): string {
  const { ts, event, subject, kind: _kind, ...rest } = e
  const details = Object.entries(rest).map(([k, v]) => `${k}=${sanitize(typeof v === 'string' ? v : JSON.stringify(v))}`).join(' ')
  return `${sanitize(ts)}  ${sanitize(event).padEnd(24)} ${sanitize(subject).padEnd(16)} ${details}`.trimEnd()
}

/** What identifies an event across polls: admin events by id and outcome state, mesh events by everything. */
function keyOf (e: MeshEvent): string {
  return typeof e.id === 'string' ? `${e.id}|${String(e.state)}|${String(e.cordoned)}` : JSON.stringify(e)
}

async function follow (ctx: CommandContext): Promise<CommandResult> {
  const seen = new Set<string>()
  while (ctx.signal?.aborted !== true) {
    const events = checkEvents(await ctx.agent.getJson(EVENTS_PATH, { signal: ctx.signal }).catch((err: unknown) => {
      if (ctx.signal?.aborted === true) return { events: [] }
      throw err
    }))
    for (const e of events) {
      const key = keyOf(e)
      if (seen.has(key)) continue
      if (seen.size >= SEEN_MAX) seen.clear()
      seen.add(key)
      ctx.print(ctx.json ? `${JSON.stringify(e)}\n` : `${formatEvent(e)}\n`)
    }
    await pause(EVENTS_POLL_MS, ctx.signal)
  }
  return { data: null, text: '', streamed: true }
}

/** Pacing between polls (not synchronisation); returns early when aborted. */
async function pause (ms: number, signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
  })
}

export const eventsCommand: Command = {
  name: 'events',
  summary: 'list admin and mesh events as the local agent knows them; --follow for new ones',
  synopsis: 'events [--follow]',
  flags: [{ name: 'follow', kind: 'boolean' }],
  run: async (ctx): Promise<CommandResult> => {
    if (ctx.args.booleans.has('follow')) return await follow(ctx)
    const data = await ctx.agent.getJson(EVENTS_PATH)
    const events = checkEvents(data)
    const text = events.length === 0 ? 'no events\n' : `${events.map(formatEvent).join('\n')}\n`
    return { data, text }
  }
}
