import { describe, expect, it } from 'vitest'
import {
  InvalidNameError, NotAllowedError, checkContainerName, checkDataset, checkSnapshot, checkUnder, intentSlug, isOurs, lxcArgs,
  parseAllowRule, preflightName, pruneCandidates, rootsFor, snapshotId, snapshotOfId, uniqueName, utcStamp, zfsArgs
} from '../../host-bridge/index.js'
import { decodeBridgeAnswer, decodeBridgeRequest, encodeBridgeAnswer, encodeBridgeRequest, validateBridgeRequest } from '../../protocols/index.js'

const MALICIOUS = ['tank/x;rm -rf /', '-o', '../', 'tank/../etc', 'tank/x && reboot', 'tank/$(id)', 'tank/`id`', 'tank/x|cat', 'tank//x', '/tank', 'tank/x\nzfs', 'tank/x y', '']

describe('host bridge: names', () => {
  it.each(MALICIOUS)('should refuse the dataset %j before anything runs', (name) => {
    expect(() => checkDataset(name)).toThrow(InvalidNameError)
    expect(() => zfsArgs.snapshotArgs(`${name}@s`)).toThrow(InvalidNameError)
  })

  it.each(['tank', 'tank/ct/crm', 'tank/a_b.c:d-e'])('should accept the dataset %j', (name) => {
    expect(checkDataset(name)).toBe(name)
  })

  it('should refuse snapshot names without exactly one @, or with a bad part', () => {
    expect(() => checkSnapshot('tank/x')).toThrow(/exactly one "@"/)
    expect(() => checkSnapshot('tank/x@a@b')).toThrow(InvalidNameError)
    expect(() => checkSnapshot('tank/x@-r')).toThrow(/must not start with "-"|starting with a letter/)
    expect(checkSnapshot('tank/x@PRE_a_b_20260101_000000')).toEqual({ snapshot: 'tank/x@PRE_a_b_20260101_000000', dataset: 'tank/x', snap: 'PRE_a_b_20260101_000000' })
  })

  it.each(['-f', 'a/b', '..', 'a b', 'x;y', 'a'.repeat(64), ''])('should refuse the container name %j', (name) => {
    expect(() => checkContainerName(name)).toThrow(InvalidNameError)
  })

  it('should allow only datasets at or below a root, never a sibling with the same prefix', () => {
    expect(() => checkUnder('tank/ct/crm', ['tank/ct'], 'n')).not.toThrow()
    expect(() => checkUnder('tank/ct', ['tank/ct'], 'n')).not.toThrow()
    expect(() => checkUnder('tank/ctx', ['tank/ct'], 'n')).toThrow(NotAllowedError)
    expect(() => checkUnder('tank', ['tank/ct'], 'n')).toThrow(/may not use dataset "tank".*allowed: tank\/ct/)
  })
})

describe('host bridge: snapshot naming', () => {
  const at = Date.UTC(2026, 10, 25, 18, 48, 5)

  it('should name a pre-flight <dataset>@PRE_<node>_<slug>_<YYYYMMDD_HHMMSS> in UTC', () => {
    expect(utcStamp(at)).toBe('20261125_184805')
    expect(preflightName('tank/ct/crm', 'crm', 'Upgrade nginx to 1.27!', at)).toBe('tank/ct/crm@PRE_crm_upgrade-nginx-to-1.27_20261125_184805')
  })

  it('should slug hostile intents into safe names', () => {
    expect(intentSlug('; rm -rf / && echo')).toBe('rm-rf-echo')
    expect(intentSlug('../../..')).toBe('preflight')
    expect(intentSlug('')).toBe('preflight')
    expect(intentSlug('x'.repeat(100))).toHaveLength(32)
  })

  it('should stay unique for two requests in the same second', () => {
    const base = preflightName('tank/a', 'n', 'i', at)
    const taken = new Set([base])
    const second = uniqueName(base, (n) => taken.has(n))
    taken.add(second)
    expect(second).toBe(`${base}_2`)
    expect(uniqueName(base, (n) => taken.has(n))).toBe(`${base}_3`)
  })

  it('should map snapshot names to replicated key ids and back', () => {
    const s = 'tank/ct/crm@PRE_crm_x_20261125_184805'
    expect(snapshotId(s)).toBe('tank+ct+crm@PRE_crm_x_20261125_184805')
    expect(snapshotOfId(snapshotId(s))).toBe(s)
  })
})

