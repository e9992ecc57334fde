import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closedPort, jsonHandler, SAMPLE_STATUS, startServer } from './status-server.js'
import type { TestServer } from './status-server.js'
import { MESHCTL, runCli } from '../../helpers/processes.js'
import type { CliResult } from '../../helpers/processes.js'

/** Runs bin/meshctl.js with this Node binary and an argv array: no shell. */
async function runBin (args: string[]): Promise<CliResult> {
  return await runCli(MESHCTL, args, { MESH_AGENT: '' })
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
