/**
 * Tiny inline-SVG charts for the HTML report: no scripts, no external assets,
 * so the file opens offline anywhere. Each function returns one <svg>.
 */

export interface Series { label: string, color: string, points: [number, number][] }

export interface ChartInit {
  title: string
  xLabel: string
  yLabel: string
  width?: number
  height?: number
  yMax?: number
}

const W = 900
const H = 260
const PAD = { l: 70, r: 20, t: 30, b: 45 }

export function esc (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function niceMax (x: number): number {
  if (x <= 0) return 1
  const p = Math.pow(10, Math.floor(Math.log10(x)))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p
  return 10 * p
}

function fmt (x: number): string {
  if (Math.abs(x) >= 1e6) return `${(x / 1e6).toFixed(1)}M`
  if (Math.abs(x) >= 1e3) return `${(x / 1e3).toFixed(1)}k`
  if (Number.isInteger(x)) return String(x)
  return Math.abs(x) < 0.1 ? String(Number(x.toPrecision(2))) : x.toFixed(2)
}

function frame (init: ChartInit, xMax: number, yMax: number, body: string): string {
  const w = init.width ?? W
  const h = init.height ?? H
  const iw = w - PAD.l - PAD.r
  const ih = h - PAD.t - PAD.b
  const ticks: string[] = []
  for (let i = 0; i <= 4; i++) {
    const y = PAD.t + ih - (i / 4) * ih
    ticks.push(`<line x1="${PAD.l}" x2="${PAD.l + iw}" y1="${y}" y2="${y}" stroke="#e5e5e5"/><text x="${PAD.l - 6}" y="${y + 4}" text-anchor="end" font-size="11">${fmt((i / 4) * yMax)}</text>`)
    const x = PAD.l + (i / 4) * iw
    ticks.push(`<text x="${x}" y="${PAD.t + ih + 16}" text-anchor="middle" font-size="11">${fmt((i / 4) * xMax)}</text>`)
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif">` +
    `<text x="${PAD.l}" y="18" font-size="14" font-weight="bold">${esc(init.title)}</text>${ticks.join('')}` +
    `<line x1="${PAD.l}" x2="${PAD.l}" y1="${PAD.t}" y2="${PAD.t + ih}" stroke="#333"/><line x1="${PAD.l}" x2="${PAD.l + iw}" y1="${PAD.t + ih}" y2="${PAD.t + ih}" stroke="#333"/>` +
    `<text x="${PAD.l + iw / 2}" y="${h - 8}" text-anchor="middle" font-size="12">${esc(init.xLabel)}</text>` +
    `<text x="14" y="${PAD.t + ih / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${PAD.t + ih / 2})">${esc(init.yLabel)}</text>${body}</svg>`
}

/** Line chart of one or more series sharing axes. */
export function lineChart (init: ChartInit, series: Series[]): string {
  const all = series.flatMap((s) => s.points)
  if (all.length === 0) return frame(init, 1, 1, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="13">no data</text>`)
  const xMax = niceMax(Math.max(...all.map((p) => p[0])))
  const yMax = init.yMax ?? niceMax(Math.max(...all.map((p) => p[1])))
  const iw = (init.width ?? W) - PAD.l - PAD.r
  const ih = (init.height ?? H) - PAD.t - PAD.b
  const body = series.map((s, i) => {
    const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${(PAD.l + (p[0] / xMax) * iw).toFixed(1)},${(PAD.t + ih - (Math.min(p[1], yMax) / yMax) * ih).toFixed(1)}`).join('')
    return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/><rect x="${PAD.l + 10 + i * 170}" y="${PAD.t + 4}" width="10" height="10" fill="${s.color}"/><text x="${PAD.l + 24 + i * 170}" y="${PAD.t + 13}" font-size="11">${esc(s.label)}</text>`
  }).join('')
  return frame(init, xMax, yMax, body)
}

/** Scatter chart (one dot per point). */
export function scatterChart (init: ChartInit, s: Series): string {
  if (s.points.length === 0) return frame(init, 1, 1, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="13">no data</text>`)
  const xMax = niceMax(Math.max(...s.points.map((p) => p[0])))
  const yMax = init.yMax ?? niceMax(Math.max(...s.points.map((p) => p[1])))
  const iw = (init.width ?? W) - PAD.l - PAD.r
  const ih = (init.height ?? H) - PAD.t - PAD.b
  const dots = s.points.map((p) => `<circle cx="${(PAD.l + (p[0] / xMax) * iw).toFixed(1)}" cy="${(PAD.t + ih - (Math.min(p[1], yMax) / yMax) * ih).toFixed(1)}" r="2" fill="${s.color}"/>`).join('')
  return frame(init, xMax, yMax, dots)
}

/** Bar chart of [bucketStart, count] pairs with a fixed bucket width. */
export function barChart (init: ChartInit, buckets: [number, number][], widthX: number, color: string): string {
  if (buckets.length === 0) return frame(init, 1, 1, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="13">no crash was detected in this run</text>`)
  const xMax = niceMax(Math.max(...buckets.map((b) => b[0])) + widthX)
  const yMax = niceMax(Math.max(...buckets.map((b) => b[1])))
  const iw = (init.width ?? W) - PAD.l - PAD.r
  const ih = (init.height ?? H) - PAD.t - PAD.b
  const bw = Math.max(1, (widthX / xMax) * iw - 1)
  const bars = buckets.map(([x, c]) => {
    const h = (c / yMax) * ih
    return `<rect x="${(PAD.l + (x / xMax) * iw).toFixed(1)}" y="${(PAD.t + ih - h).toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"><title>${x} s: ${c}</title></rect>`
  }).join('')
  return frame(init, xMax, yMax, bars)
}
