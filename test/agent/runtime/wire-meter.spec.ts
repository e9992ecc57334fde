/**
 * The wire meter's counting iterator: exact counts over sync and async
 * sources, and ending or failing it reaches the source it wraps.
 */
import { pushable } from 'it-pushable'
import { describe, expect, it } from 'vitest'
import { counted } from '../../../agent/runtime/wire-meter.js'

const chunks = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => new Uint8Array(1 + i % 17))

async function collect (source: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = []
  for await (const c of source) out.push(c)
  return out
}

describe('runtime: wire meter: counted', () => {
  it.each([
    ['an array', (c: Uint8Array[]) => c],
    ['a sync generator', (c: Uint8Array[]) => (function * () { yield * c })()],
    ['an async generator', (c: Uint8Array[]) => (async function * () { yield * c })()]
  ])('should pass on every chunk of %s and count its bytes exactly', async (_name, make) => {
    const input = chunks(100)
    let bytes = 0
    let calls = 0
    const out = await collect(counted(make(input), (n) => { bytes += n; calls++ }))
    expect(out).toEqual(input)
    expect(bytes).toBe(input.reduce((s, c) => s + c.byteLength, 0))
    expect(calls).toBe(100)
  })

  it('should count a chunk when it is pulled, not before', async () => {
    const queue = pushable()
    let bytes = 0
    const it = counted(queue, (n) => { bytes += n })
    queue.push(new Uint8Array(5))
    queue.push(new Uint8Array(7))
    expect(bytes).toBe(0)
    await it.next()
    expect(bytes).toBe(5)
    await it.next()
    expect(bytes).toBe(12)
  })

  it('should end the source it wraps when the reader stops early', async () => {
    const queue = pushable()
    queue.push(new Uint8Array(3))
    queue.push(new Uint8Array(4))
    let bytes = 0
    for await (const _c of counted(queue, (n) => { bytes += n })) break
    expect(bytes).toBe(3)
    // The queue was ended by the break: it yields nothing more.
    expect((await queue.next()).done).toBe(true)
  })

  it('should pass the source\'s failure on', async () => {
    const queue = pushable()
    queue.push(new Uint8Array(3))
    queue.end(new Error('connection reset'))
    await expect(collect(counted(queue, () => {}))).rejects.toThrow('connection reset')
  })

  it('should end a source that cannot be thrown into when the reader throws into it', async () => {
    let returned = false
    const source: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ done: false, value: new Uint8Array(1) }),
        return: async () => { returned = true; return { done: true, value: undefined } }
      })
    }
    const it = counted(source, () => {})
    await it.next()
    await expect(it.throw?.(new Error('stop'))).rejects.toThrow('stop')
    expect(returned).toBe(true)
  })
})
