/**
 * The four services of a whole-chain test on one `TestPipeline`: every topic with 4 partitions, the
 * aggregator's windows as the test needs them (idle partitions released at once, so a partition whose
 * data ran out never holds the others back), the lake-writer committing every second.
 */
import type { TestPipeline } from './pipeline.ts'
import type { ServiceProcess } from './services.ts'

/** The aggregator's event-time settings of a test, in microseconds (as the lake's times and `HOUR`). */
export interface WindowSettings {
  readonly zone: 'utc' | 'user'
  readonly outOfOrderness: number
  readonly lateness: { readonly daily: number; readonly weekly: number; readonly monthly: number }
}

export interface ChainServices {
  readonly ingest: ServiceProcess
  readonly validator: ServiceProcess
  readonly aggregator: ServiceProcess
  readonly writer: ServiceProcess
  readonly all: readonly ServiceProcess[]
}

const ms = (micros: number): string => `${micros / 1000}ms`

export const CHAIN_PARTITIONS = { TOPIC_PARTITIONS: '4' } as const

export function chainServices(
  pipeline: TestPipeline,
  options: {
    /** The lake-writer's target (a `localTarget`'s env). */
    readonly lake: Record<string, string>
    readonly windows: WindowSettings
    readonly ingest?: Record<string, string>
    readonly validator?: Record<string, string>
  },
): ChainServices {
  const { windows } = options
  const ingest = pipeline.service('ingest', { ...CHAIN_PARTITIONS, ...options.ingest })
  const validator = pipeline.service('validator', { ...CHAIN_PARTITIONS, ...options.validator })
  const aggregator = pipeline.service('aggregator', {
    ...CHAIN_PARTITIONS,
    DAILY_WINDOW_ZONE: windows.zone,
    OUT_OF_ORDERNESS: ms(windows.outOfOrderness),
    ALLOWED_LATENESS_DAILY: ms(windows.lateness.daily),
    ALLOWED_LATENESS_WEEKLY: ms(windows.lateness.weekly),
    ALLOWED_LATENESS_MONTHLY: ms(windows.lateness.monthly),
    PARTITION_IDLE_TIMEOUT: '1ms',
  })
  const writer = pipeline.service('lake-writer', {
    ...CHAIN_PARTITIONS,
    ...options.lake,
    COMMIT_INTERVAL: '1s',
  })
  return { ingest, validator, aggregator, writer, all: [ingest, validator, aggregator, writer] }
}
