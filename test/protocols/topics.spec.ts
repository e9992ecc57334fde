import { describe, expect, it } from 'vitest'
import { BARRIER_PROTOCOL, BRIDGE_PROTOCOL, CHANNELS, GOSSIP_TOPIC, GOSSIP_VERSION, PROBE_PROTOCOL, PROTOCOLS, SYNC_PROTOCOL, TOPICS, isGossipTopic, topicFor } from '../../protocols/index.js'

describe('protocols: names', () => {
  it.each(['membership', 'heartbeat', 'delta'] as const)('should publish channel %s on the one gossip topic', (channel) => {
    expect(topicFor(channel)).toBe('hauki/2')
    expect(TOPICS[channel]).toBe(GOSSIP_TOPIC)
  })

  it('should carry the gossip message version in the topic name', () => {
    expect(GOSSIP_TOPIC.endsWith(`/${GOSSIP_VERSION}`)).toBe(true)
  })

  it('should know only its own topic', () => {
    expect(isGossipTopic(GOSSIP_TOPIC)).toBe(true)
    expect(isGossipTopic('hauki-mesh/delta/1')).toBe(false)
    expect(isGossipTopic('__proto__')).toBe(false)
  })

  it('should list every channel once', () => {
    expect([...CHANNELS].sort()).toEqual(Object.keys(TOPICS).sort())
  })

  it('should name the stream protocols with versions', () => {
    expect(SYNC_PROTOCOL).toBe('/hauki-mesh/sync/2.0.0')
    expect(PROBE_PROTOCOL).toBe('/hauki-mesh/probe/1.0.0')
    expect(BRIDGE_PROTOCOL).toBe('/hauki-mesh/bridge/1.0.0')
    expect(PROTOCOLS).toEqual({ sync: SYNC_PROTOCOL, probe: PROBE_PROTOCOL, bridge: BRIDGE_PROTOCOL, barrier: BARRIER_PROTOCOL })
  })

  it('should freeze the name tables', () => {
    expect(Object.isFrozen(TOPICS)).toBe(true)
    expect(Object.isFrozen(PROTOCOLS)).toBe(true)
  })
})
