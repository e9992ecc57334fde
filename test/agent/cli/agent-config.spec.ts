import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AGENT_RUN_USAGE, parseAgentArgs, UsageError, wantsHelp } from '../../../agent/cli/index.js'

const PEER = '12D3KooWGRUVh8ZWFHsGvtwoTmbsbDMCGCZu6nL76rUa1xKwSFQM'
const BOOT = `/ip4/192.0.2.10/tcp/7400/p2p/${PEER}`
const dir = mkdtempSync(join(tmpdir(), 'mesh-cli-'))
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

const readFile = (p: string): string => readFileSync(p, 'utf8')
const noFile = (p: string): string => { throw new Error(`unexpected read of ${p}`) }
const parse = (argv: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof parseAgentArgs> => parseAgentArgs(argv, env, readFile)

function writeConfig (name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

async function usageError (pending: Promise<unknown>): Promise<UsageError> {
  try {
    await pending
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError)
    expect((err as UsageError).name).toBe('UsageError')
    expect((err as UsageError).code).toBe('USAGE')
    return err as UsageError
  }
  throw new Error('expected a UsageError')
}

describe('parseAgentArgs', () => {
  it('should apply defaults when no flags are given', async () => {
    const name = hostname()
    expect(await parseAgentArgs([], {}, noFile)).toEqual({
      name,
      dataDir: resolve('mesh-data', name),
      listen: ['/ip4/0.0.0.0/tcp/7400'],
      bootstrap: [],
      api: { host: '127.0.0.1', port: 7401 },
      role: 'container',
      heartbeatMs: 1000,
      heartbeatMeshRate: 0.25,
      caps: {},
      logLevel: 'info',
      recorder: null,
      flushMs: 2000,
      adminKeys: [],
      drainOnShutdown: false,
      zfsAllow: [], snapshotBackend: 'zfs', lxcPath: '/var/lib/lxc', keepPreflight: 20
    })
  })

  it('should read every flag, in both --flag value and --flag=value forms', async () => {
    const config = await parse([
      '--name', 'hauki-crm', '--data=/var/lib/mesh', '--listen', '/ip4/127.0.0.1/tcp/0', '--bootstrap', BOOT,
      '--api=[::1]:0', '--role', 'host', '--heartbeat-ms=250', '--heartbeat-mesh-rate', '2.5', '--cap', 'zone=hel1', '--log-level', 'debug',
      '--recorder', '/srv/meshfs', '--flush-ms=500'
    ])
    expect(config).toEqual({
      name: 'hauki-crm',
      dataDir: '/var/lib/mesh',
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [BOOT],
      api: { host: '::1', port: 0 },
      role: 'host',
      heartbeatMs: 250,
      heartbeatMeshRate: 2.5,
      caps: { zone: 'hel1' },
      logLevel: 'debug',
      recorder: '/srv/meshfs',
      flushMs: 500,
      adminKeys: [],
      drainOnShutdown: false,
      zfsAllow: [], snapshotBackend: 'zfs', lxcPath: '/var/lib/lxc', keepPreflight: 20
    })
  })

  it('should accept a leading "run" and resolve a relative data dir against the working directory', async () => {
    const config = await parse(['run', '--name', 'a', '--data', 'rel/dir'])
    expect(config.dataDir).toBe(resolve('rel/dir'))
    expect((await parse(['--name', 'web-1'])).dataDir).toBe(resolve('mesh-data/web-1'))
  })

  it('should collect repeatable flags in order', async () => {
    const config = await parse([
      '--name', 'a', '--listen', '/ip4/0.0.0.0/tcp/7400', '--listen=/ip6/::/tcp/7400',
      '--bootstrap', BOOT, '--bootstrap', `/dns4/seed.example/tcp/7400/p2p/${PEER}`,
      '--cap', 'zone=hel1', '--cap', 'zfs=yes', '--cap', 'note=a=b'
    ])
    expect(config.listen).toEqual(['/ip4/0.0.0.0/tcp/7400', '/ip6/::/tcp/7400'])
    expect(config.bootstrap).toEqual([BOOT, `/dns4/seed.example/tcp/7400/p2p/${PEER}`])
    expect(config.caps).toEqual({ zone: 'hel1', zfs: 'yes', note: 'a=b' })
  })

  it('should read a JSON config file with camelCase keys', async () => {
    const path = writeConfig('mesh.json', JSON.stringify({
      name: 'from-json', dataDir: '/srv/mesh', listen: '/ip4/127.0.0.1/tcp/7500', bootstrap: [BOOT],
      api: '0.0.0.0:8080', role: 'host', heartbeatMs: 2000, heartbeatMeshRate: 1, caps: { zone: 'hel1' }, logLevel: 'warn', recorder: '/srv/rec', flushMs: 3000
    }))
    expect(await parse(['--config', path])).toEqual({
      name: 'from-json',
      dataDir: '/srv/mesh',
      listen: ['/ip4/127.0.0.1/tcp/7500'],
      bootstrap: [BOOT],
      api: { host: '0.0.0.0', port: 8080 },
      role: 'host',
      heartbeatMs: 2000,
      heartbeatMeshRate: 1,
      caps: { zone: 'hel1' },
      logLevel: 'warn',
      recorder: '/srv/rec',
      flushMs: 3000,
      adminKeys: [],
      drainOnShutdown: false,
      zfsAllow: [], snapshotBackend: 'zfs', lxcPath: '/var/lib/lxc', keepPreflight: 20
    })
  })

  it('should read a YAML config file with kebab-case keys and resolve its data dir against the file', async () => {
    const path = writeConfig('mesh.yaml', [
      'name: from-yaml',
      'data: ./state',
      'listen:',
      '  - /ip4/0.0.0.0/tcp/7400',
      '  - /ip6/::/tcp/7400',
      'heartbeat-ms: 500',
      'log-level: error',
      'api: "[::1]:7401"',
      'cap:',
      '  - zone=hel1',
      '  - rack=r2',
      ''
    ].join('\n'))
    const config = await parse([`--config=${path}`])
    expect(config).toMatchObject({
      name: 'from-yaml',
      dataDir: join(dir, 'state'),
      listen: ['/ip4/0.0.0.0/tcp/7400', '/ip6/::/tcp/7400'],
      heartbeatMs: 500,
      logLevel: 'error',
      api: { host: '::1', port: 7401 },
      caps: { zone: 'hel1', rack: 'r2' }
    })
  })

  it('should try JSON then YAML for other extensions, and read MESH_CONFIG when --config is absent', async () => {
    const json = writeConfig('mesh.conf', '{"name": "json-conf"}')
    const yaml = writeConfig('mesh.cfg', 'name: yaml-conf\n')
    expect((await parse(['--config', json])).name).toBe('json-conf')
    expect((await parse([], { MESH_CONFIG: yaml })).name).toBe('yaml-conf')
  })

  it('should let flags win over the file, replacing lists and merging caps key by key', async () => {
    const path = writeConfig('base.yaml', [
      'name: from-file', 'role: host', 'heartbeatMs: 3000', 'listen: /ip4/0.0.0.0/tcp/7400',
      'caps:', '  zone: hel1', '  rack: r1', ''
    ].join('\n'))
    const config = await parse(['--config', path, '--name', 'from-flag', '--listen', '/ip4/127.0.0.1/tcp/7600', '--cap', 'rack=r9'])
    expect(config).toMatchObject({
      name: 'from-flag',
      role: 'host',
      heartbeatMs: 3000,
      listen: ['/ip4/127.0.0.1/tcp/7600'],
      caps: { zone: 'hel1', rack: 'r9' }
    })
    expect((await parse(['--config', path], { MESH_CONFIG: '/nonexistent.yaml' })).name).toBe('from-file')
  })

  it('should report help requests with the usage text', async () => {
    expect(wantsHelp(['--name', 'a', '--help'])).toBe(true)
    expect(wantsHelp(['--name', 'a'])).toBe(false)
    expect((await usageError(parse(['-h']))).message).toBe(AGENT_RUN_USAGE.trimEnd())
  })

  it.each([
    [['--nmae', 'a'], '--nmae: unknown flag'],
    [['-x'], '-x: unknown flag'],
    [['--name'], '--name: missing value'],
    [['--name', '--role', 'host'], '--name: missing value'],
    [['--name', 'a', '--name', 'b'], '--name: given more than once'],
    [['--name', 'a', 'extra'], 'unexpected argument "extra"'],
    [['--name', '-bad'], '--name: must be 1-63 letters'],
    [['--name', 'a'.repeat(64)], '--name: must be 1-63 letters'],
    [['--name', 'has space'], '--name: must be 1-63 letters'],
    [['--data', ''], '--data: must be a path'],
    [['--listen', 'tcp://0.0.0.0:7400'], '--listen: must be a multiaddr'],
    [['--listen', '/ip4/1.2.3/tcp/1'], '--listen: must be a multiaddr'],
    [['--bootstrap', '/ip4/192.0.2.10/tcp/7400'], '--bootstrap: must end in /p2p/<peerId>'],
    [['--bootstrap', '/ip4/192.0.2.10/tcp/7400/p2p/notapeer'], '--bootstrap: must end in /p2p/<peerId>'],
    [['--api', '7401'], '--api: must be HOST:PORT'],
    [['--api', '127.0.0.1:65536'], '--api: must be HOST:PORT'],
    [['--api', '::1:7401'], '--api: must be HOST:PORT with a port between 0 and 65535, IPv6 in brackets as [::1]:7401; put an IPv6 address in brackets'],
    [['--api', '[127.0.0.1]:7401'], '--api: must be HOST:PORT'],
    [['--role', 'vm'], '--role: must be one of container, host, got "vm"'],
    [['--heartbeat-ms', 'abc'], '--heartbeat-ms: must be an integer between 100 and 600000, got "abc"'],
    [['--heartbeat-ms', '99'], '--heartbeat-ms: must be an integer between 100 and 600000, got "99"'],
    [['--heartbeat-ms', '1.5'], '--heartbeat-ms: must be an integer between 100 and 600000'],
    [['--heartbeat-mesh-rate', '0'], '--heartbeat-mesh-rate: must be a number between 0.01 and 100, got "0"'],
    [['--heartbeat-mesh-rate', '1e3'], '--heartbeat-mesh-rate: must be a number between 0.01 and 100, got "1e3"'],
    [['--heartbeat-mesh-rate', '-1'], '--heartbeat-mesh-rate: must be a number between 0.01 and 100'],
    [['--cap', 'zone'], '--cap: must be KEY=VALUE, got "zone"'],
    [['--cap', 'Zone=a'], '--cap: keys must be 1-63 lowercase letters'],
    [['--cap', 'zone=a', '--cap', 'zone=b'], '--cap: duplicate key "zone"'],
    [['--cap', `zone=${'x'.repeat(257)}`], '--cap: value of "zone" must be at most 256 characters'],
    [['--log-level', 'trace'], '--log-level: must be one of debug, info, warn, error'],
    [['--json'], '--json: unknown flag'],
    [['--config', '/nonexistent/mesh.yaml'], '--config: cannot read "/nonexistent/mesh.yaml"']
  ])('should reject bad flags %j, naming the flag', async (argv, message) => {
    expect((await usageError(parse(argv))).message).toContain(message)
  })

  it.each([
    ['bad-key.yaml', 'nmae: a\n', 'config key "nmae" (in %FILE%): unknown key'],
    ['heartbeat.yaml', 'heartbeatMs: abc\n', 'config key "heartbeatMs" (in %FILE%): must be an integer between 100 and 600000, got "abc"'],
    ['heartbeat.json', '{"heartbeat-ms": 12.5}', 'config key "heartbeat-ms" (in %FILE%): must be an integer between 100 and 600000, got 12.5'],
    ['both.yaml', 'heartbeat-ms: 200\nheartbeatMs: 300\n', 'config keys "heartbeat-ms" and "heartbeatMs" (in %FILE%) set the same setting'],
    ['listen.yaml', 'listen: [1, 2]\n', 'config key "listen" (in %FILE%): must be a string or a list of strings'],
    ['listen-empty.yaml', 'listen: []\n', 'config key "listen" (in %FILE%): must list at least 1 multiaddr'],
    ['cap-number.yaml', 'caps:\n  size: 10\n', 'config key "caps" (in %FILE%): value of "size" must be a string'],
    ['api.yaml', 'api: { host: a, port: 1 }\n', 'config key "api" (in %FILE%): must be a string'],
    ['role.json', '{"role": "vm"}', 'config key "role" (in %FILE%): must be one of container, host'],
    ['proto.json', '{"__proto__": {"name": "x"}}', 'config key "__proto__" (in %FILE%): unknown key'],
    ['list.yaml', '- name: a\n', '--config: "%FILE%" must hold a mapping of settings, got an array'],
    ['broken.json', '{"name": ', '--config: "%FILE%" is not valid JSON'],
    ['broken.yaml', 'name: [a\n', '--config: "%FILE%" is not valid YAML'],
    ['dup.yaml', 'name: a\nname: b\n', '--config: "%FILE%" is not valid YAML']
  ])('should reject bad config file %s, naming the key', async (file, text, message) => {
    const path = writeConfig(file, text)
    // A valid flag does not hide a broken file.
    const err = await usageError(parse(['--config', path, '--heartbeat-ms', '1000']))
    expect(err.message).toContain(message.replace('%FILE%', path))
  })
})
