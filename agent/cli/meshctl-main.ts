/**
 * Process entry of `meshctl` (loaded by bin/meshctl.js): real argv, env,
 * stdio and fetch. The exit code is set, not forced, so buffered output is
 * flushed before the process ends.
 */
import { runMeshctl } from './meshctl.js'

// The first Ctrl-C ends a streaming command (`events --follow`) cleanly; a second one kills.
const interrupted = new AbortController()
const onSignal = (): void => {
  if (interrupted.signal.aborted) process.exit(130)
  interrupted.abort()
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

process.exitCode = await runMeshctl(process.argv.slice(2), {
  signal: interrupted.signal,
  env: process.env,
  stdout: (s) => { process.stdout.write(s) },
  stderr: (s) => { process.stderr.write(s) },
  fetch: globalThis.fetch
})
process.off('SIGINT', onSignal)
process.off('SIGTERM', onSignal)
