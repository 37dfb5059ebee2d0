/**
 * Why a record went to `health-data-errors`. Stable strings: dashboards, replay tools and the
 * simulator's ground truth use them.
 */
export const ReasonCode = {
  // ingest: the raw message could not be decoded
  BAD_MAGIC: 'BAD_MAGIC',
  UNKNOWN_SCHEMA_ID: 'UNKNOWN_SCHEMA_ID',
  DECODE_FAILED: 'DECODE_FAILED',
  TOO_LARGE: 'TOO_LARGE',
  // ingest: a sample's time could not be read (not ISO 8601 with an offset)
  BAD_TIMESTAMP: 'BAD_TIMESTAMP',
  // validator: one code per rule
  MISSING_FIELD: 'MISSING_FIELD',
  MISSING_VALUE: 'MISSING_VALUE',
  NOT_FINITE: 'NOT_FINITE',
  NEGATIVE_VALUE: 'NEGATIVE_VALUE',
  OUT_OF_RANGE: 'OUT_OF_RANGE',
  UNKNOWN_UNIT: 'UNKNOWN_UNIT',
  END_BEFORE_START: 'END_BEFORE_START',
  IN_FUTURE: 'IN_FUTURE',
  BEFORE_FLOOR: 'BEFORE_FLOOR',
  // aggregator: later than the allowed lateness of every window it belongs to
  TOO_LATE: 'TOO_LATE',
  // lake-writer: an input record no table can hold (besides BAD_MAGIC, UNKNOWN_SCHEMA_ID, DECODE_FAILED)
  TOMBSTONE: 'TOMBSTONE',
  UNKNOWN_GRANULARITY: 'UNKNOWN_GRANULARITY',
  // ingest or lake-writer: a field of a newer upstream schema that cannot get a column of its own
  // (its name or kind clashes with an existing column, or with another extra): kept as a dead letter
  SCHEMA_CONFLICT: 'SCHEMA_CONFLICT',
  // any stage: a fetched record batch that inflates beyond FETCH_MAX_INFLATED_BYTES (one per batch)
  BATCH_INFLATE_LIMIT: 'BATCH_INFLATE_LIMIT',
} as const

export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode]

/** Processing stage that produced an error record. */
export type Stage = 'ingest' | 'validator' | 'aggregator' | 'lake-writer'
