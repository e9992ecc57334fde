/**
 * Preloaded into benchmark agent processes (`node --import`): counts the
 * bytes that pass through TCP sockets, split into the HTTP API's sockets and
 * all others (libp2p), including sockets already closed. On SIGUSR2 it prints
 * one line on stdout: `netbytes <p2pWritten> <p2pRead> <httpWritten> <httpRead>`.
 * Plain JavaScript: a TypeScript preload would make Node load its type
 * stripper into every measured agent (about 14 MB of resident memory).
 */
import dc from 'node:diagnostics_channel'
import http from 'node:http'

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
