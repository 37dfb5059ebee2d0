/** The counters the dashboard shows, read from a service's Prometheus text. */
export interface ServiceCounters {
  readonly recordsIn: number
  readonly recordsOut: number
  readonly deadLetters: ReadonlyMap<string, number>
  readonly extra: ReadonlyMap<string, number>
  /** The lake-writer's snapshots and rows committed, per table. */
  readonly tables: ReadonlyMap<string, { commits: number; rows: number }>
}

const LINE = /^(healthstream_[a-z_]+)(?:\{([^}]*)\})? ([0-9.e+-]+)$/

/** Parses the healthstream_* counters out of a /metrics body. */
export function parseCounters(text: string): ServiceCounters {
  let recordsIn = 0
  let recordsOut = 0
  const deadLetters = new Map<string, number>()
  const extra = new Map<string, number>()
  const tables = new Map<string, { commits: number; rows: number }>()
  const table = (labels: string) => {
    const name = /table="([^"]+)"/.exec(labels)?.[1] ?? '?'
    const entry = tables.get(name) ?? { commits: 0, rows: 0 }
    tables.set(name, entry)
    return entry
  }
  for (const line of text.split('\n')) {
    const m = LINE.exec(line)
    if (!m) continue
    const [, name, labels = '', raw] = m
    const value = Number(raw)
    if (name === 'healthstream_records_in_total') recordsIn += value
    else if (name === 'healthstream_records_out_total') recordsOut += value
    else if (name === 'healthstream_dead_letters_total') {
      const reason = /reason="([^"]+)"/.exec(labels)?.[1] ?? '?'
      deadLetters.set(reason, (deadLetters.get(reason) ?? 0) + value)
    } else if (name === 'healthstream_lake_commit_seconds_count') table(labels).commits += value
    else if (name === 'healthstream_lake_rows_committed_total') table(labels).rows += value
    else if (name!.endsWith('_total')) extra.set(name!, (extra.get(name!) ?? 0) + value)
  }
  return { recordsIn, recordsOut, deadLetters, extra, tables }
}
