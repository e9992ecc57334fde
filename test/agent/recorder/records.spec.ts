import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { classifyMount, detectMount, recordProblem, seal, verifyRecorder, writeAtomic, writeRecordIfNewer } from '../../../agent/recorder/index.js'

async function tmp (): Promise<string> {
  return await mkdtemp(path.join(os.tmpdir(), 'rec-unit-'))
}

describe('recorder: records', () => {
  it('should accept a sealed record and detect any change to it', () => {
    const rec = seal('snapshot', 'n1', 42, { id: 's1', value: { a: 1 } })
    expect(recordProblem(rec)).toBeUndefined()
    expect(recordProblem({ ...rec, value: { a: 2 } })).toContain('checksum')
    expect(recordProblem({ ...rec, hlc: 43 })).toContain('checksum')
    expect(recordProblem({ ...rec, schemaVersion: 99 })).toContain('newer')
    const { id: _id, ...missing } = rec
    expect(recordProblem(missing)).toContain('id: missing')
    expect(recordProblem(rec, 'live-node')).toContain('expected hauki-mesh/live-node')
  })
})

describe('recorder: atomic files', () => {
  it('should replace a file atomically and leave no temp file behind', async () => {
    const dir = await tmp()
    const target = path.join(dir, 'a.json')
    await writeAtomic(target, 'one')
    await writeAtomic(target, 'two')
    expect(await readFile(target, 'utf8')).toBe('two')
    expect(await readdir(dir)).toEqual(['a.json'])
  })

  it('should never replace a newer fact with an older one', async () => {
    const dir = await tmp()
    const target = path.join(dir, 'n.json')
    expect(await writeRecordIfNewer(target, 10, JSON.stringify(seal('peers', 'a', 10, { addrs: [] })))).toBe(true)
    expect(await writeRecordIfNewer(target, 5, JSON.stringify(seal('peers', 'b', 5, { addrs: [] })))).toBe(false)
    expect(JSON.parse(await readFile(target, 'utf8')).writer).toBe('a')
    expect(await writeRecordIfNewer(target, 11, JSON.stringify(seal('peers', 'b', 11, { addrs: [] })))).toBe(true)
    expect(JSON.parse(await readFile(target, 'utf8')).writer).toBe('b')
  })

  it('should break a lock left by a writer that died', async () => {
    const dir = await tmp()
    const target = path.join(dir, 'n.json')
    // A lock held by a pid that cannot exist on this host.
    await import('node:fs/promises').then(async (fs) => {
      await fs.mkdir(`${target}.lock`)
      await fs.mkdir(path.join(`${target}.lock`, `${os.hostname()}-999999999`))
    })
    expect(await writeRecordIfNewer(target, 1, JSON.stringify(seal('peers', 'a', 1, { addrs: [] })))).toBe(true)
  })
})

describe('recorder: verify', () => {
  it('should report torn, edited and unparsable records, and warn about temp files', async () => {
    const dir = await tmp()
    await import('node:fs/promises').then(async (fs) => {
      await fs.mkdir(path.join(dir, 'live/nodes'), { recursive: true })
      await fs.mkdir(path.join(dir, 'events'), { recursive: true })
    })
    const good = seal('snapshot', 'a', 1, { id: 'x', value: 1 })
    await import('node:fs/promises').then(async (fs) => fs.mkdir(path.join(dir, 'snapshots')))
    await writeFile(path.join(dir, 'snapshots/x.json'), JSON.stringify(good))
    expect((await verifyRecorder(dir)).ok).toBe(true)
    const text = JSON.stringify(good)
    await writeFile(path.join(dir, 'snapshots/torn.json'), text.slice(0, text.length - 10))
    await writeFile(path.join(dir, 'snapshots/edited.json'), JSON.stringify({ ...good, value: 2 }))
    await writeFile(path.join(dir, 'snapshots/.x.json.tmp-1-1'), 'partial')
    await writeFile(path.join(dir, 'events/2026-01-01.ndjson'), `${JSON.stringify(seal('event', 'a', 1, { ts: 't', event: 'member:dead', subject: 'b' }))}\n{"half`)
    const report = await verifyRecorder(dir)
    expect(report.ok).toBe(false)
    const problems = report.problems.map((p) => `${path.basename(p.file)}: ${p.problem}`).join('\n')
    expect(problems).toMatch(/torn\.json: not valid JSON/)
    expect(problems).toMatch(/edited\.json: checksum/)
    expect(problems).toMatch(/2026-01-01\.ndjson: last line is incomplete/)
    expect(report.warnings.map((w) => path.basename(w.file))).toEqual(['.x.json.tmp-1-1'])
  })
})

describe('recorder: mount detection', () => {
  const MOUNTS = [
    'sysfs /sys sysfs rw 0 0',
    '/dev/vda / ext4 rw 0 0',
    'host:/srv /mnt/meshfs fuse.sshfs rw 0 0',
    'tank/rec /tank/rec fuse.zfs rw 0 0',
    'srv:/x /mnt/nfs\\040share nfs4 rw 0 0'
  ].join('\n')

  it.each([
    ['/mnt/meshfs/live', 'fuse.sshfs', 'no-op'],
    ['/tank/rec', 'fuse.zfs', 'yes'],
    ['/mnt/nfs share/a', 'nfs4', 'yes'],
    ['/var/lib/x', 'ext4', 'yes']
  ])('should classify %s as %s', async (dir, fsType, dirFsync) => {
    const m = await detectMount(dir, MOUNTS)
    expect(m.fsType).toBe(fsType)
    expect(m.dirFsync).toBe(dirFsync)
  })

  it('should say sshfs renames are atomic only with posix-rename', () => {
    expect(classifyMount('/m', 'fuse.sshfs').atomicRename).toContain('posix-rename')
  })
})
