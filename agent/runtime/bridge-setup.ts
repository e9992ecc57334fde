/**
 * Wiring the host bridge into an agent: every agent serves the flush
 * barrier; an agent with `role: 'host'` and bridge settings also builds the
 * executor, serves the bridge protocol and advertises its allow rules in its
 * capabilities, which is how other agents find it.
 */
import type { Logger } from 'pino'
import { createBridge, formatAllowRules, parseAllowRule } from '../../host-bridge/index.js'
import type { BackendKind } from '../../host-bridge/index.js'
import type { Capabilities } from '../core/index.js'
import type { AgentRuntime } from './agent.js'
import { registerBarrier } from './barrier.js'
import { BRIDGE_ALLOW_LABEL, BRIDGE_BACKEND_LABEL } from './bridge-client.js'
import { BridgeService } from './bridge-service.js'

export interface AgentBridgeInit {
  /** `NODE=DATASET_ROOT` rules (NODE: a node name, a PeerId or `*`). */
  allow: readonly string[]
  /** @default 'zfs' */
  backend?: BackendKind
  /** Folder of the `dir` backend's datasets. @default `<dataDir>/datasets` */
  dirRoot?: string
  /** LXC's lxcpath for clones. @default '/var/lib/lxc' */
  lxcPath?: string
  /** Pre-flight snapshots kept per dataset. @default 20 */
  keepPreflight?: number
  /** The zfs program (tests point it at a fake). @default 'zfs' */
  zfsBin?: string
}

/** Capabilities with the bridge labels a host advertises. */
export function withBridgeLabels (caps: Capabilities, role: 'container' | 'host', bridge: AgentBridgeInit | undefined): Capabilities {
  if (role !== 'host' || bridge === undefined) return caps
  const rules = bridge.allow.map(parseAllowRule)
  return { ...caps, labels: { ...caps.labels, [BRIDGE_BACKEND_LABEL]: bridge.backend ?? 'zfs', [BRIDGE_ALLOW_LABEL]: formatAllowRules(rules) } }
}

/** Serve the barrier everywhere, and the bridge on a host that has bridge settings. */
export async function startBridge (rt: AgentRuntime, role: 'container' | 'host', bridge: AgentBridgeInit | undefined, dataDir: string, log: Logger): Promise<BridgeService | undefined> {
  await registerBarrier(rt)
  if (bridge === undefined) return undefined
  if (role !== 'host') {
    log.warn({ allow: bridge.allow }, 'bridge settings ignored: only an agent with --role host runs the host bridge')
    return undefined
  }
  const service = new BridgeService(rt, createBridge({
    node: rt.name,
    backend: bridge.backend ?? 'zfs',
    allow: bridge.allow.map(parseAllowRule),
    dirRoot: bridge.dirRoot ?? `${dataDir}/datasets`,
    lxcPath: bridge.lxcPath,
    keepPreflight: bridge.keepPreflight,
    zfsBin: bridge.zfsBin
  }), log)
  await service.start()
  log.info({ backend: bridge.backend ?? 'zfs', allow: bridge.allow, lxcPath: bridge.lxcPath }, 'host bridge serving')
  return service
}
