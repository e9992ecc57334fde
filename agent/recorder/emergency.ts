/**
 * Emergency bootstrap: an agent with an empty store and no --bootstrap finds
 * peers in the recorder (`bootstrap/peers.json` and the addresses in
 * `live/nodes/*.json` of nodes not recorded dead or left).
 */
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { RECORD_BYTES_MAX } from './constants.js'
import { recordProblem } from './records.js'

const NODE_FILES_MAX = 20_000

async function readRecord (file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const text = await readFile(file, 'utf8')
    if (text.length > RECORD_BYTES_MAX) return undefined
    const rec = JSON.parse(text) as unknown
    return recordProblem(rec) === undefined ? rec as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

function dialable (addr: unknown, peerId: unknown): string | undefined {
  if (typeof addr !== 'string') return undefined
  if (addr.includes('/p2p/')) return addr
  return typeof peerId === 'string' ? `${addr}/p2p/${peerId}` : undefined
}

/** Multiaddrs (with /p2p/) of peers the recorder knows, excluding `selfPeerId`. Invalid records are skipped. */
export async function peersFromRecorder (dir: string, selfPeerId: string): Promise<string[]> {
  const found = new Set<string>()
  const peers = await readRecord(path.join(dir, 'bootstrap', 'peers.json'))
  if (Array.isArray(peers?.addrs)) for (const a of peers.addrs) if (typeof a === 'string' && a.includes('/p2p/')) found.add(a)
  const nodesDir = path.join(dir, 'live', 'nodes')
  const names = (await readdir(nodesDir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).slice(0, NODE_FILES_MAX)
  for (const name of names) {
    const rec = await readRecord(path.join(nodesDir, name))
    if (rec === undefined || rec.status === 'DEAD' || rec.status === 'LEFT' || !Array.isArray(rec.addrs)) continue
    for (const a of rec.addrs) {
      const addr = dialable(a, rec.peerId)
      if (addr !== undefined) found.add(addr)
    }
  }
  return [...found].filter((a) => !a.endsWith(`/p2p/${selfPeerId}`)).sort()
}
