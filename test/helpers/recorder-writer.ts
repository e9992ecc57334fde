/**
 * Child process for the recorder crash test: a core that knows hundreds of
 * nodes whose heartbeats change all the time, and a recorder flushing them as
 * fast as it can. Prints `flushed <n> <filesWritten>` after each flush, so
 * the parent can SIGKILL it in the middle of heavy flushing.
 */
import pino from 'pino'
import { AgentCore, seededRng } from '../../agent/core/index.js'
import type { Entry } from '../../agent/core/index.js'
import { Recorder } from '../../agent/recorder/index.js'

const dir = process.argv[2] as string
const NODES = 300
const core = new AgentCore({ name: 'writer', rng: seededRng(1) })
let wall = Date.now()
const at = (): { monoMs: number, wallMs: number } => ({ monoMs: performance.now(), wallMs: (wall = Math.max(wall + 1, Date.now())) })
core.step({ kind: 'start' }, at())
const prev = new Map<string, number>()
let hlc = core.hlc

function write (origin: string, key: string, value: Entry['value']): Entry {
  hlc += 16
  const e: Entry = { key, value, hlc, origin, prev: prev.get(origin) ?? 0 }
  prev.set(origin, hlc)
  return e
}

const initial: Entry[] = []
for (let i = 0; i < NODES; i++) {
  const n = `node-${i}`
  initial.push(write(n, `member/${n}`, { incarnation: 1, status: 'alive' }))
  initial.push(write(n, `node/${n}/caps`, { role: 'container', labels: {}, services: ['web', 'db'] }))
  initial.push(write(n, `node/${n}/identity`, { peerId: `12D3KooW${String(i).padStart(44, 'x')}`, addrs: [`/ip4/10.0.0.${i % 250}/tcp/7400`] }))
}
const recorder = new Recorder({ dir, flushMs: 5, writer: 'writer', core, log: pino({ level: 'silent' }) })
await recorder.start()
for (const e of core.step({ kind: 'entries', source: 'gossip', entries: initial }, at())) if (e.kind === 'persist') for (const x of e.entries) recorder.noteKey(x.key)

let seq = 0
for (let flushes = 1; ; flushes++) {
  const beats: Entry[] = []
  for (let i = 0; i < NODES; i++) beats.push(write(`node-${i}`, `node/node-${i}/heartbeat`, { uptimeS: seq++, load: [0.1, 0.2, 0.3], memory: { usedBytes: seq, totalBytes: 1e9 }, incarnation: 1, seq, intervalMs: 1000 }))
  for (const e of core.step({ kind: 'entries', source: 'gossip', entries: beats }, at())) if (e.kind === 'persist') for (const x of e.entries) recorder.noteKey(x.key)
  await recorder.flush()
  process.stdout.write(`flushed ${flushes} ${recorder.snapshot().filesWritten}\n`)
}
