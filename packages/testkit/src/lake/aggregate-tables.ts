/**
 * The three aggregate tables read back and each checked against the windows computed from the ground
 * truth, at one final watermark (a whole-chain test that drained its input ends there).
 */
import { checkAggregates, type ExpectedWindow, GRANULARITIES, type Granularity } from './invariants.ts'
import { type Row, readTable, type TableRef } from './reader.ts'

export interface AggregateTableCheck {
  readonly violations: string[]
  readonly rows: number
  readonly finals: number
  readonly windows: number
  /** The table's rows, sorted by user, data type and window start. */
  readonly read: readonly Row[]
}

export async function checkAggregateTables(options: {
  readonly ref: (table: string) => TableRef
  readonly expected: ReadonlyMap<string, ExpectedWindow>
  readonly lateness: Readonly<Record<Granularity, number>>
  /** Where the aggregator's watermark ended (µs). */
  readonly watermark: number
}): Promise<Record<Granularity, AggregateTableCheck>> {
  const out = {} as Record<Granularity, AggregateTableCheck>
  const { watermark } = options
  for (const granularity of GRANULARITIES) {
    const read = await readTable({
      ...options.ref(`health_data_${granularity}_agg`),
      sort: ['user_id', 'data_type', 'window_start'],
    })
    const checked = checkAggregates(granularity, read, options.expected, options.lateness[granularity], {
      low: watermark,
      high: watermark,
    })
    out[granularity] = { ...checked, read }
  }
  return out
}
