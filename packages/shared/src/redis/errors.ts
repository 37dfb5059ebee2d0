/** Failed Redis calls, counted for the dashboard and alerts: `healthstream_redis_errors_total{operation}`. */
import { Counter, type Registry } from 'prom-client'

/**
 * What a service was doing when Redis failed: `connection` (the client lost or could not reopen its
 * connection), `dedup` (the validator's duplicate check), and the aggregator's window-state calls.
 */
export type RedisOperation = 'connection' | 'dedup' | 'claim' | 'load' | 'commit' | 'read' | 'query'

/** Counts one failed call. */
export type RedisErrorCount = (operation: RedisOperation) => void

/**
 * Registers `healthstream_redis_errors_total` with each of `operations` at 0 from the start: a rate
 * then sees the first failure too, and the dashboard has a line before anything failed.
 */
export function redisErrorCounter(
  registry: Registry,
  operations: readonly RedisOperation[],
): RedisErrorCount {
  const counter = new Counter({
    name: 'healthstream_redis_errors_total',
    help: 'failed Redis calls and connection errors, by operation; the batch is aborted and retried',
    labelNames: ['operation'],
    registers: [registry],
  })
  for (const operation of operations) counter.inc({ operation }, 0)
  return (operation) => counter.inc({ operation })
}
