/** Start agents in this process (real libp2p on loopback, real LevelDB), each bootstrapping from the first. */
import { join } from 'node:path'
import pino from 'pino'
import { startAgent } from '../agent/runtime/index.js'
import type { RunningAgent } from '../agent/runtime/index.js'

/** Start `count` agents named `<prefix>-00`, ... with data folders under `root`; pushes each to `into` as it starts, so a caller can stop the ones that did. */
export async function startInProcessAgents (root: string, count: number, prefix: string, into: RunningAgent[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const first = into[0]?.runtime
    const firstAddr = first?.addrs.find((a) => a.includes('/tcp/'))
    const bootstrap = first === undefined || firstAddr === undefined ? [] : [firstAddr.includes('/p2p/') ? firstAddr : `${firstAddr}/p2p/${first.peerId}`]
    into.push(await startAgent({
      name: `${prefix}-${String(i).padStart(2, '0')}`,
      dataDir: join(root, `a${i}`),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap,
      api: { host: '127.0.0.1', port: 0 },
      role: 'container',
      heartbeatMs: 1000,
      caps: {},
      log: pino({ level: 'silent' })
    }))
  }
}
