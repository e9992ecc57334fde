import { afterEach, describe, expect, it } from 'vitest'
import { runMeshctl } from '../../../agent/cli/index.js'
import type { MeshctlIo } from '../../../agent/cli/index.js'
import { closedPort, jsonHandler, SAMPLE_STATUS, startServer } from './status-server.js'
import type { Handler, TestServer } from './status-server.js'

interface Run { code: number, stdout: string, stderr: string }

async function meshctl (argv: string[], io: Partial<MeshctlIo> = {}): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const code = await runMeshctl(argv, {
    env: {},
    fetch: globalThis.fetch,
    ...io,
    stdout: (s) => { stdout += s },
    stderr: (s) => { stderr += s }
  })
  return { code, stdout, stderr }
}

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function serve (handler: Handler): Promise<string> {
  server = await startServer(handler)
  return server.url
}

describe('meshctl status', () => {
  it('should print an aligned table with names, liveness and self marked', async () => {
    const url = await serve(jsonHandler(200, SAMPLE_STATUS))
    const run = await meshctl(['status', '--agent', url])
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(server?.requests).toEqual(['GET /v1/status'])
    const lines = run.stdout.split('\n')
    expect(lines.slice(0, 4)).toEqual([
      '  NAME        LIVENESS  INC  HEARTBEAT  RTT    ROLE       MAINTENANCE           CAPABILITIES',
      '  billing     dead      0    -          -      container  -                     -',
      '* hauki-crm   alive     3    0.8s       -      container  Active                zfs=yes,zone=hel1 services:http,ssh',
      '  zfs-host-1  suspect   12   2m         1.2ms  host       Maintenance,cordoned  -'
    ])
    expect(run.stdout).toContain('3 members: 1 alive, 1 suspect, 1 dead')
    expect(run.stdout).toContain(`* self: hauki-crm (${SAMPLE_STATUS.peerId})`)
  })

  it('should print the JSON as received with --json, before or after the command', async () => {
    const url = await serve(jsonHandler(200, SAMPLE_STATUS))
    for (const argv of [['status', '--json', '--agent', url], ['--json', `--agent=${url}`, 'status']]) {
      const run = await meshctl(argv)
      expect(run.code).toBe(0)
      expect(run.stdout).toBe(`${JSON.stringify(SAMPLE_STATUS, null, 2)}\n`)
      expect(JSON.parse(run.stdout)).toEqual(SAMPLE_STATUS)
    }
  })

  it('should take the agent URL from MESH_AGENT, and --agent over it', async () => {
    const url = await serve(jsonHandler(200, SAMPLE_STATUS))
    expect((await meshctl(['status'], { env: { MESH_AGENT: `${url}/` } })).code).toBe(0)
    const port = await closedPort()
    expect((await meshctl(['status', '--agent', url], { env: { MESH_AGENT: `http://127.0.0.1:${port}` } })).code).toBe(0)
  })

  it('should exit 1 and name the URL and the cause when the agent is unreachable', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`
    const run = await meshctl(['status', '--agent', url])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(`meshctl: cannot reach agent at ${url}: connect ECONNREFUSED ${url.slice('http://'.length)}\n`)
  })

  it('should print a JSON error on stdout and the message on stderr with --json', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`
    const run = await meshctl(['status', '--agent', url, '--json'])
    expect(run.code).toBe(1)
    const { error } = JSON.parse(run.stdout) as { error: { code: string, message: string } }
    expect(error.code).toBe('AGENT_UNREACHABLE')
    expect(error.message).toContain(`cannot reach agent at ${url}`)
    expect(run.stderr).toBe(`meshctl: ${error.message}\n`)
  })

  it('should exit 1 with the status and the body\'s error field on an HTTP error', async () => {
    const url = await serve(jsonHandler(503, { error: 'membership not started' }))
    const run = await meshctl(['status', '--agent', url])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(`meshctl: agent at ${url} answered 503 Service Unavailable for GET /v1/status: membership not started\n`)
  })

  it.each([
    ['a list', [1, 2], 'not a JSON object'],
    ['no members', { self: 'a' }, '"members" is not an array'],
    ['a nameless member', { members: [{ liveness: 'alive' }] }, 'members[0] is not an object with a "name"']
  ])('should exit 1 and say what is wrong when the answer is %s', async (_what, body, reason) => {
    const url = await serve(jsonHandler(200, body))
    const run = await meshctl(['status', '--agent', url, '--json'])
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout)).toEqual({ error: { code: 'BAD_RESPONSE', message: `unexpected answer to GET /v1/status from agent at ${url}: ${reason}` } })
  })

  it('should exit 1 when the answer is not JSON', async () => {
    const url = await serve((_req, res) => { res.end('<html>hello</html>') })
    const run = await meshctl(['status', '--agent', url])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('with something that is not JSON: "<html>hello</html>"')
  })

  it('should exit 1 with a timeout error when the agent does not answer before the deadline', async () => {
    const url = await serve(() => { /* never answers */ })
    const run = await meshctl(['status', '--agent', url], { timeoutMs: 50 })
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(`meshctl: cannot reach agent at ${url}: no answer within 50 ms\n`)
  })

  it('should not let a peer-supplied name put control characters on the terminal', async () => {
    const url = await serve(jsonHandler(200, { members: [{ name: 'evil\u001b[2Jname', liveness: 'alive' }] }))
    const run = await meshctl(['status', '--agent', url])
    expect(run.stdout).toContain('evil?[2Jname')
    expect(run.stdout).not.toContain('\u001b')
  })
})

describe('meshctl usage', () => {
  it.each([
    [['stat'], 'unknown command "stat"'],
    [[], 'missing command'],
    [['status', '--verbose'], '--verbose: unknown flag'],
    [['--agent'], '--agent: missing value'],
    [['status', 'extra'], 'status: unexpected argument "extra"'],
    [['status', '--json=yes'], '--json: takes no value'],
    [['status', '--agent', 'localhost:7401'], '--agent: must be an http:// or https:// URL'],
    [['status', '--agent', 'http://127.0.0.1:7401/?x=1'], '--agent: must be an http:// or https:// URL']
  ])('should exit 2 with a usage text for %j', async (argv, message) => {
    const run = await meshctl(argv)
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain(`meshctl: ${message}`)
    expect(run.stderr).toContain('usage: meshctl')
  })

  it('should name MESH_AGENT when the environment holds a bad URL', async () => {
    const run = await meshctl(['status'], { env: { MESH_AGENT: 'ftp://x' } })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('meshctl: MESH_AGENT: must be an http:// or https:// URL')
  })

  it('should report a usage error as JSON with --json', async () => {
    const run = await meshctl(['--json', 'nope'])
    expect(run.code).toBe(2)
    expect(JSON.parse(run.stdout)).toEqual({ error: { code: 'USAGE', message: 'unknown command "nope"' } })
  })

  it('should print help on stdout and exit 0', async () => {
    const top = await meshctl(['--help'])
    expect(top).toMatchObject({ code: 0, stderr: '' })
    expect(top.stdout).toContain('status')
    const cmd = await meshctl(['status', '-h'])
    expect(cmd.code).toBe(0)
    expect(cmd.stdout).toContain('usage: meshctl [--agent URL] [--json] status')
  })
})
