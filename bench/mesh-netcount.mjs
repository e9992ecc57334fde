/**
 * Preloaded into benchmark agent processes (`node --import`): counts the
 * bytes that pass through TCP sockets, split into the HTTP API's sockets and
 * all others (libp2p), including sockets already closed. On SIGUSR2 it prints
 * one line on stdout: `netbytes <p2pWritten> <p2pRead> <httpWritten> <httpRead>`.
 * Plain JavaScript: a TypeScript preload would make Node load its type
 * stripper into every measured agent (about 14 MB of resident memory). Node's
 * modules come from process.getBuiltinModule, not `import`: an ES-module
 * import of node:http made each agent load tls, http2, zlib and undici (7 to
 * 10 MB more resident memory in the procs benchmark's figure; see README).
 */
const dc = process.getBuiltinModule('node:diagnostics_channel')
const http = process.getBuiltinModule('node:http')

/** @type {Map<import('node:net').Socket, 'p2p' | 'http'>} */
const live = new Map()
const closed = { p2p: { w: 0, r: 0 }, http: { w: 0, r: 0 } }

/**
 * @param {import('node:net').Socket} socket
 * @param {'p2p' | 'http'} kind
 */
function track (socket, kind) {
  live.set(socket, kind)
  socket.once('close', () => {
    live.delete(socket)
    closed[kind].w += socket.bytesWritten
    closed[kind].r += socket.bytesRead
  })
}

dc.subscribe('net.client.socket', (msg) => track(/** @type {{ socket: import('node:net').Socket }} */ (msg).socket, 'p2p'))
dc.subscribe('net.server.socket', (msg) => {
  const socket = /** @type {{ socket: import('node:net').Socket }} */ (msg).socket
  const server = /** @type {{ server?: unknown }} */ (/** @type {unknown} */ (socket)).server
  track(socket, server instanceof http.Server ? 'http' : 'p2p')
})

process.on('SIGUSR2', () => {
  const t = { p2p: { ...closed.p2p }, http: { ...closed.http } }
  for (const [socket, kind] of live) {
    t[kind].w += socket.bytesWritten
    t[kind].r += socket.bytesRead
  }
  process.stdout.write(`netbytes ${t.p2p.w} ${t.p2p.r} ${t.http.w} ${t.http.r}\n`)
})
