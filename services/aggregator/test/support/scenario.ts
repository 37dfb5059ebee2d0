// A stream of validated samples with out-of-order, late (within the allowed lateness) and too-late
// data, and the independent check of what the aggregator must have produced from it.
import assert from 'node:assert/strict'
import type { AggregateRecord, ErrorRecord, ValidatedSample } from '@healthstream/shared/domain'
import { windowId, windowsOf } from '../../src/windows/definitions.ts'
import type { AggregationSpec } from '../../src/windows/spec.ts'
import { DAY, HOUR, MINUTE, us, validatedSample } from './samples.ts'

/** A sample and the input partition it must go to (a user always goes to the same one). */
export interface Placed {
  readonly partition: number
  readonly sample: ValidatedSample
}

export interface Scenario {
  readonly samples: readonly Placed[]
  /** Sample ids the aggregator must dead-letter as TOO_LATE. */
  readonly tooLate: ReadonlySet<string>
}

export interface ScenarioOptions {
  readonly seed: number
  readonly partitions: number
  readonly users?: number
  /** Samples in the stream (before too-late ones and sentinels). */
  readonly count?: number
  readonly zone?: string | null
}

const TYPES = ['heart_rate', 'steps'] as const
const START = us('2025-12-01T00:00:00Z')
const SPAN = 45 * DAY
/** Sentinel users advance every partition's watermark at the end so all windows become final. */
export const SENTINEL = 'zz-sentinel'

/** mulberry32: small, seeded, good enough to vary test data reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * Stream time runs from 2025-12-01 over 45 days. Most samples lag stream time by up to 10 min (out of
 * order within the bound), every 10th by 10–50 min (late, but within every lateness: never too late),
 * and once stream time is past 2026-01-10 every 50th is from early December: too late for its day,
 * week and month.
 */
export function scenario(options: ScenarioOptions): Scenario {
  const random = prng(options.seed)
  const users = options.users ?? 8
  const count = options.count ?? 2000
  const samples: Placed[] = []
  const tooLate = new Set<string>()
  for (let i = 0; i < count; i++) {
    const streamTime = START + Math.floor((SPAN * i) / count)
    const user = Math.floor(random() * users)
    let startTime = streamTime - Math.floor(random() * 10 * MINUTE)
    if (i % 10 === 9) startTime = streamTime - 10 * MINUTE - Math.floor(random() * 40 * MINUTE)
    const sampleId = `s-${String(i).padStart(6, '0')}`
    if (streamTime > us('2026-01-10T00:00:00Z') && i % 50 === 0) {
      startTime = START + Math.floor(random() * 20 * DAY)
      tooLate.add(sampleId)
    }
    const sample = validatedSample({
      sampleId,
      userId: `u-${user}`,
      dataType: TYPES[Math.floor(random() * TYPES.length)]!,
      value: Math.round(random() * 20_000) / 100,
      startTime,
      timeZone: options.zone ?? null,
      sourceOffset: i,
    })
    samples.push({ partition: user % options.partitions, sample })
  }
  return { samples, tooLate }
}

/**
 * Two rounds of one far-future sample per partition: the first moves every partition's own watermark
 * past all windows, the second (processed after it) fires them by the now advanced instance watermark.
 */
export function sentinels(partitions: number, round: 1 | 2): Placed[] {
  return Array.from({ length: partitions }, (_, partition) => ({
    partition,
    sample: validatedSample({
      sampleId: `sentinel-${round}-${partition}`,
      userId: `${SENTINEL}-${partition}`,
      startTime: START + SPAN + 120 * DAY + round * HOUR,
      sourceOffset: 1_000_000 + round * 1000 + partition,
    }),
  }))
}

interface Expected {
  values: { time: number; value: number; id: string }[]
}

