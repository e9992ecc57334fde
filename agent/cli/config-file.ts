/**
 * Reading a `mesh-agent` config file: JSON or YAML chosen by extension
 * (`.json`, `.yaml`, `.yml`); any other name is tried as JSON, then as YAML.
 * The result is the file's top-level mapping, not yet validated.
 */
import { dirname, extname, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { CONFIG_FILE_CHARS_MAX } from './constants.js'
import { UsageError } from './errors.js'
import { clip, describe, isPlainObject } from './values.js'

export interface ConfigFile {
  /** The path as the user gave it, for messages. */
  readonly file: string
  /** Absolute folder of the file; relative paths inside it resolve against this. */
  readonly dir: string
  readonly values: Readonly<Record<string, unknown>>
}

/**
 * @param label - how to name the source of `path` in messages (`--config` or the environment variable)
 */
export function loadConfigFile (path: string, readFile: (path: string) => string, label: string): ConfigFile {
  let text: string
  try {
    text = readFile(path)
  } catch (err) {
    throw new UsageError(`${label}: cannot read "${path}": ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  if (text.length > CONFIG_FILE_CHARS_MAX) {
    throw new UsageError(`${label}: "${path}" is larger than ${CONFIG_FILE_CHARS_MAX} characters`)
  }
  const parsed = parseText(text, path, label)
  const values = parsed === null || parsed === undefined ? {} : parsed
  if (!isPlainObject(values)) throw new UsageError(`${label}: "${path}" must hold a mapping of settings, got ${describe(values)}`)
  return { file: path, dir: dirname(resolve(path)), values }
}

function parseText (text: string, path: string, label: string): unknown {
  const ext = extname(path).toLowerCase()
  if (ext === '.json') return parseAs('JSON', text, path, label)
  if (ext === '.yaml' || ext === '.yml') return parseAs('YAML', text, path, label)
  try {
    return JSON.parse(text)
  } catch {
    return parseAs('YAML', text, path, label)
  }
}

function parseAs (format: 'JSON' | 'YAML', text: string, path: string, label: string): unknown {
  try {
    // YAML 1.2 core schema: `on`/`yes` stay strings; duplicate keys are errors; warnings are not printed.
    return format === 'JSON' ? JSON.parse(text) : parseYaml(text, { logLevel: 'error' })
  } catch (err) {
    const reason = clip(err instanceof Error ? err.message : String(err)).split('\n')[0]
    throw new UsageError(`${label}: "${path}" is not valid ${format}: ${reason}`, { cause: err })
  }
}
