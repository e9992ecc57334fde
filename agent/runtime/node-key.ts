/**
 * The node's libp2p identity: an Ed25519 key kept in the data folder
 * (`peer.key`, protobuf-encoded, mode 0600). The PeerId derives from it, so
 * a restarted agent keeps its PeerId.
 */
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises'
import path from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'

export const NODE_KEY_FILE = 'peer.key'

export async function loadOrCreateNodeKey (dataDir: string): Promise<PrivateKey> {
  const file = path.join(dataDir, NODE_KEY_FILE)
  try {
    return privateKeyFromProtobuf(await readFile(file))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`cannot read node key ${file}: ${(err as Error).message}`, { cause: err })
    }
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const key = await generateKeyPair('Ed25519')
  const tmp = `${file}.tmp-${process.pid}`
  await writeFile(tmp, privateKeyToProtobuf(key), { mode: 0o600, flush: true })
  await rename(tmp, file)
  return key
}
