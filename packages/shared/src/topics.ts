import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The pipeline's Kafka topics (all keyed by userId). */
export const Topics = {
  raw: 'health-data-raw',
  samples: 'health-data-samples',
  validated: 'health-data-validated',
  errors: 'health-data-errors',
  aggregates: 'health-data-aggregates',
  /** The dead-letter replay ledger (compacted; written by ingest's replay, see shared/src/replay). */
  replays: 'health-data-replays',
} as const

export type TopicNames = { readonly [K in keyof typeof Topics]: string }

/**
 * The topic names with a prefix (`TOPIC_PREFIX`), so several pipelines (tests, tenants, blue/green)
 * can share one cluster without seeing each other's data.
 */
export function topicNames(prefix: string): TopicNames {
  return {
    raw: prefix + Topics.raw,
    samples: prefix + Topics.samples,
    validated: prefix + Topics.validated,
    errors: prefix + Topics.errors,
    aggregates: prefix + Topics.aggregates,
    replays: prefix + Topics.replays,
  }
}

const schemaDir = join(import.meta.dirname, '..', 'schemas')
const load = (file: string): object => JSON.parse(readFileSync(join(schemaDir, file), 'utf8')) as object

/** Avro value schemas of our own topics (`shared/schemas/`), registered on start as `<topic>-value`. */
export const TopicSchemas = {
  samples: load('health-sample.avsc'),
  validated: load('validated-sample.avsc'),
  errors: load('error-record.avsc'),
  aggregates: load('aggregate-record.avsc'),
} as const
