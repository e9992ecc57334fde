/**
 * One contract, two backends: the `dir` backend must behave like `zfs` in
 * everything the executor relies on (order, holds, deferred destroy,
 * rollback refusal, clones), so a demo on folders tells the truth about
 * production on ZFS.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRunner, dirBackend, zfsBackend } from '../../host-bridge/index.js'
import type { Backend } from '../../host-bridge/index.js'
import { bridgeSkipReason, createBridgePool, sh } from '../helpers/bridge.js'
import type { BridgePool } from '../helpers/bridge.js'

interface Fixture { backend: Backend, root: string, makeDataset: (ds: string) => void, close: () => void }

const zfsSkip = bridgeSkipReason()

const FIXTURES: Array<[string, string | undefined, () => Fixture]> = [
  ['zfs', zfsSkip, () => {
    const zp: BridgePool = createBridgePool('bc')
    return { backend: zfsBackend({ runner: createRunner() }), root: zp.root, makeDataset: (ds) => { sh('zfs', ['create', ds]) }, close: () => zp.destroy() }
  }],
  ['dir', undefined, () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bridge-bc-'))
    return { backend: dirBackend({ root: dir }), root: 'tank/ct', makeDataset: (ds) => { mkdirSync(path.join(dir, ds), { recursive: true }) }, close: () => rmSync(dir, { recursive: true, force: true }) }
  }]
]

describe.each(FIXTURES)('host bridge backend contract: %s', (_kind, skip, make) => {
  let f: Fixture
  const ds = (name: string): string => `${f.root}/${name}`
  const file = async (dataset: string): Promise<string> => path.join(await f.backend.mountpoint(dataset), 'state.txt')

  beforeAll(() => { if (skip === undefined) f = make() })
  afterAll(() => f?.close())

  it.skipIf(skip !== undefined)('should list snapshots oldest first with their holds, and refuse a name twice', async () => {
    f.makeDataset(ds('a'))
    for (const s of ['s2', 's1', 's3']) await f.backend.snapshot(`${ds('a')}@${s}`, { recursive: false })
    await f.backend.hold(`${ds('a')}@s1`, { recursive: false })
    expect(await f.backend.list(ds('a'), { recursive: false })).toEqual([
      { snapshot: `${ds('a')}@s2`, dataset: ds('a'), holds: 0 },
      { snapshot: `${ds('a')}@s1`, dataset: ds('a'), holds: 1 },
      { snapshot: `${ds('a')}@s3`, dataset: ds('a'), holds: 0 }
    ])
    await expect(f.backend.snapshot(`${ds('a')}@s1`, { recursive: false })).rejects.toThrow(/exists/)
    expect(await f.backend.exists(ds('a'))).toBe(true)
    expect(await f.backend.exists(ds('nope'))).toBe(false)
  })

  it.skipIf(skip !== undefined)('should refuse to destroy a held snapshot, defer it on request, and destroy it at release', async () => {
    await expect(f.backend.destroySnapshot(`${ds('a')}@s1`, { deferred: false })).rejects.toThrow(/busy/)
    await f.backend.destroySnapshot(`${ds('a')}@s1`, { deferred: true })
    expect((await f.backend.list(ds('a'), { recursive: false })).map((s) => s.snapshot)).toContain(`${ds('a')}@s1`)
    await f.backend.release(`${ds('a')}@s1`, { recursive: false })
    expect((await f.backend.list(ds('a'), { recursive: false })).map((s) => s.snapshot)).toEqual([`${ds('a')}@s2`, `${ds('a')}@s3`])
  })

  it.skipIf(skip !== undefined)('should refuse a rollback past newer snapshots unless told to destroy them, and restore the content', async () => {
    f.makeDataset(ds('b'))
    writeFileSync(await file(ds('b')), 'one\n')
    await f.backend.snapshot(`${ds('b')}@one`, { recursive: false })
    writeFileSync(await file(ds('b')), 'two\n')
    await f.backend.snapshot(`${ds('b')}@two`, { recursive: false })
    await expect(f.backend.rollback(`${ds('b')}@one`, { destroyNewer: false })).rejects.toThrow(/more recent snapshots exist/)
    await f.backend.rollback(`${ds('b')}@one`, { destroyNewer: true })
    expect(readFileSync(await file(ds('b')), 'utf8')).toBe('one\n')
    expect((await f.backend.list(ds('b'), { recursive: false })).map((s) => s.snapshot)).toEqual([`${ds('b')}@one`])
  })

  it.skipIf(skip !== undefined)('should clone a snapshot into a new dataset with its content, and destroy the clone', async () => {
    await f.backend.clone(`${ds('b')}@one`, ds('c'))
    expect(readFileSync(await file(ds('c')), 'utf8')).toBe('one\n')
    await expect(f.backend.clone(`${ds('b')}@one`, ds('c'))).rejects.toThrow(/exists/)
    await f.backend.destroyDataset(ds('c'))
    expect(await f.backend.exists(ds('c'))).toBe(false)
  })
})
