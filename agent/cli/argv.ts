/**
 * A small strict flag parser shared by `mesh-agent` and `meshctl`.
 *
 * Accepts `--flag value`, `--flag=value`, boolean `--flag`, `-h` for
 * `--help` and `--` to end flags. Everything else that starts with `-` is an
 * unknown flag. A string flag followed by another `--flag` (or nothing) is
 * missing its value: values that start with `--` must use `--flag=value`.
 * A non-repeatable flag given twice is an error rather than "last one wins",
 * so a stale flag in a script cannot silently shadow the intended one.
 */
import { UsageError } from './errors.js'

export interface FlagSpec {
  /** Long name without dashes, e.g. `heartbeat-ms`. */
  readonly name: string
  readonly kind: 'string' | 'boolean'
  /** Whether the flag may be given more than once; its values are kept in order. */
  readonly repeatable?: boolean
}

export interface ParsedArgs {
  /** Values of string flags that were given, in argv order. */
  readonly strings: ReadonlyMap<string, readonly string[]>
  /** Boolean flags that were given. */
  readonly booleans: ReadonlySet<string>
  readonly positionals: readonly string[]
}

export function parseFlags (argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]))
  const strings = new Map<string, string[]>()
  const booleans = new Set<string>()
  const positionals: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string
    if (token === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token)
      continue
    }
    const { name, inline } = splitToken(token)
    const spec = name === undefined ? undefined : byName.get(name)
    if (spec === undefined || name === undefined) throw new UsageError(`${token.split('=')[0] ?? token}: unknown flag`)
    if (spec.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name}: takes no value, got "${inline}"`)
      booleans.add(name)
      continue
    }
    let value = inline
    if (value === undefined) {
      const next = argv[i + 1]
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name}: missing value`)
      value = next
      i++
    }
    const seen = strings.get(name) ?? []
    if (seen.length > 0 && spec.repeatable !== true) throw new UsageError(`--${name}: given more than once`)
    strings.set(name, [...seen, value])
  }
  return { strings, booleans, positionals }
}

/** The last value of a string flag, or undefined. */
export function flagValue (args: ParsedArgs, name: string): string | undefined {
  return args.strings.get(name)?.at(-1)
}

/** Splits `--name=value`; short flags other than `-h` have no name. */
function splitToken (token: string): { name: string | undefined, inline: string | undefined } {
  if (token === '-h') return { name: 'help', inline: undefined }
  if (!token.startsWith('--')) return { name: undefined, inline: undefined }
  const eq = token.indexOf('=')
  if (eq === -1) return { name: token.slice(2), inline: undefined }
  return { name: token.slice(2, eq), inline: token.slice(eq + 1) }
}
