import { describe, expect, it } from 'vitest'
import { formatAge, formatRtt, renderTable } from '../../../agent/cli/format.js'
import { formatCapabilities } from '../../../agent/cli/status.js'

describe('meshctl formatting', () => {
  it.each([
    [null, '-'], [undefined, '-'], ['800', '-'], [-1, '-'], [Number.NaN, '-'],
    [0, '0.0s'], [800, '0.8s'], [9_940, '9.9s'], [42_500, '42s'], [125_000, '2m'], [7_200_000, '2h'], [3 * 86_400_000, '3d']
  ])('should render a heartbeat age of %j ms as %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text)
  })

  it.each([
    [null, '-'], [0.42, '0.4ms'], [1.234, '1.2ms'], [99.94, '99.9ms'], [230.4, '230ms'], [1_234, '1.2s']
  ])('should render an RTT of %j ms as %s', (ms, text) => {
    expect(formatRtt(ms)).toBe(text)
  })

  it.each([
    [null, '-'],
    [{}, '-'],
    [{ role: 'host', labels: {}, services: [] }, '-'],
    [{ role: 'host', labels: { zone: 'hel1', gpu: 'no' }, services: ['http'] }, 'gpu=no,zone=hel1 services:http'],
    [{ zone: 'hel1', cores: 8, nested: { x: 1 } }, 'cores=8,zone=hel1']
  ])('should render capabilities %j as %s', (caps, text) => {
    expect(formatCapabilities(caps)).toBe(text)
  })

  it('should align columns without trailing spaces', () => {
    expect(renderTable(['A', 'LONGER', 'C'], [['xxx', 'y', ''], ['z', 'w', 'v']])).toBe('A    LONGER  C\nxxx  y\nz    w       v\n')
  })
})
