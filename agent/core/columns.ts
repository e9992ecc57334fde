/**
 * Typed-array columns: the compact per-id state of the replica, the member
 * table, the name table and the simulator keeps its numbers in them.
 */
export type Column = Float64Array | Uint32Array | Int32Array | Uint8Array

/** A copy of `column` of `length` elements (at least as long as `column`), the new ones zero. */
export function grown<C extends Column> (column: C, length: number): C {
  const bigger = new (column.constructor as new (length: number) => C)(length)
  bigger.set(column)
  return bigger
}
