/**
 * Provisioning on LXC: write the config of a container whose rootfs is a
 * cloned dataset, start it, wait until it runs; and the way back (stop,
 * remove). All through the runner, with the lxcpath given explicitly.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { LXC_STOP_TIMEOUT_S, LXC_TIMEOUT_MS_DEFAULT } from './constants.js'
import { lxcConfigPath, lxcConfigText, lxcStartArgs, lxcStateArgs, lxcStopArgs } from './lxc-args.js'
import type { ContainerName } from './names.js'
import { okOrThrow } from './runner.js'
import type { Runner } from './runner.js'

export interface Lxc {
  /** Whether a container of that name has a config in our lxcpath. */
  exists: (name: ContainerName) => Promise<boolean>
  /** Write the config and start the container; resolves once it is RUNNING. */
  createAndStart: (name: ContainerName, rootfs: string, options?: { signal?: AbortSignal }) => Promise<void>
  state: (name: ContainerName, options?: { signal?: AbortSignal }) => Promise<string>
  /** Stop (if running) and remove the container's config folder; the rootfs is the caller's. */
  stopAndRemove: (name: ContainerName, options?: { signal?: AbortSignal }) => Promise<void>
}

export interface LxcInit {
  runner: Runner
  lxcPath: string
  /** Deadline of one lxc command. @default LXC_TIMEOUT_MS_DEFAULT */
  timeoutMs?: number
}

export function lxc (init: LxcInit): Lxc {
  const timeoutMs = init.timeoutMs ?? LXC_TIMEOUT_MS_DEFAULT
  const run = async (program: string, args: string[], signal?: AbortSignal): ReturnType<Runner['run']> =>
    await init.runner.run(program, args, { timeoutMs, signal })
  return {
    exists: async (name) => await stat(lxcConfigPath(init.lxcPath, name)).then(() => true, () => false),
    createAndStart: async (name, rootfs, options) => {
      const configPath = lxcConfigPath(init.lxcPath, name)
      await mkdir(path.dirname(configPath), { recursive: true, mode: 0o700 })
      await writeFile(configPath, lxcConfigText(name, rootfs), { flag: 'wx', mode: 0o600 })
      // lxc-start -d returns once the container is RUNNING (or fails), so no lxc-wait is needed on this path.
      okOrThrow(await run('lxc-start', lxcStartArgs(init.lxcPath, name), options?.signal))
    },
    state: async (name, options) => okOrThrow(await run('lxc-info', lxcStateArgs(init.lxcPath, name), options?.signal)).stdout.trim(),
    stopAndRemove: async (name, options) => {
      await run('lxc-stop', lxcStopArgs(init.lxcPath, name, LXC_STOP_TIMEOUT_S), options?.signal)
      // Not lxc-destroy: it would also empty a dir: rootfs, which is a dataset the caller destroys itself.
      await rm(path.dirname(lxcConfigPath(init.lxcPath, name)), { recursive: true, force: true })
    }
  }
}
