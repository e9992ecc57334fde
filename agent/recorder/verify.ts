/**
 * `meshctl recorder verify DIR`: an offline check of a recorder folder.
 * Every record file must parse, match its schema and its checksum; every
 * event line too; stray temp files and stale locks are reported.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { RECORD_BYTES_MAX } from './constants.js'
import { isTempName } from './atomic-file.js'
import { recordProblem } from './records.js'
import type { RecordKind } from './records.js'

export interface VerifyProblem { file: string, problem: string }

export interface VerifyReport {
  dir: string
  filesChecked: number
  eventLinesChecked: number
  /** Invalid records: any of these fails the check. */
  problems: VerifyProblem[]
  /** Leftovers of writers that died (temp files, locks): expected after a crash, swept by the next agent start. */
  warnings: VerifyProblem[]
  ok: boolean
}

async function listDir (dir: string): Promise<string[]> {
  return await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []
    throw err
  })
}

async function checkRecordFile (file: string, kind: RecordKind, report: VerifyReport): Promise<void> {
  report.filesChecked++
  const size = (await stat(file)).size
  if (size > RECORD_BYTES_MAX) {
    report.problems.push({ file, problem: `larger than ${RECORD_BYTES_MAX} bytes` })
    return
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    report.problems.push({ file, problem: `not valid JSON: ${(err as Error).message}` })
    return
  }
  const problem = recordProblem(parsed, kind)
  if (problem !== undefined) report.problems.push({ file, problem })
}

async function checkFolder (dir: string, kind: RecordKind, report: VerifyReport): Promise<void> {
  for (const name of await listDir(dir)) {
    const file = path.join(dir, name)
    if (isTempName(name)) report.warnings.push({ file, problem: 'stray temp file (a writer died mid-write; swept at the next agent start)' })
    else if (name.endsWith('.lock')) report.warnings.push({ file, problem: 'lock left behind (a writer died holding it; broken by the next writer)' })
    else if (name.endsWith('.json')) await checkRecordFile(file, kind, report)
  }
}

async function checkEvents (dir: string, report: VerifyReport): Promise<void> {
  for (const name of await listDir(dir)) {
    const file = path.join(dir, name)
    if (!name.endsWith('.ndjson')) continue
    report.filesChecked++
    const text = await readFile(file, 'utf8')
    if (text.length > 0 && !text.endsWith('\n')) report.problems.push({ file, problem: 'last line is incomplete (torn append)' })
    const lines = text.split('\n')
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string
      if (line.length === 0) continue
      report.eventLinesChecked++
      let parsed: unknown
      try {
        parsed = JSON.parse(line)
      } catch {
        report.problems.push({ file: `${file}:${i + 1}`, problem: 'not valid JSON' })
        continue
      }
      const problem = recordProblem(parsed, 'event')
      if (problem !== undefined) report.problems.push({ file: `${file}:${i + 1}`, problem })
    }
  }
}

export async function verifyRecorder (dir: string): Promise<VerifyReport> {
  const report: VerifyReport = { dir, filesChecked: 0, eventLinesChecked: 0, problems: [], warnings: [], ok: true }
  const root = await stat(dir).catch(() => undefined)
  if (root === undefined || !root.isDirectory()) {
    report.problems.push({ file: dir, problem: 'not a directory' })
    report.ok = false
    return report
  }
  await checkFolder(path.join(dir, 'live/nodes'), 'live-node', report)
  for (const node of await listDir(path.join(dir, 'live/services'))) {
    const sub = path.join(dir, 'live/services', node)
    if ((await stat(sub)).isDirectory()) await checkFolder(sub, 'live-service', report)
  }
  await checkFolder(path.join(dir, 'snapshots'), 'snapshot', report)
  for (const name of await listDir(path.join(dir, 'bootstrap'))) {
    const file = path.join(dir, 'bootstrap', name)
    if (isTempName(name)) report.warnings.push({ file, problem: 'stray temp file (swept at the next agent start)' })
    else if (name === 'peers.json') await checkRecordFile(file, 'peers', report)
  }
  await checkEvents(path.join(dir, 'events'), report)
  report.ok = report.problems.length === 0
  return report
}
