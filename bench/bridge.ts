/**
 * Host bridge benchmarks on real zfs-fuse and LXC (skipped, with a note, when
 * they are missing):
 *
 * - pre-flight round trip: a container agent (in this process) asks the host
 *   agent (a `mesh-agent --role host` process, as deployed) over the mesh, the host snapshots, holds, records and answers; against a bare
 *   `zfs snapshot` of the same dataset (and against bare snapshot + hold,
 *   the same zfs work the pre-flight does), as ratios of medians;
 * - clone-and-start: a container agent asks for a clone, the host clones,
 *   writes the LXC config and starts it; against a bare `zfs clone` +
 *   config + `lxc-start` done by hand, as a ratio of medians.
 */
import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import pino from 'pino'
import { askBridge, hostsFor, startAgent } from '../agent/runtime/index.js'
import type { RunningAgent } from '../agent/runtime/index.js'
import { lxcArgs } from '../host-bridge/index.js'
import type { Figure } from './core.js'

const PREFLIGHTS = 30
const CLONES = 6

function sh (cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

function timed (f: () => void): number {
  const t = performance.now()
  f()
  return performance.now() - t
}

async function timedAsync (f: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await f()
  return performance.now() - t
}

function unavailable (): string | undefined {
  try {
    sh('zpool', ['list', '-H'])
    sh('lxc-start', ['--version'])
    sh('/bin/busybox', ['true'])
    return undefined
  } catch (err) {
    return (err as Error).message.split('\n')[0]
  }
}

function template (mnt: string): void {
  for (const d of ['bin', 'sbin', 'etc', 'proc', 'sys', 'dev', 'tmp']) mkdirSync(path.join(mnt, d), { recursive: true })
  copyFileSync('/bin/busybox', path.join(mnt, 'bin/busybox'))
  chmodSync(path.join(mnt, 'bin/busybox'), 0o755)
  symlinkSync('../bin/busybox', path.join(mnt, 'sbin/init'))
  writeFileSync(path.join(mnt, 'etc/inittab'), '::respawn:/bin/busybox sleep 3600\n')
}

const MESH_AGENT = fileURLToPath(new URL('../bin/mesh-agent.js', import.meta.url))

interface HostProc { proc: ChildProcess, listen: string }

/** The host agent as its own `mesh-agent` process, as in production: its event loop is not the bench's. */
async function spawnHost (dir: string, root: string, lxcPath: string): Promise<HostProc> {
  const args = [MESH_AGENT, 'run', '--name', 'bhost', '--role', 'host', '--data', path.join(dir, 'bhost'), '--listen', '/ip4/127.0.0.1/tcp/0',
    '--api', '127.0.0.1:0', '--log-level', 'warn', '--zfs-allow', `bct=${root}`, '--lxc-path', lxcPath, '--keep-preflight', '1000']
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  proc.stderr?.on('data', (d: Buffer) => { err += d.toString() })
  const until = Date.now() + 60_000
  while (!/^api /m.test(out)) {
    if (proc.exitCode !== null || Date.now() > until) throw new Error(`bench: host agent did not start: ${err}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { proc, listen: (/^listen (\S+)/m.exec(out) as RegExpExecArray)[1] as string }
}

async function startContainer (dir: string, root: string, hostAddr: string): Promise<RunningAgent> {
  const ct = await startAgent({
    name: 'bct', dataDir: path.join(dir, 'bct'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [hostAddr], api: { host: '127.0.0.1', port: 0 },
    role: 'container', heartbeatMs: 1000, caps: {}, log: pino({ level: 'silent' })
  })
  const until = Date.now() + 30_000
  while (hostsFor(ct.runtime, root).length === 0) {
    if (Date.now() > until) throw new Error('bench: the container agent never saw the host')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return ct
}

export async function benchBridge (): Promise<Figure[]> {
  const why = unavailable()
  if (why !== undefined) {
    console.error(`bench: bridge skipped: zfs-fuse or LXC not usable here (${why})`)
    return []
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-bridge-'))
  const pool = `benchbr${process.pid}`
  const root = `${pool}/ct`
  const lxcPath = path.join(dir, 'lxc')
  mkdirSync(lxcPath)
  sh('truncate', ['-s', '512M', path.join(dir, 'pool.img')])
  sh('zpool', ['create', '-f', '-m', path.join(dir, 'mnt'), pool, path.join(dir, 'pool.img')])
  const agents: RunningAgent[] = []
  const containers: string[] = []
  let host: HostProc | undefined
  try {
    sh('zfs', ['create', root])
    sh('zfs', ['create', `${root}/tmpl`])
    template(path.join(dir, 'mnt', 'ct', 'tmpl'))
    sh('zfs', ['snapshot', `${root}/tmpl@base`])
    host = await spawnHost(dir, root, lxcPath)
    const ct = await startContainer(dir, root, host.listen)
    agents.push(ct)

    const pre: number[] = []
    const bare: number[] = []
    const bareHold: number[] = []
    await askBridge(ct.runtime, { t: 'preflight', intent: 'warm up', dataset: root })
    for (let i = 0; i < PREFLIGHTS; i++) {
      pre.push(await timedAsync(async () => {
        const out = await askBridge(ct.runtime, { t: 'preflight', intent: `bench ${i}`, dataset: root })
        if (out.status !== 'cleared') throw new Error(`bench: pre-flight denied: ${JSON.stringify(out)}`)
      }))
      bare.push(timed(() => sh('zfs', ['snapshot', `${root}@bare${i}`])))
      bareHold.push(timed(() => {
        sh('zfs', ['snapshot', `${root}@barehold${i}`])
        sh('zfs', ['hold', 'bench', `${root}@barehold${i}`])
      }))
    }

    const clone: number[] = []
    const bareClone: number[] = []
    for (let i = 0; i < CLONES; i++) {
      clone.push(await timedAsync(async () => {
        const out = await askBridge(ct.runtime, { t: 'clone', from: `${root}/tmpl@base`, name: `bc${i}` })
        if (out.status !== 'provisioned') throw new Error(`bench: clone denied: ${JSON.stringify(out)}`)
      }))
      containers.push(`bc${i}`)
      bareClone.push(timed(() => {
        sh('zfs', ['clone', `${root}/tmpl@base`, `${root}/bb${i}`])
        mkdirSync(path.join(lxcPath, `bb${i}`))
        writeFileSync(path.join(lxcPath, `bb${i}`, 'config'), lxcArgs.lxcConfigText(`bb${i}`, path.join(dir, 'mnt', 'ct', `bb${i}`)))
        sh('lxc-start', ['-P', lxcPath, '-n', `bb${i}`, '-d'])
      }))
      containers.push(`bb${i}`)
    }
    const r = (x: number): number => Math.round(x * 100) / 100
    return [
      { name: 'bridge preflight round trip (median)', value: r(median(pre)), unit: 'ms' },
      { name: 'bridge bare zfs snapshot (median)', value: r(median(bare)), unit: 'ms' },
      { name: 'bridge bare zfs snapshot + hold (median)', value: r(median(bareHold)), unit: 'ms' },
      { name: 'bridge preflight / bare snapshot', value: r(median(pre) / median(bare)), unit: 'ratio' },
      { name: 'bridge preflight / bare snapshot + hold', value: r(median(pre) / median(bareHold)), unit: 'ratio' },
      { name: 'bridge clone-and-start round trip (median)', value: r(median(clone)), unit: 'ms' },
      { name: 'bridge bare zfs clone + lxc-start (median)', value: r(median(bareClone)), unit: 'ms' },
      { name: 'bridge clone-and-start / bare', value: r(median(clone) / median(bareClone)), unit: 'ratio' }
    ]
  } finally {
    for (const c of containers) {
      try { sh('lxc-stop', ['-P', lxcPath, '-n', c, '-k']) } catch { /* not running */ }
    }
    await Promise.all(agents.map(async (a) => await a.stop().catch(() => {})))
    if (host !== undefined && host.proc.exitCode === null) {
      const exited = new Promise((resolve) => host?.proc.once('exit', resolve))
      host.proc.kill('SIGTERM')
      await exited
    }
    for (let i = 0; i < 50; i++) {
      try {
        sh('zpool', ['destroy', '-f', pool])
        break
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const f of await benchBridge()) console.log(`${f.name}  ${f.value} ${f.unit}`)
}
