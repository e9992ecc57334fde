/**
 * `mesh-agent run` settings of the host bridge (used only with `--role
 * host`): `--zfs-allow NODE=DATASET_ROOT` (repeatable), `--snapshot-backend
 * zfs|dir`, `--lxc-path DIR`, `--keep-preflight N`. Rules are validated here
 * with the bridge's own parser, so a bad rule stops the agent at start with a
 * message naming the flag or config key.
 */
import { resolve } from 'node:path'
import { parseAllowRule } from '../../host-bridge/index.js'
import type { AgentBridgeInit } from '../runtime/index.js'
import type { Setting } from './agent-settings.js'
import { fail, requireIntegerIn, requireOneOf, requireString, requireStringList } from './values.js'

export const SNAPSHOT_BACKENDS = ['zfs', 'dir'] as const
export const ZFS_ALLOW_RULES_MAX = 256
export const KEEP_PREFLIGHT_MAX = 10_000
export const LXC_PATH_DEFAULT = '/var/lib/lxc'
export const KEEP_PREFLIGHT_DEFAULT = 20

export interface BridgeConfig {
  /** `NODE=DATASET_ROOT` rules; a host without any serves nobody. */
  zfsAllow: string[]
  snapshotBackend: typeof SNAPSHOT_BACKENDS[number]
  /** Absolute lxcpath for cloned containers. */
  lxcPath: string
  /** Pre-flight snapshots kept per dataset. */
  keepPreflight: number
}

export const BRIDGE_SETTINGS: { readonly [K in keyof BridgeConfig]: Setting<BridgeConfig[K]> } = {
  zfsAllow: {
    flag: 'zfs-allow', fileKeys: ['zfs-allow', 'zfsAllow'], repeatable: true,
    help: 'host bridge: NODE=DATASET_ROOT, NODE a node name, PeerId or *, repeatable',
    parse: (raw, at) => requireStringList(raw, at, ZFS_ALLOW_RULES_MAX).map((rule) => {
      try {
        parseAllowRule(rule)
      } catch (err) {
        fail(at, (err as Error).message)
      }
      return rule
    })
  },
  snapshotBackend: {
    flag: 'snapshot-backend', fileKeys: ['snapshot-backend', 'snapshotBackend'], repeatable: false,
    help: 'host bridge: zfs or dir (plain folder copies under <data>/datasets) (default: zfs)',
    parse: (raw, at) => requireOneOf(raw, at, SNAPSHOT_BACKENDS)
  },
  lxcPath: {
    flag: 'lxc-path', fileKeys: ['lxc-path', 'lxcPath'], repeatable: false,
    help: `host bridge: LXC lxcpath for cloned containers (default: ${LXC_PATH_DEFAULT})`,
    parse: (raw, at, baseDir) => {
      const dir = requireString(raw, at)
      if (dir.length === 0 || dir.includes('\0') || dir.includes('..')) fail(at, 'must be a folder path without ".." or NUL', raw)
      return resolve(baseDir, dir)
    }
  },
  keepPreflight: {
    flag: 'keep-preflight', fileKeys: ['keep-preflight', 'keepPreflight'], repeatable: false,
    help: `host bridge: pre-flight snapshots kept per dataset, 1..${KEEP_PREFLIGHT_MAX} (default: ${KEEP_PREFLIGHT_DEFAULT})`,
    parse: (raw, at) => requireIntegerIn(raw, at, 1, KEEP_PREFLIGHT_MAX)
  }
}

/** The runtime's bridge settings, or undefined when this agent serves no bridge. */
export function bridgeInitOf (config: BridgeConfig & { role: string }): AgentBridgeInit | undefined {
  if (config.role !== 'host' || config.zfsAllow.length === 0) return undefined
  return { allow: config.zfsAllow, backend: config.snapshotBackend, lxcPath: config.lxcPath, keepPreflight: config.keepPreflight }
}
