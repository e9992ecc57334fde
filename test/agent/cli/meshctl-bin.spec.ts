import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closedPort, jsonHandler, SAMPLE_STATUS, startServer } from './status-server.js'
import type { TestServer } from './status-server.js'

const BIN = fileURLToPath(new URL('../../../bin/meshctl.js', import.meta.url))

interface Exit { code: number | null, stdout: string, stderr: string }

/** Runs bin/meshctl.js with this Node binary and an argv array: no shell. */
async function runBin (args: string[]): Promise<Exit> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, MESH_AGENT: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s })
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (c) => { resolve(c) })
  })
  return { code, stdout, stderr }
}

describe('bin/meshctl.js', () => {
  let server: TestServer
  beforeAll(async () => { server = await startServer(jsonHandler(200, SAMPLE_STATUS)) })
  afterAll(async () => { await server.close() })

  it('should print the status JSON and exit 0', async () => {
    const run = await runBin(['status', '--agent', server.url, '--json'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual(SAMPLE_STATUS)
  })

  it('should exit 1 against a dead port', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`
    const run = await runBin(['status', '--agent', url, '--json'])
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'AGENT_UNREACHABLE' } })
    expect(run.stderr).toContain(`meshctl: cannot reach agent at ${url}`)
  })

  it('should exit 2 on an unknown command', async () => {
    const run = await runBin(['frobnicate'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('unknown command "frobnicate"')
  })
})
