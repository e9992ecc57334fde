// Preloaded into `bench/rss.ts` agent processes (`node --import`): on SIGWINCH
// prints one line on stdout, `rssprobe <json>`, with process.memoryUsage()
// and V8's heap figures, so the benchmark can split resident memory into the
// JavaScript heap, external memory and the rest, and says which code
// bin/mesh-agent.js loaded (`dist` or `tsx`). Plain JavaScript on purpose:
// a .ts preload would make Node load its TypeScript stripper into every agent
// and inflate the very figure being measured. For the same reason node:v8 comes
// from process.getBuiltinModule rather than an ES-module `import` (which made
// Node load more of its own modules; see bench/mesh-netcount.mjs).
const v8 = process.getBuiltinModule('node:v8')

process.on('SIGWINCH', () => {
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size, physical: s.physical_space_size }]))
  const h = v8.getHeapStatistics()
  const heap = { mallocedMemory: h.malloced_memory, peakMallocedMemory: h.peak_malloced_memory, nativeContexts: h.number_of_native_contexts, totalPhysical: h.total_physical_size }
  const loader = globalThis[Symbol.for('hauki-mesh.loader')] ?? 'unknown'
  process.stdout.write(`rssprobe ${JSON.stringify({ usage: process.memoryUsage(), heap, spaces, loader, execArgv: process.execArgv })}\n`)
})
