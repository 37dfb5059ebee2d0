/**
 * Line charts as hand-written SVG, pure: panels stacked on one shared time axis, one polyline per
 * series, "nice" ticks, a legend per panel. No native dependencies: the benchmark's chart of throughput
 * and lag over time is a text file any browser opens.
 */

/** One line: `[x, y]` points in x order (x in seconds since the start of the run). */
export interface Series {
  readonly name: string
  readonly points: readonly (readonly [number, number])[]
  /** A background line (grey, dashed) instead of one of the palette's colours. */
  readonly muted?: boolean
}

/** One chart of the stack: its title, what the y axis counts, its lines. */
export interface Panel {
  readonly title: string
  readonly yLabel: string
  readonly series: readonly Series[]
}

export interface ChartOptions {
  readonly title: string
  readonly xLabel: string
  readonly width?: number
  readonly panelHeight?: number
}

/** Colours that stay apart for the usual 4–8 lines (Tableau 10). */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7']
const MUTED = '#999'
const MARGIN = { left: 70, right: 200, top: 34, bottom: 36 }
const TITLE_HEIGHT = 30

/**
 * Round tick values from 0 to at least `max`: steps of 1, 2, 2.5 or 5 times a power of ten, about
 * `count` of them. A `max` of 0 or less gives [0, 1] so an empty panel still has an axis.
 */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1]
  const raw = max / count
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power
  const ticks: number[] = []
  for (let i = 0; ; i++) {
    const value = Number((i * step).toPrecision(12))
    ticks.push(value)
    if (value >= max) return ticks
  }
}

/** 950 → "950", 12500 → "12.5k", 2000000 → "2M". */
export function compact(value: number): string {
  const abs = Math.abs(value)
  const [div, suffix] = abs >= 1e6 ? [1e6, 'M'] : abs >= 1e3 ? [1e3, 'k'] : [1, '']
  return `${Number((value / div).toPrecision(3))}${suffix}`
}

/** Text content and attribute values must not break the XML. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

const fixed = (n: number) => Number(n.toFixed(1))

/** The whole chart as one SVG document. */
export function chartSvg(panels: readonly Panel[], o: ChartOptions): string {
  const width = o.width ?? 960
  const panelHeight = o.panelHeight ?? 300
  const height = TITLE_HEIGHT + panels.length * panelHeight
  const xMax = Math.max(1, ...panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([x]) => x))))
  const xTicks = niceTicks(xMax, 10)
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(o.title)}</text>`,
  ]
  panels.forEach((panel, i) => {
    parts.push(
      panelSvg(panel, { top: TITLE_HEIGHT + i * panelHeight, width, height: panelHeight, xTicks }, o),
    )
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

interface Frame {
  readonly top: number
  readonly width: number
  readonly height: number
  readonly xTicks: readonly number[]
}

function panelSvg(panel: Panel, f: Frame, o: ChartOptions): string {
  const x0 = MARGIN.left
  const x1 = f.width - MARGIN.right
  const y0 = f.top + f.height - MARGIN.bottom
  const y1 = f.top + MARGIN.top
  const xMax = f.xTicks.at(-1)!
  const yTicks = niceTicks(Math.max(0, ...panel.series.flatMap((s) => s.points.map(([, y]) => y))))
  const yMax = yTicks.at(-1)!
  const sx = (x: number) => fixed(x0 + (x / xMax) * (x1 - x0))
  const sy = (y: number) => fixed(y0 - (y / yMax) * (y0 - y1))
  const out = [
    `<g class="panel">`,
    `<text x="${x0}" y="${f.top + 20}" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`,
  ]
  for (const t of yTicks) {
    out.push(
      `<line x1="${x0}" x2="${x1}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e5e5"/>`,
      `<text x="${x0 - 6}" y="${sy(t) + 4}" text-anchor="end">${compact(t)}</text>`,
    )
  }
  for (const t of f.xTicks) {
    out.push(
      `<line x1="${sx(t)}" x2="${sx(t)}" y1="${y0}" y2="${y0 + 4}" stroke="#333"/>`,
      `<text x="${sx(t)}" y="${y0 + 16}" text-anchor="middle">${compact(t)}</text>`,
    )
  }
  out.push(
    `<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}" stroke="#333"/>`,
    `<line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y1}" stroke="#333"/>`,
    `<text x="${(x0 + x1) / 2}" y="${y0 + 31}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`,
    `<text transform="translate(${x0 - 52} ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`,
  )
  let coloured = 0
  panel.series.forEach((s, i) => {
    const colour = s.muted ? MUTED : PALETTE[coloured++ % PALETTE.length]
    const dash = s.muted ? ' stroke-dasharray="4 3"' : ''
    const points = s.points.map(([x, y]) => `${sx(x)},${sy(y)}`).join(' ')
    if (s.points.length > 0)
      out.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.6"${dash} points="${points}"/>`)
    const ly = y1 + i * 18
    out.push(
      `<line x1="${x1 + 14}" x2="${x1 + 34}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${x1 + 40}" y="${ly + 4}">${escapeXml(s.name)}</text>`,
    )
  })
  out.push('</g>')
  return out.join('\n')
}
