/**
 * Reading a scenario file: JSON (`.json`) or YAML (anything else), then
 * `parseScenario`. Every failure is a ScenarioError naming the file or field.
 */
import { readFileSync } from 'node:fs'
import { basename, extname } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { ScenarioError } from './errors.js'
import { parseScenario } from './schema.js'
import type { Scenario } from './schema.js'

/** Parse scenario text; `fileName` picks the syntax and the default scenario name. */
export function scenarioFromText (textIn: string, fileName: string): Scenario {
  const json = extname(fileName).toLowerCase() === '.json'
  let raw: unknown
  try {
    raw = json ? JSON.parse(textIn) : parseYaml(textIn, { prettyErrors: true, uniqueKeys: true })
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0] ?? ''
    throw new ScenarioError('scenario', `${fileName} is not valid ${json ? 'JSON' : 'YAML'}: ${msg}`, { cause: err })
  }
  return parseScenario(raw, basename(fileName, extname(fileName)))
}

export function loadScenario (path: string): Scenario {
  let textIn: string
  try {
    textIn = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ScenarioError('scenario', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err })
  }
  return scenarioFromText(textIn, path)
}
