/**
 * The contract table: every common column kind, partitioned by day(start), and the JSON forms every
 * lake reader (pyiceberg, DuckDB, Spark; packages/testkit/src/lake/reader.ts) gives back for its rows.
 */
import type { NestedField } from '@healthstream/iceberg'

type Row = Record<string, unknown>

export const FIELDS: NestedField[] = [
  { id: 1, name: 'user_id', type: 'string', required: true },
  { id: 2, name: 'start', type: 'timestamptz', required: true },
  { id: 3, name: 'value', type: 'double', required: false },
  { id: 4, name: 'count', type: 'long', required: false },
  { id: 5, name: 'day', type: 'date', required: false },
  { id: 6, name: 'ok', type: 'boolean', required: false },
  {
    id: 7,
    name: 'tags',
    type: { type: 'list', elementId: 8, element: 'string', elementRequired: true },
    required: false,
  },
  {
    id: 9,
    name: 'src',
    type: {
      type: 'struct',
      fields: [
        { id: 10, name: 'topic', type: 'string', required: true },
        { id: 11, name: 'partition', type: 'int', required: false },
      ],
    },
    required: false,
  },
]

const T0 = BigInt(Date.parse('2026-11-25T10:00:00Z')) * 1000n
const DAY = 86_400_000_000n

export const row = (user: string, day: number, value: number | null, extra: Row = {}): Row => ({
  user_id: user,
  start: T0 + BigInt(day) * DAY,
  value,
  count: null,
  day: null,
  ok: null,
  tags: null,
  src: null,
  ...extra,
})

/** A row as every reader prints it (reader.ts's JSON forms). */
export function expected(r: Row): Row {
  const long = (v: unknown): unknown =>
    v === null || v === undefined ? null : Number.isSafeInteger(Number(v)) ? Number(v) : String(v)
  return {
    ...r,
    start: Number(r.start),
    value: typeof r.value === 'number' && Number.isNaN(r.value) ? 'NaN' : r.value,
    count: long(r.count),
    day:
      r.day === null || r.day === undefined
        ? null
        : new Date(Number(r.day) * 86_400_000).toISOString().slice(0, 10),
  }
}

/** The rows as readers print them, in the order `ORDER BY user_id, start` gives. */
export function expectedRows(rows: readonly Row[]): Row[] {
  return rows
    .map(expected)
    .sort((x, y) => String(x.user_id).localeCompare(String(y.user_id)) || Number(x.start) - Number(y.start))
}
