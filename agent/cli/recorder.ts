/**
 * `meshctl recorder verify DIR`: check a flight recorder folder offline
 * (no agent needed): every record parses and matches its schema and
 * checksum, no stray temp files. Exit 1 if anything is wrong.
 */
import { verifyRecorder } from '../recorder/index.js'
import type { Command, CommandResult } from './command.js'
import { UsageError } from './errors.js'

export const recorderCommand: Command = {
  name: 'recorder',
  summary: 'recorder verify DIR: check a flight recorder folder (schemas, checksums, temp files)',
  synopsis: 'recorder verify DIR',
  flags: [],
  positionalsMax: 2,
  run: async (ctx): Promise<CommandResult> => {
    const [sub, dir] = ctx.args.positionals
    if (sub !== 'verify' || dir === undefined) throw new UsageError('usage: meshctl recorder verify DIR')
    const report = await verifyRecorder(dir)
    const lines = [
      `${report.ok ? 'ok' : 'PROBLEMS'}: ${report.dir}: ${report.filesChecked} files and ${report.eventLinesChecked} event lines checked, ${report.problems.length} problems, ${report.warnings.length} warnings`,
      ...report.problems.map((p) => `  ${p.file}: ${p.problem}`),
      ...report.warnings.map((p) => `  warning: ${p.file}: ${p.problem}`)
    ]
    return { data: report, text: `${lines.join('\n')}\n`, exitCode: report.ok ? 0 : 1 }
  }
}
