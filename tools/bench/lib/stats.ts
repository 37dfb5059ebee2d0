/** Nearest-rank percentiles of latencies in ms. */
export interface Percentiles {
  readonly count: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? 0 }
}

/** 1234567 → "1,234,567". */
export const n = (value: number): string => Math.round(value).toLocaleString('en-US')

/** A plain text table: the first row is the header, columns left-aligned except numbers. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)))
  const numeric = (s: string) => /^[\d.,%×~ -]+(ms|s|MB\/s|cores)?$/.test(s)
  return rows
    .map((row, r) =>
      row
        .map((cell, c) => (r > 0 && numeric(cell) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}
