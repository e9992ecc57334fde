/**
 * Shared pieces of the store tests and benchmark: temp folders, realistic
 * entries, and a writer child process to kill.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Entry, Hlc } from '../../agent/core/index.js'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const WRITER_SCRIPT = 'test/helpers/store-writer.ts'
/** Node name the writer writes as; its keys are `node/<WRITER_NODE>/f<k>-<i>`. */
export const WRITER_NODE = 'w'
export const WRITER_BATCH_ENTRIES = 500

export async function tempStoreDir (label: string): Promise<string> {
  return await mkdtemp(join(tmpdir(), `hauki-store-${label}-`))
}

export async function removeDir (dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

/** A heartbeat-like entry whose JSON value is about 150 bytes. */
export function heartbeatEntry (origin: string, field: string, hlc: Hlc, prev: Hlc): Entry {
  return {
    key: `node/${origin}/${field}`,
    value: { alive: true, uptimeS: 86_400 + hlc % 1000, load: [0.42, 0.37, 0.31], memUsedMb: 1843, memTotalMb: 4096, role: 'container', zone: 'hel1-rack07', net: 'ok', seq: hlc % 100_000 },
    hlc,
    origin,
    prev
  }
}

/** The HLC of entry `i` of writer batch `k`: strictly increasing in (k, i). */
export function writerHlc (k: number, i: number): Hlc {
  return 1_000_000 + k * WRITER_BATCH_ENTRIES + i
}

export function writerEntry (k: number, i: number): Entry {
  const hlc = writerHlc(k, i)
  return heartbeatEntry(WRITER_NODE, `f${k}-${i}`, hlc, i === 0 && k === 0 ? 0 : hlc - 1)
}

/** `writing <k>`: batch k is about to be flushed; `flushed <k>`: its flush resolved. */
export type WriterEvent = 'writing' | 'flushed'

export interface WriterProcess {
  child: ChildProcess
  /** Batches the writer reported flushed, in order. */
  flushed: number[]
  /** Batches the writer started writing (queued and handed to flush), in order. */
  writing: number[]
  /** The incarnation the writer began with. */
  incarnation: () => number | undefined
  /** Resolves once the writer reported `<event> <k>` for some k >= `batch`; rejects on exit or deadline. */
  waitFor: (event: WriterEvent, batch: number, deadlineMs: number) => Promise<void>
  /** SIGKILL the writer and wait for it to be gone. */
  kill: () => Promise<void>
}

/**
 * Start `store-writer.ts` on `dir` with this Node binary (an argv array, no
 * shell). Its stdout lines are `incarnation <n>`, then `writing <k>` and
 * `flushed <k>` per batch.
 */
export function startWriter (dir: string): WriterProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER_SCRIPT, dir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  const flushed: number[] = []
  const writing: number[] = []
  let incarnation: number | undefined
  let stderr = ''
  let pending = ''
  let exited: string | undefined
  const listeners = new Set<() => void>()
  const notify = (): void => { for (const l of [...listeners]) l() }
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      const [word, n] = line.split(' ')
      if (word === 'flushed') flushed.push(Number(n))
      if (word === 'writing') writing.push(Number(n))
      if (word === 'incarnation') incarnation = Number(n)
    }
    notify()
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const gone = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = `writer exited (code ${code}, signal ${signal}); stderr:\n${stderr}`
      notify()
      resolve()
    })
  })
  const waitFor = async (event: WriterEvent, batch: number, deadlineMs: number): Promise<void> => {
    const seen = event === 'flushed' ? flushed : writing
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        const last = seen.at(-1)
        if (last !== undefined && last >= batch) done(resolve)
        else if (exited !== undefined) done(() => { reject(new Error(exited)) })
      }
      const timer = setTimeout(() => { done(() => { reject(new Error(`writer did not report ${event} ${batch} within ${deadlineMs} ms; saw ${flushed.length} flushes; stderr:\n${stderr}`)) }) }, deadlineMs)
      const done = (settle: () => void): void => {
        clearTimeout(timer)
        listeners.delete(check)
        settle()
      }
      listeners.add(check)
      check()
    })
  }
  const kill = async (): Promise<void> => {
    if (exited === undefined) child.kill('SIGKILL')
    await gone
  }
  return { child, flushed, writing, incarnation: () => incarnation, waitFor, kill }
}
