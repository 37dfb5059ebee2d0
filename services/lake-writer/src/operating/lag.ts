/** The lake-writer's consumer lag: measured from the offsets its tables record, not from the group's. */
import type { ConsumerLag } from '@healthstream/shared/kafka'
import type { LakeEvent } from '../loop-stats.ts'

/**
 * Feeds the loop's positions to the lag: on assignment, where each partition starts (the smallest
 * offset its tables record, the log start for a table that records none); after each commit, what
 * the tables now record. Rows buffered but not committed yet are still lag.
 */
export function feedLag(lag: ConsumerLag, event: LakeEvent): void {
  if (event.type === 'assigned') lag.assigned(event.session.assignment, event.positions)
  else if (event.type === 'progress') lag.committed(event.positions)
}
