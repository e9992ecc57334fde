/**
 * Process entry of `meshctl` (loaded by bin/meshctl.js): real argv, env,
 * stdio and fetch. The exit code is set, not forced, so buffered output is
 * flushed before the process ends.
 */
import { runMeshctl } from './meshctl.js'

process.exitCode = await runMeshctl(process.argv.slice(2), {
  env: process.env,
  stdout: (s) => { process.stdout.write(s) },
  stderr: (s) => { process.stderr.write(s) },
  fetch: globalThis.fetch
})
