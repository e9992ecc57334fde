/**
 * Reading a `mesh-agent` config file: JSON or YAML chosen by extension
 * (`.json`, `.yaml`, `.yml`); any other name is tried as JSON, then as YAML.
 * The result is the file's top-level mapping, not yet validated. The YAML
 * parser is loaded only for a file that needs it: most agents have no YAML
 * file, and every agent would otherwise keep the parser in memory (issue 3).
 */
import { dirname, extname, resolve } from 'node:path'
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
export async function loadConfigFile (path: string, readFile: (path: string) => string, label: string): Promise<ConfigFile> {
  let text: string
  try {
    text = readFile(path)
  } catch (err) {
    throw new UsageError(`${label}: cannot read "${path}": ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  if (text.length > CONFIG_FILE_CHARS_MAX) {
    throw new UsageError(`${label}: "${path}" is larger than ${CONFIG_FILE_CHARS_MAX} characters`)
  }
  const parsed = await parseText(text, path, label)
  const values = parsed === null || parsed === undefined ? {} : parsed
  if (!isPlainObject(values)) throw new UsageError(`${label}: "${path}" must hold a mapping of settings, got ${describe(values)}`)
  return { file: path, dir: dirname(resolve(path)), values }
}

async function parseText (text: string, path: string, label: string): Promise<unknown> {
  const ext = extname(path).toLowerCase()
  if (ext === '.json') return parseAs('JSON', text, path, label, JSON.parse)
  if (ext === '.yaml' || ext === '.yml') return parseAs('YAML', text, path, label, await yamlParser())
  try {
    return JSON.parse(text)
  } catch {
    return parseAs('YAML', text, path, label, await yamlParser())
  }
}

async function yamlParser (): Promise<(text: string) => unknown> {
  const { parse } = await import('yaml')
  // YAML 1.2 core schema: `on`/`yes` stay strings; duplicate keys are errors; warnings are not printed.
  return (text) => parse(text, { logLevel: 'error' })
}

function parseAs (format: 'JSON' | 'YAML', text: string, path: string, label: string, parse: (text: string) => unknown): unknown {
  try {
    return parse(text)
  } catch (err) {
    const reason = clip(err instanceof Error ? err.message : String(err)).split('\n')[0]
    throw new UsageError(`${label}: "${path}" is not valid ${format}: ${reason}`, { cause: err })
  }
}
