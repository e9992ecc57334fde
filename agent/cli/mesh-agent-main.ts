/**
 * `mesh-agent run [flags]`: parse and validate the configuration, start the
 * agent, print its identity, and shut down cleanly on SIGTERM/SIGINT
 * (announce `left`, flush the store, exit 0 within 5 s).
 */
import { readFileSync } from 'node:fs'
import { startAgent } from '../runtime/index.js'
import { AGENT_RUN_USAGE, parseAgentArgs, wantsHelp } from './agent-config.js'
import { exitCodeOf } from './errors.js'
import { bridgeInitOf } from './bridge-settings.js'

const USAGE = AGENT_RUN_USAGE

async function main (argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === '--help' || command === '-h' || command === 'help' || (command === 'run' && wantsHelp(rest))) {
    process.stdout.write(USAGE.endsWith('\n') ? USAGE : `${USAGE}\n`)
    return 0
  }
  if (command !== 'run') {
    process.stderr.write(`mesh-agent: ${command === undefined ? 'missing command' : `unknown command "${command}"`}\n${USAGE}\n`)
    return 2
  }
  let config
  try {
    config = await parseAgentArgs(rest, process.env, (p) => readFileSync(p, 'utf8'))
  } catch (err) {
    process.stderr.write(`mesh-agent: ${(err as Error).message}\n`)
    return exitCodeOf(err)
  }
  const agent = await startAgent({ ...config, bridge: bridgeInitOf(config) })
  // A bug in one async path must not take the agent down: log it and keep serving.
  process.on('unhandledRejection', (reason) => {
    agent.runtime.counters.inc('unhandled_rejections_total')
    process.stderr.write(`${JSON.stringify({ level: 50, msg: 'unhandled rejection', err: String((reason as Error)?.stack ?? reason) })}\n`)
  })
  process.stdout.write(`peerId ${agent.runtime.peerId}\n`)
  for (const addr of agent.runtime.addrs) process.stdout.write(`listen ${addr.includes('/p2p/') ? addr : `${addr}/p2p/${agent.runtime.peerId}`}\n`)
  process.stdout.write(`api ${agent.api.url}\n`)
  return await new Promise<number>((resolve) => {
    let stopping = false
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) return
      stopping = true
      // The hard deadline: whatever happens, exit within 5 s of the signal.
      setTimeout(() => resolve(0), 5_000).unref()
      agent.stop().then(() => resolve(0), (err: Error) => {
        process.stderr.write(`mesh-agent: error while stopping after ${signal}: ${err.message}\n`)
        resolve(1)
      })
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  })
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: Error) => {
  process.stderr.write(`mesh-agent: ${err.stack ?? err.message}\n`)
  process.exit(1)
})
