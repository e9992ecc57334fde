/**
 * Preloaded into benchmark agent processes (`node --import`): counts the
 * bytes that pass through TCP sockets, split into the HTTP API's sockets and
 * all others (libp2p), including sockets already closed. On SIGUSR2 it prints
 * one line on stdout: `netbytes <p2pWritten> <p2pRead> <httpWritten> <httpRead>`.
 * Node loads this file itself (type stripping), so it uses erasable syntax only.
 */
import dc from 'node:diagnostics_channel'
import http from 'node:http'
import type { Socket } from 'node:net'

const live = new Map<Socket, 'p2p' | 'http'>()
const closed = { p2p: { w: 0, r: 0 }, http: { w: 0, r: 0 } }

function track (socket: Socket, kind: 'p2p' | 'http'): void {
  live.set(socket, kind)
  socket.once('close', () => {
    live.delete(socket)
    closed[kind].w += socket.bytesWritten
    closed[kind].r += socket.bytesRead
  })
}

dc.subscribe('net.client.socket', (msg) => track((msg as { socket: Socket }).socket, 'p2p'))
dc.subscribe('net.server.socket', (msg) => {
  const socket = (msg as { socket: Socket }).socket
  const server = (socket as unknown as { server?: unknown }).server
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
