import { describe, expect, it } from 'vitest'
import { BARRIER_PROTOCOL, BRIDGE_PROTOCOL, CHANNELS, PROBE_PROTOCOL, PROTOCOLS, SYNC_PROTOCOL, TOPICS, channelOfTopic, topicFor } from '../../protocols/index.js'

describe('protocols: names', () => {
  it.each([
    ['membership', 'hauki-mesh/membership/1'],
    ['heartbeat', 'hauki-mesh/heartbeat/1'],
    ['delta', 'hauki-mesh/delta/1']
  ] as const)('should publish channel %s on topic %s', (channel, topic) => {
    expect(topicFor(channel)).toBe(topic)
    expect(TOPICS[channel]).toBe(topic)
    expect(channelOfTopic(topic)).toBe(channel)
  })

  it('should know no channel for a foreign topic', () => {
    expect(channelOfTopic('hauki-mesh/delta/2')).toBeUndefined()
    expect(channelOfTopic('__proto__')).toBeUndefined()
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
