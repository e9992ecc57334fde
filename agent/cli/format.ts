/**
 * Pure text rendering helpers for `meshctl` tables. Values come from the
 * network, so every renderer accepts `unknown` and prints `-` for anything
 * missing or malformed rather than failing the whole table.
 */

/** Replaces control characters, so a peer-supplied string cannot move the cursor or recolour the terminal. */
export function sanitize (s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
}

/** A scalar rendered for a table cell; `-` for anything else. */
export function cell (x: unknown): string {
  if (typeof x === 'string') return x === '' ? '-' : sanitize(x)
  if (typeof x === 'number' && Number.isFinite(x)) return String(x)
  if (typeof x === 'boolean') return String(x)
  return '-'
}

/** How long ago: `0.8s`, `12s`, `2m`, `3h`, `4d`, or `-` when unknown. */
export function formatAge (ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '-'
  if (ms < 10_000) return `${(Math.round(ms / 100) / 10).toFixed(1)}s`
  if (ms < 60_000) return `${Math.floor(ms / 1000)}s`
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m`
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)}h`
  return `${Math.floor(ms / 86_400_000)}d`
}

/** A round-trip time: `0.4ms`, `12.5ms`, `230ms`, `1.2s`, or `-` when unknown. */
export function formatRtt (ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '-'
  if (ms < 100) return `${ms.toFixed(1)}ms`
  if (ms < 1000) return `${Math.round(ms)}ms`
  return `${(ms / 1000).toFixed(1)}s`
}

/** Left-aligned columns two spaces apart; the last column is not padded, so lines carry no trailing spaces. */
export function renderTable (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n'
}