describe('host bridge: zfs and lxc argument builders', () => {
  it('should build zfs argument vectors', () => {
    expect(zfsArgs.snapshotArgs('tank/a@s')).toEqual(['snapshot', 'tank/a@s'])
    expect(zfsArgs.snapshotArgs('tank/a@s', { recursive: true })).toEqual(['snapshot', '-r', 'tank/a@s'])
    expect(zfsArgs.cloneArgs('tank/t@base', 'tank/c1')).toEqual(['clone', 'tank/t@base', 'tank/c1'])
    expect(zfsArgs.rollbackArgs('tank/a@s')).toEqual(['rollback', 'tank/a@s'])
    expect(zfsArgs.rollbackArgs('tank/a@s', { destroyNewer: true })).toEqual(['rollback', '-r', 'tank/a@s'])
    expect(zfsArgs.destroySnapshotArgs('tank/a@s')).toEqual(['destroy', 'tank/a@s'])
    expect(zfsArgs.destroySnapshotArgs('tank/a@s', { deferred: true })).toEqual(['destroy', '-d', 'tank/a@s'])
    expect(zfsArgs.destroyDatasetArgs('tank/c1')).toEqual(['destroy', 'tank/c1'])
    expect(zfsArgs.listSnapshotsArgs('tank/a')).toEqual(['list', '-H', '-t', 'snapshot', '-o', 'name,userrefs', '-d', '1', 'tank/a'])
    expect(zfsArgs.listSnapshotsArgs('tank/a', { recursive: true })).toEqual(['list', '-H', '-t', 'snapshot', '-o', 'name,userrefs', '-r', 'tank/a'])
    expect(zfsArgs.holdArgs('tank/a@s')).toEqual(['hold', 'hauki-mesh', 'tank/a@s'])
    expect(zfsArgs.holdArgs('tank/a@s', { recursive: true })).toEqual(['hold', '-r', 'hauki-mesh', 'tank/a@s'])
    expect(zfsArgs.releaseArgs('tank/a@s')).toEqual(['release', 'hauki-mesh', 'tank/a@s'])
    expect(zfsArgs.getArgs('tank/a', 'mountpoint')).toEqual(['get', '-H', '-o', 'value', 'mountpoint', 'tank/a'])
  })

  it('should parse zfs list output and skip lines it would not produce', () => {
    expect(zfsArgs.parseSnapshotList('tank/a@s1\t0\ntank/a@s2\t1\ngarbage\ntank/a@-x\t0\n')).toEqual([
      { snapshot: 'tank/a@s1', dataset: 'tank/a', holds: 0 },
      { snapshot: 'tank/a@s2', dataset: 'tank/a', holds: 1 }
    ])
  })

  it('should build lxc argument vectors and a config on a cloned dataset', () => {
    expect(lxcArgs.lxcStartArgs('/var/lib/lxc', 'c1')).toEqual(['-P', '/var/lib/lxc', '-n', 'c1', '-d'])
    expect(lxcArgs.lxcStopArgs('/var/lib/lxc', 'c1', 5)).toEqual(['-P', '/var/lib/lxc', '-n', 'c1', '-t', '5'])
    expect(lxcArgs.lxcStateArgs('/var/lib/lxc', 'c1')).toEqual(['-P', '/var/lib/lxc', '-n', 'c1', '-s', '-H'])
    expect(lxcArgs.lxcWaitArgs('/var/lib/lxc', 'c1', 'RUNNING', 3)).toEqual(['-P', '/var/lib/lxc', '-n', 'c1', '-s', 'RUNNING', '-t', '3'])
    expect(lxcArgs.lxcDestroyArgs('/var/lib/lxc', 'c1')).toEqual(['-P', '/var/lib/lxc', '-n', 'c1', '-f'])
    const config = lxcArgs.lxcConfigText('c1', '/tank/c1')
    expect(config).toContain('lxc.rootfs.path = dir:/tank/c1\n')
    expect(config).toContain('lxc.net.0.type = empty\n')
    expect(() => lxcArgs.lxcStartArgs('relative', 'c1')).toThrow(InvalidNameError)
    expect(() => lxcArgs.lxcStartArgs('/var/lib/../lxc', 'c1')).toThrow(InvalidNameError)
    expect(() => lxcArgs.lxcConfigText('c1', '/x\nlxc.hook.pre-start = /bin/evil')).toThrow(InvalidNameError)
  })
})

