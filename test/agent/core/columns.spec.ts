import { describe, expect, it } from 'vitest'
import { grown } from '../../../agent/core/columns.js'

describe('grown', () => {
  it('should copy a column into a longer one of the same type, the new elements zero', () => {
    const ints = grown(Int32Array.from([3, -1, 7]), 5)
    expect(ints).toBeInstanceOf(Int32Array)
    expect([...ints]).toEqual([3, -1, 7, 0, 0])
    const floats = grown(Float64Array.from([0.5, 2 ** 40]), 3)
    expect(floats).toBeInstanceOf(Float64Array)
    expect([...floats]).toEqual([0.5, 2 ** 40, 0])
    const bytes = Uint8Array.from([255])
    const copy = grown(bytes, 1)
    copy[0] = 1
    expect(bytes[0]).toBe(255)
  })
})
