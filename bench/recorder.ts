/**
 * Recorder benchmarks: files flushed per second (local folder and, when
 * zfs-fuse runs here, a zfs-fuse dataset), and the recorder lag of a
 * 20-agent mesh sharing one folder with the default flush interval.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import pino from 'pino'
import { AgentCore, seededRng } from '../agent/core/index.js'
import type { Entry } from '../agent/core/index.js'
import { Recorder } from '../agent/recorder/index.js'
import { startAgent } from '../agent/runtime/index.js'
import type { RunningAgent } from '../agent/runtime/index.js'
import type { Figure } from './core.js'

const NODES = 500

function coreWithNodes (): AgentCore {
  const core = new AgentCore({ name: 'bench', rng: seededRng(7) })
  const wallMs = Date.now()
  core.step({ kind: 'start' }, { monoMs: 0, wallMs })
  let hlc = core.hlc
  const entries: Entry[] = []
  for (let i = 0; i < NODES; i++) {
    const n = `node-${i}`
    const e1: Entry = { key: `member/${n}`, value: { incarnation: 1, status: 'alive' }, hlc: (hlc += 16), origin: n, prev: 0 }
    const e2: Entry = { key: `node/${n}/identity`, value: { peerId: `12D3KooW${String(i).padStart(44, 'x')}`, addrs: ['/ip4/10.0.0.1/tcp/7400'] }, hlc: (hlc += 16), origin: n, prev: e1.hlc }
    const e3: Entry = { key: `node/${n}/heartbeat`, value: { uptimeS: 1, load: [0.1, 0.2, 0.3], memory: { usedBytes: 1, totalBytes: 2 }, incarnation: 1, seq: 1, intervalMs: 1000 }, hlc: (hlc += 16), origin: n, prev: e2.hlc }
    entries.push(e1, e2, e3)
  }
  core.step({ kind: 'entries', source: 'gossip', entries }, { monoMs: 1, wallMs })
  return core
}

async function filesPerSecond (dir: string): Promise<number> {
  const core = coreWithNodes()
  const recorder = new Recorder({ dir, flushMs: 60_000, writer: 'bench', core, log: pino({ level: 'silent' }) })
  await recorder.start()
  await recorder.flush() // the first flush creates every file; measure replacing them
  for (let i = 0; i < NODES; i++) recorder.noteKey(`node/node-${i}/heartbeat`)
  const t0 = performance.now()
  await recorder.flush()
  const ms = performance.now() - t0
  const written = recorder.snapshot().filesWritten
  await recorder.stop(1000)
  return Math.round((written / 2) / (ms / 1000))
}

function zfsDataset (): { mountpoint: string, destroy: () => void } | undefined {
  try {
    execFileSync('zpool', ['list', '-H'], { stdio: 'ignore' })
  } catch {
    return undefined
  }
  const dir = execFileSync('mktemp', ['-d', path.join(os.tmpdir(), 'zbench-XXXX')], { encoding: 'utf8' }).trim()
  const pool = `haukibench${process.pid}`
  execFileSync('truncate', ['-s', '256M', path.join(dir, 'pool.img')])
  execFileSync('zpool', ['create', '-f', '-m', path.join(dir, 'mnt'), pool, path.join(dir, 'pool.img')])
  return {
    mountpoint: path.join(dir, 'mnt'),
    destroy: () => {
      // zfs-fuse says "busy" for a moment after the last file closes.
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          execFileSync('zpool', ['destroy', '-f', pool], { stdio: 'ignore' })
          break
        } catch {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100)
        }
      }
      execFileSync('rm', ['-rf', dir])
    }
  }
}

async function meshLag (): Promise<{ maxMs: number, meanMs: number }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'recbench-'))
  const recorder = path.join(root, 'meshfs')
  const agents: RunningAgent[] = []
  try {
    for (let i = 0; i < 20; i++) {
      agents.push(await startAgent({
        name: `r${i}`, dataDir: path.join(root, `r${i}`), listen: ['/ip4/127.0.0.1/tcp/0'], api: { host: '127.0.0.1', port: 0 },
        bootstrap: i === 0 ? [] : [agents[0]!.runtime.addrs[0]!], role: 'container', heartbeatMs: 1000, caps: {},
        recorder, flushMs: 2000, log: pino({ level: 'silent' })
      }))
    }
    const samples: number[] = []
    const until = Date.now() + 20_000
    while (Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      for (const a of agents) samples.push(a.runtime.recorder!.snapshot().lagMs)
    }
    return { maxMs: Math.max(...samples), meanMs: Math.round(samples.reduce((x, y) => x + y, 0) / samples.length) }
  } finally {
    for (const a of agents) await a.stop().catch(() => {})
    await rm(root, { recursive: true, force: true })
  }
}

export async function benchRecorder (): Promise<Figure[]> {
  const figures: Figure[] = []
  const local = await mkdtemp(path.join(os.tmpdir(), 'recbench-local-'))
  figures.push({ name: `recorder: files flushed per second, local folder (${NODES} live-node files)`, value: await filesPerSecond(local), unit: 'files/s' })
  await rm(local, { recursive: true, force: true })
  const zfs = zfsDataset()
  if (zfs !== undefined) {
    try {
      figures.push({ name: `recorder: files flushed per second, zfs-fuse dataset (${NODES} live-node files)`, value: await filesPerSecond(zfs.mountpoint), unit: 'files/s' })
    } finally {
      zfs.destroy()
    }
  }
  const lag = await meshLag()
  figures.push({ name: 'recorder: lag in a 20-agent mesh sharing one folder, flush 2 s (max)', value: lag.maxMs, unit: 'ms' })
  figures.push({ name: 'recorder: lag in a 20-agent mesh sharing one folder, flush 2 s (mean)', value: lag.meanMs, unit: 'ms' })
  return figures
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const f of await benchRecorder()) console.log(`${f.name}  ${f.value} ${f.unit}`)
}
