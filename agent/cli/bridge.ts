/**
 * Host bridge commands, through the local agent (which finds a host that
 * serves the dataset):
 *
 *   meshctl preflight --intent TEXT [--dataset DS] [--critical]   exit 0 cleared, 3 denied
 *   meshctl release SNAPSHOT
 *   meshctl snapshots
 *   meshctl rollback SNAPSHOT --yes [--destroy-newer]
 *   meshctl clone --from DS@SNAP --name NAME
 *
 * A denied answer prints nothing on stdout (the JSON outcome under `--json`),
 * the reason on stderr, and exits 3, so `snap=$(meshctl preflight ...) ||
 * exit` is a safe guard in a script.
 */
import { validateBridgeOutcome } from '../../protocols/index.js'
import type { BridgeOutcome } from '../../protocols/index.js'
import { flagValue } from './argv.js'
import type { Command, CommandContext, CommandResult } from './command.js'
import { EXIT_DENIED } from './constants.js'
import { BadResponseError, UsageError } from './errors.js'
import { cell, renderTable, sanitize } from './format.js'
import { isPlainObject } from './values.js'

export const SNAPSHOTS_PATH = '/v1/snapshots'
/** Bridge requests wait on a host (a critical barrier, a container start): longer than status calls. */
export const BRIDGE_COMMAND_TIMEOUT_MS = 180_000

async function post (ctx: CommandContext, op: string, body: Record<string, unknown>): Promise<BridgeOutcome> {
  const path = `/v1/bridge/${op}`
  const answer = await ctx.agent.postJson(path, body)
  const checked = validateBridgeOutcome(answer)
  if (!checked.ok) throw new BadResponseError(`unexpected answer to POST ${path}: ${checked.reason}`)
  return checked.value
}

/** The common shape of a bridge result: denied exits 3 with the reason on stderr. */
function result (op: string, out: BridgeOutcome, text: (out: BridgeOutcome) => string): CommandResult {
  if (out.status !== 'denied') return { data: out, text: text(out) }
  const newer = out.newer === undefined ? '' : `newer snapshots:\n${out.newer.map((n) => `  ${sanitize(n)}\n`).join('')}`
  return { data: out, text: '', stderr: `meshctl: ${op} denied: ${sanitize(out.reason)}\n${newer}`, exitCode: EXIT_DENIED }
}

function required (ctx: CommandContext, flag: string): string {
  const v = flagValue(ctx.args, flag)
  if (v === undefined || v === '') throw new UsageError(`--${flag}: required`)
  return v
}

function positional (ctx: CommandContext, what: string): string {
  const v = ctx.args.positionals[0]
  if (v === undefined || v === '') throw new UsageError(`missing ${what}`)
  return v
}

export const preflightCommand: Command = {
  name: 'preflight',
  summary: 'ask a host for a held ZFS snapshot before a risky change (exit 3 when denied)',
  synopsis: 'preflight --intent TEXT [--dataset DS] [--critical]',
  flags: [{ name: 'intent', kind: 'string' }, { name: 'dataset', kind: 'string' }, { name: 'critical', kind: 'boolean' }, { name: 'deadline-ms', kind: 'string' }],
  timeoutMs: BRIDGE_COMMAND_TIMEOUT_MS,
  async run (ctx) {
    const body: Record<string, unknown> = { intent: required(ctx, 'intent') }
    const dataset = flagValue(ctx.args, 'dataset')
    if (dataset !== undefined) body.dataset = dataset
    if (ctx.args.booleans.has('critical')) body.critical = true
    const deadline = flagValue(ctx.args, 'deadline-ms')
    if (deadline !== undefined) {
      if (!/^[0-9]{1,6}$/.test(deadline)) throw new UsageError(`--deadline-ms: must be a whole number of milliseconds, got ${JSON.stringify(deadline)}`)
      body.deadlineMs = Number(deadline)
    }
    return result('preflight', await post(ctx, 'preflight', body), (out) => {
      if (out.status !== 'cleared') return `${out.status}\n`
      const barrier = out.acked === undefined ? '' : `acknowledged: ${out.acked.join(', ') || '-'}\nnot acknowledged: ${(out.notAcked ?? []).join(', ') || '-'}\n`
      return `${sanitize(out.snapshot)}\n${barrier}`
    })
  }
}

