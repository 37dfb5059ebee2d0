/** @healthstream/testkit/lake: the lake as engines we do not write read it. Public names, exported explicitly. */

export { type AggregateTableCheck, checkAggregateTables } from './aggregate-tables.ts'
export { type Completeness, completeBefore } from './completeness.ts'
export {
  expected as contractRow,
  expectedRows as contractRows,
  FIELDS as CONTRACT_FIELDS,
  row as contractSource,
} from './contract-table.ts'
export {
  checkAggregates,
  checkErrors,
  checkRaw,
  DAY,
  type ExpectedWindow,
  expectedWindows,
  GRANULARITIES,
  type Granularity,
  HOUR,
  maxEventLag,
  outcomes,
  type WatermarkBounds,
  type WindowOptions,
  windowKey,
} from './invariants.ts'
export { type LocalDay, localDay, zoneName } from './local-days.ts'
export {
  appendCopies,
  type FileInfo,
  lakePython,
  type ReadOptions,
  type Row,
  readTable,
  runLakeScript,
  type S3Options,
  type SnapshotInfo,
  snapshotSummary,
  snapshots,
  type TableRef,
  tableArgs,
  tableFiles,
} from './reader.ts'
export {
  type CatalogRef,
  Spark,
  SparkError,
  type SparkErrorCode,
  type SparkOptions,
  startSpark,
} from './spark.ts'
export {
  type SparkRequests,
  SparkSession,
  type SqlResult,
  sparkIdentifier,
  sparkString,
} from './spark-session.ts'
export { type ZoneDays, zoneDays } from './zone-days.ts'