/** Naive statistics per window of the accepted samples: two-pass mean and variance, sorting for first/last. */
export function recompute(samples: readonly ValidatedSample[], spec: AggregationSpec): Map<string, Expected> {
  const expected = new Map<string, Expected>()
  for (const s of samples) {
    for (const window of windowsOf(s.startTime, spec.dailyZone, s.timeZone)) {
      const id = windowId(s.userId, s.dataType, window)
      const entry = expected.get(id) ?? { values: [] }
      entry.values.push({ time: s.startTime, value: s.value, id: s.sampleId })
      expected.set(id, entry)
    }
  }
  return expected
}

function close(actual: number, wanted: number, what: string): void {
  const tolerance = 1e-9 * Math.max(Math.abs(actual), Math.abs(wanted)) + 1e-9
  assert.ok(Math.abs(actual - wanted) <= tolerance, `${what}: ${actual} vs ${wanted}`)
}

function assertRow(row: AggregateRecord, { values }: Expected, id: string): void {
  const n = values.length
  const mean = values.reduce((a, v) => a + v.value, 0) / n
  const squares = values.reduce((a, v) => a + (v.value - mean) ** 2, 0)
  const sorted = [...values].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1))
  assert.equal(row.count, n, `count of ${id}`)
  close(
    row.sum,
    values.reduce((a, v) => a + v.value, 0),
    `sum of ${id}`,
  )
  close(row.mean, mean, `mean of ${id}`)
  close(row.stddevPop, Math.sqrt(squares / n), `stddevPop of ${id}`)
  if (n > 1) close(row.stddevSample!, Math.sqrt(squares / (n - 1)), `stddevSample of ${id}`)
  assert.equal(row.min, Math.min(...values.map((v) => v.value)), `min of ${id}`)
  assert.equal(row.max, Math.max(...values.map((v) => v.value)), `max of ${id}`)
  assert.deepEqual(
    [row.firstSampleId, row.lastSampleId],
    [sorted[0]!.id, sorted.at(-1)!.id],
    `first/last of ${id}`,
  )
}

/** What the topics hold after the run, decoded, in topic order per key. */
export interface Produced {
  readonly rows: readonly { key: string; row: AggregateRecord }[]
  readonly errors: readonly ErrorRecord[]
}

/**
 * Asserts exactly-once output: every window of the accepted samples has exactly one final row, equal
 * to the naive recomputation; every key's revisions run 1, 2, … without gaps or repeats and end with
 * the final one; the too-late samples are dead-lettered, each once, and nothing else is.
 */
export function assertExactlyOnce(produced: Produced, input: Scenario, spec: AggregationSpec): void {
  const errorIds = produced.errors.map((e) => e.errorId)
  assert.equal(new Set(errorIds).size, errorIds.length, 'a dead letter was produced twice')
  const dead = new Set(produced.errors.filter((e) => e.reasonCode === 'TOO_LATE').map((e) => e.sampleId!))
  assert.deepEqual([...dead].sort(), [...input.tooLate].sort(), 'TOO_LATE dead letters')
  assert.equal(produced.errors.length, dead.size, 'only TOO_LATE dead letters')
  const accepted = input.samples.map((p) => p.sample).filter((s) => !input.tooLate.has(s.sampleId))
  const expected = recompute(accepted, spec)
  const byKey = new Map<string, AggregateRecord[]>()
  for (const { key, row } of produced.rows) byKey.set(key, [...(byKey.get(key) ?? []), row])
  for (const [key, rows] of byKey) {
    assert.deepEqual(
      rows.map((r) => r.revision),
      rows.map((_, i) => i + 1),
      `revisions of ${key}`,
    )
    assert.deepEqual(
      rows.map((r) => r.isFinal).indexOf(true),
      key.includes(SENTINEL) ? -1 : rows.length - 1,
      `final of ${key}`,
    )
  }
  for (const [id, wanted] of expected) {
    const rows = byKey.get(id)
    assert.ok(rows, `no row for window ${id}`)
    assertRow(rows.at(-1)!, wanted, id)
  }
  const unexpected = [...byKey.keys()].filter((k) => !expected.has(k) && !k.includes(SENTINEL))
  assert.deepEqual(unexpected, [], 'rows for windows without accepted samples')
}
