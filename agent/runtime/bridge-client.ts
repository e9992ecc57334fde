/**
 * Asking a host: any agent finds a live host that serves the dataset (hosts
 * advertise their allow rules in their capabilities, label `bridge.allow`)
 * and sends it one request over `/hauki-mesh/bridge/1.0.0`. A host that
 * cannot be reached, or no host at all, is a `denied` answer with the
 * reason: the caller must not go ahead without a snapshot. `askHost` sends
 * one request to a named host (tests use it to reach a host directly).
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { isUnder, parseAdvertisedRules } from '../../host-bridge/index.js'
import type { AllowRule } from '../../host-bridge/index.js'
import { BRIDGE_FRAME_BYTES_MAX, BRIDGE_PROTOCOL, decodeBridgeAnswer, encodeBridgeRequest } from '../../protocols/index.js'
import type { BridgeOutcome, BridgeRequest } from '../../protocols/index.js'
import type { NodeName } from '../core/index.js'
import type { AgentRuntime } from './agent.js'
import { bridgeServiceOf } from './bridge-service.js'
import { BARRIER_DEADLINE_MS_DEFAULT, BRIDGE_REQUEST_TIMEOUT_MS } from './constants.js'
import { requestOnce } from './stream-rpc.js'

/** Label under which a host advertises `who=root,...`. */
export const BRIDGE_ALLOW_LABEL = 'bridge.allow'
/** Label under which a host advertises its backend. */
export const BRIDGE_BACKEND_LABEL = 'bridge'

/** A request without its id: the client numbers it. */
export type BridgeAsk = BridgeRequest extends infer R ? R extends { id: number } ? Omit<R, 'id'> : never : never

/** The dataset a request is about, if it names one. */
export function datasetOf (req: BridgeAsk): string | undefined {
  switch (req.t) {
    case 'preflight': case 'list': return req.dataset
    case 'release': case 'rollback': return req.snapshot.split('@')[0]
    case 'clone': return req.from.split('@')[0]
  }
}

function hostRules (rt: AgentRuntime, name: NodeName): AllowRule[] | undefined {
  const caps = rt.core.replica.get(`node/${name}/caps`)?.value
  if (caps === null || typeof caps !== 'object' || Array.isArray(caps) || caps.role !== 'host') return undefined
  const labels = caps.labels
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return undefined
  const allow = labels[BRIDGE_ALLOW_LABEL]
  return typeof allow === 'string' ? parseAdvertisedRules(allow) : undefined
}

/** Live hosts whose rules let this agent use `dataset` (any of its roots when undefined), self first. */
export function hostsFor (rt: AgentRuntime, dataset: string | undefined): NodeName[] {
  const out: NodeName[] = []
  for (const m of rt.core.members.all()) {
    if (m.status !== 'alive' && m.status !== 'suspect') continue
    const rules = hostRules(rt, m.name)
    if (rules === undefined) continue
    const mine = rules.filter((r) => r.who === '*' || r.who === rt.name || r.who === rt.peerId)
    if (mine.some((r) => dataset === undefined || isUnder(dataset, r.root))) out.push(m.name)
  }
  return out.sort((a, b) => (a === rt.name ? -1 : b === rt.name ? 1 : a < b ? -1 : a > b ? 1 : 0))
}

export async function askHost (rt: AgentRuntime, host: NodeName, req: BridgeRequest, timeoutMs: number, options?: { signal?: AbortSignal }): Promise<BridgeOutcome> {
  const signal = options?.signal
  const pid = rt.peerIdOf(host)
  if (pid === undefined) return { status: 'denied', reason: `host ${host} is unreachable: its peer id is unknown` }
  const deadline = AbortSignal.timeout(timeoutMs)
  const both = signal === undefined ? deadline : AbortSignal.any([deadline, signal])
  try {
    const stream = await rt.node.dialProtocol(peerIdFromString(pid), BRIDGE_PROTOCOL, { signal: both })
    const res = decodeBridgeAnswer(await requestOnce(stream, encodeBridgeRequest(req), BRIDGE_FRAME_BYTES_MAX, { signal: both }))
    if (!res.ok) {
      rt.counters.rejected('bridge', res.reason)
      return { status: 'denied', reason: `host ${host} sent an invalid answer: ${res.reason}` }
    }
    if (res.value.id !== req.id) return { status: 'denied', reason: `host ${host} answered another request (id ${res.value.id})` }
    const { t: _t, id: _id, ...outcome } = res.value
    return outcome
  } catch (err) {
    const why = deadline.aborted ? `no answer within ${timeoutMs} ms` : (err as Error).message
    return { status: 'denied', reason: `host ${host} is unreachable: ${why}` }
  }
}

/**
 * Send one request to a host serving its dataset: the local bridge when this
 * agent is such a host, else the first remote one that answers.
 */
export async function askBridge (rt: AgentRuntime, ask: BridgeAsk, options?: { signal?: AbortSignal }): Promise<BridgeOutcome> {
  const dataset = datasetOf(ask)
  const req = { ...ask, id: Math.floor(Math.random() * 2 ** 31) } as BridgeRequest
  const local = bridgeServiceOf(rt)
  if (local !== undefined && local.bridge.executor.rootsOf({ node: rt.name, peerId: rt.peerId }).some((r) => dataset === undefined || isUnder(dataset, r))) {
    return await local.execute(req, { node: rt.name, peerId: rt.peerId }, options)
  }
  const hosts = hostsFor(rt, dataset).filter((h) => h !== rt.name)
  if (hosts.length === 0) return { status: 'denied', reason: `no live host serves ${dataset === undefined ? 'any dataset' : `dataset ${dataset}`} for ${rt.name}` }
  const timeoutMs = BRIDGE_REQUEST_TIMEOUT_MS + (req.t === 'preflight' && req.critical === true ? req.deadlineMs ?? BARRIER_DEADLINE_MS_DEFAULT : 0)
  const reasons: string[] = []
  for (const host of hosts) {
    const out = await askHost(rt, host, req, timeoutMs, options)
    // Only an unreachable host is worth trying the next one for; a host's own refusal is the answer.
    if (out.status !== 'denied' || !out.reason.includes(' is unreachable: ')) return out
    reasons.push(out.reason)
  }
  return { status: 'denied', reason: reasons.join('; ').slice(0, 1000) }
}
