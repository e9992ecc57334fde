/**
 * Typed-array columns: the compact per-id state of the replica, the member
 * table, the name table and the simulator keeps its numbers in them.
 */
export type Column = Float64Array | Uint32Array | Int32Array | Uint8Array

export type ColumnKind<C extends Column> = new (length: number) => C

/**
 * Makes a zeroed column of `length` elements of `kind`, as `new kind(length)`
 * does: for whoever owns the memory of the columns of every replica and
 * member table sharing a NameTable (see NameTable.makeColumn).
 */
export type ColumnMaker = <C extends Column>(kind: ColumnKind<C>, length: number) => C

/** A zeroed column, made by `make` when there is one. */
export function newColumn<C extends Column> (kind: ColumnKind<C>, length: number, make?: ColumnMaker): C {
  return make === undefined ? new kind(length) : make(kind, length)
}

/** A copy of `column` of `length` elements (at least as long as `column`), the new ones zero. */
export function grown<C extends Column> (column: C, length: number, make?: ColumnMaker): C {
  const bigger = newColumn(column.constructor as ColumnKind<C>, length, make)
  bigger.set(column)
  return bigger
}