describe('host bridge: authorization and retention', () => {
  it('should map node names, peer ids and * to roots', () => {
    const rules = ['crm=tank/ct/crm', '12D3KooWabc=tank/ct/x', '*=tank/shared'].map(parseAllowRule)
    expect(rootsFor(rules, { node: 'crm' })).toEqual(['tank/ct/crm', 'tank/shared'])
    expect(rootsFor(rules, { node: 'other', peerId: '12D3KooWabc' })).toEqual(['tank/ct/x', 'tank/shared'])
    expect(() => parseAllowRule('crm')).toThrow(/NODE=DATASET_ROOT/)
    expect(() => parseAllowRule('crm=tank/../x')).toThrow(/zfs-allow/)
  })

  it('should prune only our PRE_ snapshots beyond the newest N, per dataset, never a foreign one', () => {
    const listed = ['tank/a@manual', 'tank/a@PRE_n_x_1', 'tank/a@PRE_n_x_2', 'tank/a@PRE_n_x_3', 'tank/b@PRE_n_y_1', 'tank/a@zrepl_1']
      .map((s) => ({ snapshot: s, dataset: s.split('@')[0] as string, holds: 0 }))
    expect(pruneCandidates(listed, 2)).toEqual(['tank/a@PRE_n_x_1'])
    expect(pruneCandidates(listed, 1)).toEqual(['tank/a@PRE_n_x_1', 'tank/a@PRE_n_x_2'])
    expect(isOurs('tank/a@manual')).toBe(false)
  })
})

describe('protocols: bridge frames', () => {
  it('should round-trip requests and answers', () => {
    const req = { t: 'preflight' as const, id: 7, intent: 'upgrade', dataset: 'tank/a', critical: true, deadlineMs: 3000 }
    expect(decodeBridgeRequest(encodeBridgeRequest(req))).toEqual({ ok: true, value: req })
    const ans = { t: 'answer' as const, id: 7, status: 'cleared' as const, snapshot: 'tank/a@PRE_x', acked: ['a'], notAcked: ['b'] }
    expect(decodeBridgeAnswer(encodeBridgeAnswer(ans))).toEqual({ ok: true, value: ans })
    const denied = { t: 'answer' as const, id: 1, status: 'denied' as const, reason: 'no', newer: ['tank/a@s2'] }
    expect(decodeBridgeAnswer(encodeBridgeAnswer(denied))).toEqual({ ok: true, value: denied })
  })

  it('should reject unknown fields, wrong types and oversized frames with a reason naming the field', () => {
    expect(validateBridgeRequest({ t: 'preflight', id: 1, intent: 'x', extra: 1 })).toEqual({ ok: false, reason: 'extra: is not a known field' })
    expect(validateBridgeRequest({ t: 'rollback', id: 1, snapshot: 's', destroyNewer: 'yes' })).toEqual({ ok: false, reason: 'destroyNewer: must be a boolean' })
    expect(validateBridgeRequest({ t: 'preflight', id: 1, intent: '' })).toMatchObject({ ok: false, reason: expect.stringContaining('intent') })
    expect(decodeBridgeRequest(new Uint8Array(2 * 1024 * 1024))).toMatchObject({ ok: false, reason: expect.stringContaining('exceed the limit') })
    expect(validateBridgeRequest({ t: 'format', id: 1 })).toMatchObject({ ok: false, reason: expect.stringContaining('t: must be one of') })
  })
})
