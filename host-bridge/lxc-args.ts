/**
 * Pure argument builders for LXC (`lxc-start`, `lxc-stop`, `lxc-info`,
 * `lxc-wait`, `lxc-destroy`) and the config file of a container whose rootfs
 * is a cloned dataset's mountpoint. Every builder takes the lxcpath (`-P`)
 * explicitly, so the bridge never touches containers outside its folder.
 */
import path from 'node:path'
import { LXC_START_WAIT_S, LXC_STOP_TIMEOUT_S } from './constants.js'
import { InvalidNameError } from './errors.js'
import { checkContainerName } from './names.js'
import type { ContainerName } from './names.js'

function hasControl (s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) return true
  }
  return false
}

/** An absolute, normalised folder without `..`, control characters or a leading `-`. */
export function checkLxcPath (p: unknown, what = 'lxc path'): string {
  if (typeof p !== 'string' || !path.isAbsolute(p) || p.includes('..') || hasControl(p) || path.normalize(p) !== p) {
    throw new InvalidNameError(`${what} ${JSON.stringify(p)}: must be an absolute, normalised path without ".." or control characters`)
  }
  return p
}

export function lxcStartArgs (lxcPath: string, name: ContainerName): string[] {
  return ['-P', checkLxcPath(lxcPath), '-n', checkContainerName(name), '-d']
}

export function lxcWaitArgs (lxcPath: string, name: ContainerName, state: 'RUNNING' | 'STOPPED', timeoutS = LXC_START_WAIT_S): string[] {
  return ['-P', checkLxcPath(lxcPath), '-n', checkContainerName(name), '-s', state, '-t', String(timeoutS)]
}

export function lxcStopArgs (lxcPath: string, name: ContainerName, timeoutS = LXC_STOP_TIMEOUT_S): string[] {
  return ['-P', checkLxcPath(lxcPath), '-n', checkContainerName(name), '-t', String(timeoutS)]
}

/** `lxc-info -s -H`: prints just the state, e.g. `RUNNING`. */
export function lxcStateArgs (lxcPath: string, name: ContainerName): string[] {
  return ['-P', checkLxcPath(lxcPath), '-n', checkContainerName(name), '-s', '-H']
}

/** Removes the container's config folder; the rootfs dataset is ours to destroy, so `dir:` rootfs stays. */
export function lxcDestroyArgs (lxcPath: string, name: ContainerName): string[] {
  return ['-P', checkLxcPath(lxcPath), '-n', checkContainerName(name), '-f']
}

/**
 * The config of a container on a cloned dataset: no network (`empty`), its
 * own /dev, proc and a read-only sys, halted by SIGUSR1 as busybox init
 * expects (what lxc-busybox writes, minus the ttys we do not need).
 */
export function lxcConfigText (name: ContainerName, rootfs: string): string {
  const n = checkContainerName(name)
  const r = checkLxcPath(rootfs, 'rootfs')
  return [
    '# Written by hauki-mesh host bridge.',
    `lxc.uts.name = ${n}`,
    `lxc.rootfs.path = dir:${r}`,
    'lxc.net.0.type = empty',
    'lxc.autodev = 1',
    'lxc.tty.max = 0',
    'lxc.pty.max = 1',
    'lxc.mount.auto = proc:mixed sys:ro',
    'lxc.signal.halt = SIGUSR1',
    'lxc.signal.reboot = SIGTERM',
    'lxc.cap.drop = sys_module mac_admin mac_override sys_time',
    'lxc.init.cmd = /sbin/init',
    ''
  ].join('\n')
}

/** Where a container's config lives. */
export function lxcConfigPath (lxcPath: string, name: ContainerName): string {
  return path.join(checkLxcPath(lxcPath), checkContainerName(name), 'config')
}