export const releaseCommand: Command = {
  name: 'release',
  summary: "drop a pre-flight snapshot's hold (retention may then remove it)",
  synopsis: 'release SNAPSHOT',
  flags: [],
  positionalsMax: 1,
  timeoutMs: BRIDGE_COMMAND_TIMEOUT_MS,
  async run (ctx) {
    const out = await post(ctx, 'release', { snapshot: positional(ctx, 'SNAPSHOT') })
    return result('release', out, (o) => `released ${o.status === 'released' ? sanitize(o.snapshot) : ''}\n`)
  }
}

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'roll a dataset back to a snapshot (needs --yes; --destroy-newer to drop newer snapshots)',
  synopsis: 'rollback SNAPSHOT --yes [--destroy-newer]',
  flags: [{ name: 'yes', kind: 'boolean' }, { name: 'destroy-newer', kind: 'boolean' }],
  positionalsMax: 1,
  timeoutMs: BRIDGE_COMMAND_TIMEOUT_MS,
  async run (ctx) {
    const snapshot = positional(ctx, 'SNAPSHOT')
    if (!ctx.args.booleans.has('yes')) throw new UsageError('rollback: discards every change made after the snapshot; pass --yes to confirm')
    const out = await post(ctx, 'rollback', { snapshot, destroyNewer: ctx.args.booleans.has('destroy-newer') })
    return result('rollback', out, (o) => o.status !== 'rolled-back'
      ? `${o.status}\n`
      : `rolled back to ${sanitize(o.snapshot)}\n${o.destroyed.length === 0 ? '' : `destroyed: ${o.destroyed.map(sanitize).join(', ')}\n`}`)
  }
}

export const cloneCommand: Command = {
  name: 'clone',
  summary: 'provision a container: ZFS clone of a template snapshot, LXC started on it',
  synopsis: 'clone --from DS@SNAP --name NAME',
  flags: [{ name: 'from', kind: 'string' }, { name: 'name', kind: 'string' }],
  timeoutMs: BRIDGE_COMMAND_TIMEOUT_MS,
  async run (ctx) {
    const out = await post(ctx, 'clone', { from: required(ctx, 'from'), name: required(ctx, 'name') })
    return result('clone', out, (o) => o.status !== 'provisioned'
      ? `${o.status}\n`
      : `provisioned ${sanitize(o.container)} on ${sanitize(o.dataset)} in ${o.ms} ms\n`)
  }
}

export const snapshotsCommand: Command = {
  name: 'snapshots',
  summary: 'list the pre-flight snapshots the mesh knows of (replicated records)',
  synopsis: 'snapshots',
  flags: [],
  async run (ctx) {
    const data = await ctx.agent.getJson(SNAPSHOTS_PATH)
    if (!isPlainObject(data) || !Array.isArray(data.snapshots)) throw new BadResponseError(`unexpected answer to GET ${SNAPSHOTS_PATH}: no "snapshots" array`)
    const rows = data.snapshots.filter(isPlainObject).map((s) => [
      cell(s.snapshot), cell(s.node), cell(s.intent), s.held === true ? 'held' : 'released', s.critical === true ? 'yes' : 'no', cell(s.createdAt), cell(s.host)
    ])
    const table = renderTable(['SNAPSHOT', 'NODE', 'INTENT', 'HOLD', 'CRITICAL', 'CREATED', 'HOST'], rows)
    return { data, text: `${table}\n${rows.length} snapshot${rows.length === 1 ? '' : 's'}\n` }
  }
}

export const BRIDGE_COMMANDS: readonly Command[] = [preflightCommand, releaseCommand, snapshotsCommand, rollbackCommand, cloneCommand]
