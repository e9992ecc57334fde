/**
 * The one place the bridge starts processes. Always an argv array (execa
 * with `shell: false`), explicit options, `reject: false`, a deadline, and
 * the outcome mapped to our own result type; execa's error objects never
 * leave this file. Like execa's own design, a failure has the same shape as a
 * success, so callers branch on fields, not on exceptions.
 *
 * execa is loaded on the first command, not with this file: every agent
 * imports the host bridge's name rules, but only a host runs commands, so a
 * container agent need not evaluate execa's modules (a few hundred KB of
 * resident memory, issue 3).
 */
import type { execa as Execa } from 'execa'
import { STDERR_LENGTH_MAX, STDOUT_BYTES_MAX } from './constants.js'
import { CommandFailedError } from './errors.js'

export interface CommandResult {
  /** The program and its arguments, as run. */
  command: string[]
  /** undefined when the process did not exit by itself (killed, timed out, failed to start). */
  exitCode: number | undefined
  stdout: string
  stderr: string
  durationMs: number
  timedOut: boolean
}

export interface RunOptions {
  timeoutMs: number
  signal?: AbortSignal
}

/** Counts every process started, so tests can prove that a refused request ran nothing. */
export interface RunnerStats { commandsRun: number }

export interface Runner {
  run: (program: string, args: readonly string[], options: RunOptions) => Promise<CommandResult>
  readonly stats: RunnerStats
}

let execaModule: Promise<{ execa: typeof Execa }> | undefined

export function createRunner (): Runner {
  const stats: RunnerStats = { commandsRun: 0 }
  return {
    stats,
    run: async (program, args, options) => {
      stats.commandsRun++
      const { execa } = await (execaModule ??= import('execa'))
      const started = performance.now()
      const res = await execa(program, [...args], {
        shell: false,
        reject: false,
        stdin: 'ignore',
        timeout: options.timeoutMs,
        cancelSignal: options.signal,
        maxBuffer: STDOUT_BYTES_MAX,
        stripFinalNewline: true,
        env: { LC_ALL: 'C' },
        extendEnv: true
      })
      const stderr = String(res.stderr ?? '')
      const notStarted = res.exitCode === undefined && res.failed && !res.timedOut && res.originalMessage !== undefined
      return {
        command: [program, ...args],
        exitCode: res.exitCode,
        stdout: String(res.stdout ?? ''),
        stderr: (stderr === '' && notStarted ? String(res.originalMessage) : stderr).slice(0, STDERR_LENGTH_MAX),
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        timedOut: res.timedOut
      }
    }
  }
}

/** The result when it succeeded. @throws CommandFailedError naming the command and its stderr */
export function okOrThrow (r: CommandResult): CommandResult {
  if (r.exitCode === 0 && !r.timedOut) return r
  const why = r.timedOut ? 'timed out' : r.exitCode === undefined ? 'did not run' : `exited ${r.exitCode}`
  const detail = r.stderr.trim().split('\n').slice(0, 4).join('; ')
  throw new CommandFailedError(`${r.command.join(' ')} ${why}${detail === '' ? '' : `: ${detail}`}`, r)
}
