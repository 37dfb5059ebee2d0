import type { ReasonCode } from '@healthstream/shared/domain'

/**
 * Ground truth: one entry per sample copy sent, made from the very objects that were encoded.
 * A re-sent batch yields entries with `duplicate: true` (same sampleId as the first copy), which
 * the validator must drop. Times are epoch microseconds, as the pipeline stores them.
 */
export interface TruthEntry {
  readonly userId: string
  readonly sampleId: string
  readonly batchId: string
  readonly dataType: string
  /** `valid`, or the reason code the pipeline must give the sample. */
  readonly outcome: 'valid' | ReasonCode
  /** Value in the canonical unit after conversion (valid samples only). */
  readonly value?: number
  readonly startMicros?: number
  readonly endMicros?: number | null
  /** A re-sent copy of a sample already sent in a batch with the same batchId. */
  readonly duplicate: boolean
  /** Held back by the device and sent hours after its own time. */
  readonly late: boolean
  /** Moved before samples that happened earlier in its batch. */
  readonly outOfOrder: boolean
  readonly schemaVersion: 1 | 2
  /** The batch's `timeZone` (v2 only: the user's IANA zone); absent on v1 batches, which carry none. */
  readonly timeZone?: string
}

/** One NDJSON line (with the newline). Keys in a fixed order so files diff well between runs. */
export function truthLine(entry: TruthEntry): string {
  return `${JSON.stringify(entry)}\n`
}

/** Parses a ground-truth file written by the simulator. */
export function parseTruth(text: string): TruthEntry[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as TruthEntry)
}
