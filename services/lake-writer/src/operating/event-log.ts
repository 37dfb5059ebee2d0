/** The log lines of the loop's and the maintenance schedule's events (one JSON line each, pino). */
import { type PartitionOffset, partitionKey } from '@healthstream/shared/kafka'
import type { Logger } from '@healthstream/shared/platform'
import type { LakeEvent } from '../loop-stats.ts'
import type { MaintenanceEvent } from './maintenance-schedule.ts'

/** Logs what an operator needs of a loop event; `consumed` is left to the metrics. */
export function logLakeEvent(logger: Logger, event: LakeEvent): void {
  if (event.type === 'assigned')
    logger.info(
      { assignment: event.session.assignment, positions: describePositions(event.positions) },
      'partitions assigned',
    )
  else if (event.type === 'committed')
    logger.debug({ ...event.result, watermark: String(event.watermark) }, 'committed')
  else if (event.type === 'recorded' && event.source === 'rows')
    logger.warn(
      { table: event.table },
      `${event.table} held rows but no recorded Kafka offsets (table properties removed, snapshots recording them expired): position recovered from its rows' kafka_partition/kafka_offset`,
    )
  else if (event.type === 'resync')
    logger.warn({ err: event.error, attempt: event.attempt }, 'resyncing from the tables')
  else if (event.type === 'skipped')
    logger.warn(
      { ...event, offset: String(event.offset) },
      'undecodable record dead-lettered to health_data_errors',
    )
}

/** Logs a maintenance round, or an action of it that failed. */
export function logMaintenanceEvent(logger: Logger, event: MaintenanceEvent): void {
  // Expired snapshot ids counted, not listed: an hour of 10 s commits is 360 of them per table
  if (event.type === 'maintained')
    logger.info(
      {
        durationMs: event.durationMs,
        results: event.results.map((r) => ({
          ...r,
          ...(Array.isArray(r.expired) ? { expired: r.expired.length } : {}),
        })),
      },
      'tables maintained',
    )
  else
    logger.warn({ table: event.table, action: event.action, err: event.error }, 'maintenance action failed')
}

/** Positions by partition key (bigints as strings, which JSON can hold). */
function describePositions(positions: readonly PartitionOffset[]): Record<string, string> {
  return Object.fromEntries(positions.map((p) => [partitionKey(p.topic, p.partition), String(p.offset)]))
}
