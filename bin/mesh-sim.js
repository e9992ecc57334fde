#!/usr/bin/env node
// mesh-sim: loads the TypeScript source through tsx's loader (no build step)
// and runs it. The project's own tsconfig is named explicitly so that a
// tsconfig.json in the caller's working directory cannot change compilation.
//
// Large simulations run with the settings `npm run sim:bench` uses (sim/README.md):
// - semi-spaces of 256 MiB: the young generation grows only as far as a run's
//   allocation rate needs, and a 10,000-node run scavenges a fourth as often
//   as with 64 MiB (steady-10000: 646 s -> 526 s wall, same JSON);
// - GLIBC_TUNABLES=glibc.malloc.hugetlb=1: glibc's malloc asks for transparent
//   huge pages where the kernel gives them only on request (a 10,000-node run
//   touches ~8 GB of typed arrays at random); other C libraries ignore it;
// - a heap ceiling of three quarters of the machine's memory, if that is above
//   V8's default, so a big scenario is not cut short at V8's default limit.
// glibc reads its tunables when the process starts, so when the variable is not
// set yet the command runs itself once more with it (and the V8 flags) set, and
// passes on the exit code and signals. A caller who sets GLIBC_TUNABLES itself
// (to anything) runs in this process, with the semi-space size set here.
import { spawn } from 'node:child_process'
import { totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { getHeapStatistics, setFlagsFromString } from 'node:v8'

const SEMI_SPACE_MIB = 256
const HUGE_PAGES = 'glibc.malloc.hugetlb=1'

if (process.env.GLIBC_TUNABLES === undefined) {
  const MiB = 1024 * 1024
  const heapMiB = Math.max(Math.floor(getHeapStatistics().heap_size_limit / MiB), Math.floor((totalmem() * 3) / 4 / MiB))
  const args = [`--max-semi-space-size=${SEMI_SPACE_MIB}`, `--max-old-space-size=${heapMiB}`, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)]
  const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, GLIBC_TUNABLES: HUGE_PAGES } })
  // Signals sent to this process are passed on (a terminal's Ctrl-C reaches both through the process group).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal)
      process.kill(process.pid, signal)
    } else {
      process.exit(code ?? 1)
    }
  })
} else {
  setFlagsFromString(`--max-semi-space-size=${SEMI_SPACE_MIB}`)
  const { register } = await import('tsx/esm/api')
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) })
  await import('../sim/mesh-sim-main.ts')
}
