/**
 * Scheduled maintenance, so a lake that runs for months keeps its metadata small without a cron job:
 * every interval, the writer that owns partition 0 of its first input topic expires old snapshots and
 * removes orphan files, table by table (`TableMaintenance`'s actions with their configured defaults),
 * between its own commits. The other writers skip the round: two at once would be safe (each change
 * is a compare-and-swap commit) but would do the work twice. Compaction is not scheduled: it reads
 * the rows of small files into memory and holds the writer's commits back until it has committed, so
 * an operator chooses its time (`POST /admin/compact`).
 */
import type { TableSink } from '../committing/table-sink.ts'
import type { MaintenanceResult, TableMaintenance } from './table-maintenance.ts'

/** What a round tells its owner (logs). */
export type MaintenanceEvent =
  | {
      readonly type: 'maintained'
      readonly results: readonly MaintenanceResult[]
      readonly durationMs: number
    }
  | {
      readonly type: 'maintenance-failed'
      readonly table: string
      readonly action: string
      readonly error: unknown
    }

/** When and by whom the tables are maintained. */
export interface ScheduleOptions {
  /** Time between rounds; 0 turns scheduled maintenance off (the admin endpoints still work). */
  readonly intervalMs: number
  /** True while this writer is the one to maintain the tables. */
  readonly leads: () => boolean
  readonly onEvent?: (event: MaintenanceEvent) => void
}

const ACTIONS: readonly [string, (m: TableMaintenance, s: TableSink) => Promise<MaintenanceResult>][] = [
  ['expire-snapshots', (m, s) => m.expire(s)],
  ['remove-orphan-files', (m, s) => m.removeOrphans(s)],
]

/** The schedule of one writer; a failed action is reported and the round goes on with the next. */
export class MaintenanceSchedule {
  readonly #maintenance: TableMaintenance
  readonly #options: ScheduleOptions
  #timer: ReturnType<typeof setInterval> | undefined
  #running: Promise<readonly MaintenanceResult[]> | undefined
  #stopping = false

  constructor(maintenance: TableMaintenance, options: ScheduleOptions) {
    this.#maintenance = maintenance
    this.#options = options
  }

  /** Starts the schedule: the first round one interval from now. */
  start(): void {
    if (this.#options.intervalMs <= 0 || this.#timer !== undefined) return
    this.#timer = setInterval(() => void this.round(), this.#options.intervalMs)
    // The schedule alone must not keep the process alive
    ;(this.#timer as { unref?: () => void }).unref?.()
  }

  /** One round now; undefined when this writer does not lead or a round is still running. */
  round(): Promise<readonly MaintenanceResult[]> | undefined {
    if (this.#running !== undefined || this.#stopping || !this.#options.leads()) return undefined
    const running = this.#run().finally(() => {
      this.#running = undefined
    })
    this.#running = running
    return running
  }

  /** Stops the schedule and waits for a running round, which ends after the action it is in. */
  async stop(): Promise<void> {
    this.#stopping = true
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#running
  }

  async #run(): Promise<readonly MaintenanceResult[]> {
    const started = Date.now()
    const results: MaintenanceResult[] = []
    for (const sink of this.#maintenance.sinks)
      for (const [action, run] of ACTIONS) {
        if (this.#stopping) break // a stop must not wait for every table: the pod's grace period is short
        try {
          results.push({ action, ...(await run(this.#maintenance, sink)) })
        } catch (error) {
          this.#emit({ type: 'maintenance-failed', table: sink.def.name, action, error })
        }
      }
    this.#emit({ type: 'maintained', results, durationMs: Date.now() - started })
    return results
  }

  #emit(event: MaintenanceEvent): void {
    try {
      this.#options.onEvent?.(event)
    } catch {
      // A broken listener must not stop the round
    }
  }
}
