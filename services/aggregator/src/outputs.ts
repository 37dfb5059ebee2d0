/** The records a partition's batch emits: window rows and dead letters, serialised and tagged for metrics. */
import {
  type ErrorRecord,
  type Micros,
  quoteForMessage,
  ReasonCode,
  type ReplayOrigin,
  sampleErrorRecord,
  type ValidatedSample,
} from '@healthstream/shared/domain'
import type { ConsumedRecord } from '@healthstream/shared/kafka'
import { forwardTrace } from '@healthstream/shared/platform'
import type { TaggedOutput } from './outbox.ts'
import type { AggregatorDeps } from './types.ts'
import { aggregateRecord } from './windows/record.ts'
import type { WindowState } from './windows/store.ts'

/**
 * A window row on the aggregates topic, keyed by the window id. No trace headers: built from samples of
 * many traces, it carries the hop's batch span, which links them (shared `transaction-spans.ts`).
 */
export function rowOutput(
  deps: AggregatorDeps,
  state: WindowState,
  watermark: Micros,
  now: Micros,
): TaggedOutput {
  const value = deps.aggregates.serialize(aggregateRecord(state, watermark, now))
  return { record: { topic: deps.aggregatesTopic, key: Buffer.from(state.id), value }, tag: '' }
}

/** The TOO_LATE dead letter of a sample no window takes any more. */
export function tooLateError(
  sample: ValidatedSample,
  watermark: Micros,
  now: Micros,
  replay: ReplayOrigin | null = null,
): ErrorRecord {
  const at = (micros: Micros) => new Date(micros / 1000).toISOString()
  const message =
    `event time ${at(sample.startTime)} is past the allowed lateness of its daily, weekly and monthly ` +
    `windows (watermark ${at(watermark)}); data type ${quoteForMessage(sample.dataType)}`
  return sampleErrorRecord(
    'aggregator',
    sample,
    { reason: ReasonCode.TOO_LATE, message },
    now,
    undefined,
    replay,
  )
}

/** A dead letter on the errors topic, with the consumed record's trace context. */
export function errorOutput(deps: AggregatorDeps, record: ConsumedRecord, error: ErrorRecord): TaggedOutput {
  const value = deps.errors.serialize(error)
  const headers = forwardTrace(record.headers)
  const out = headers
    ? { topic: deps.errorsTopic, key: record.key, value, headers }
    : { topic: deps.errorsTopic, key: record.key, value }
  return { record: out, tag: error.reasonCode }
}
