/**
 * The host bridge's `mesh-agent run` settings: flags, config keys, rules
 * validated at start, and what reaches the runtime.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { AGENT_RUN_USAGE, parseAgentArgs, UsageError } from '../../agent/cli/index.js'
import { bridgeInitOf } from '../../agent/cli/bridge-settings.js'

const dir = mkdtempSync(join(tmpdir(), 'bridge-settings-'))
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })
const parse = (argv: string[]): ReturnType<typeof parseAgentArgs> => parseAgentArgs(['--name', 'h1', ...argv], {}, (p) => readFileSync(p, 'utf8'))

describe('mesh-agent run: host bridge settings', () => {
  it('should read the bridge flags and hand a host its bridge', async () => {
    const config = await parse(['--role', 'host', '--zfs-allow', 'crm=tank/ct/crm', '--zfs-allow', '*=tank/shared', '--snapshot-backend', 'dir', '--lxc-path', '/srv/lxc', '--keep-preflight', '7'])
    expect(config).toMatchObject({ zfsAllow: ['crm=tank/ct/crm', '*=tank/shared'], snapshotBackend: 'dir', lxcPath: '/srv/lxc', keepPreflight: 7 })
    expect(bridgeInitOf(config)).toEqual({ allow: ['crm=tank/ct/crm', '*=tank/shared'], backend: 'dir', lxcPath: '/srv/lxc', keepPreflight: 7 })
  })

  it('should give a container, or a host without rules, no bridge', async () => {
    expect(bridgeInitOf(await parse(['--zfs-allow', 'crm=tank/ct']))).toBeUndefined()
    expect(bridgeInitOf(await parse(['--role', 'host']))).toBeUndefined()
  })

  it('should read the same settings from a config file', async () => {
    const file = join(dir, 'host.yaml')
    writeFileSync(file, 'role: host\nzfsAllow:\n  - crm=tank/ct/crm\nsnapshot-backend: zfs\nkeepPreflight: 3\n')
    expect(await parse(['--config', file])).toMatchObject({ zfsAllow: ['crm=tank/ct/crm'], snapshotBackend: 'zfs', keepPreflight: 3, lxcPath: '/var/lib/lxc' })
  })

  it.each([
    [['--zfs-allow', 'crm'], /--zfs-allow.*NODE=DATASET_ROOT/],
    [['--zfs-allow', 'crm=tank/../etc'], /--zfs-allow.*must not contain "\.\."/],
    [['--zfs-allow', 'crm=-o'], /--zfs-allow.*must not start with "-"/],
    [['--snapshot-backend', 'btrfs'], /--snapshot-backend/],
    [['--keep-preflight', '0'], /--keep-preflight/]
  ])('should refuse %j at start with a message naming the flag', async (argv, message) => {
    await expect(parse(argv)).rejects.toThrow(UsageError)
    await expect(parse(argv)).rejects.toThrow(message)
  })

  it('should list the bridge flags in the usage text', () => {
    for (const flag of ['--zfs-allow', '--snapshot-backend', '--lxc-path', '--keep-preflight']) expect(AGENT_RUN_USAGE).toContain(flag)
  })
})
