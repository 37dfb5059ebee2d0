import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  type CompletenessRule,
  completeBefore,
  formatInstant,
  parseInstant,
} from '../../src/committing/completeness.ts'
import {
  carriedSummary,
  type OffsetMap,
  parseOffsets,
  recordedState,
  SummaryKeys,
  stateSummary,
} from '../../src/committing/offsets.ts'
import { formatTimes, type PartitionTime, parseTimes, timeKey } from '../../src/committing/partition-times.ts'

const MIN = 60_000_000n
const at = (iso: string) => BigInt(Date.parse(iso)) * 1000n
const raw: CompletenessRule = { kind: 'event-time', topic: 'v', partitions: 4, outOfOrderness: 10n * MIN }
const agg: CompletenessRule = { kind: 'marks', topic: 'a', partitions: 2, sources: 2 }
const times = (...ts: PartitionTime[]) => new Map(ts.map((t) => [timeKey(t), t]))
const ev = (partition: number, iso: string, topic = 'v'): PartitionTime => ({
  topic,
  partition,
  micros: at(iso),
})
const mark = (partition: number, source: number, iso: string): PartitionTime => ({
  topic: 'a',
  partition,
  source,
  micros: at(iso),
})
const none: OffsetMap = new Map()
const iso = (micros: bigint | undefined) => (micros === undefined ? undefined : formatInstant(micros))

describe('the completeness watermark of a table', () => {
  const cases: [string, CompletenessRule, Map<string, PartitionTime>, OffsetMap, string | undefined][] = [
    [
      'is the smallest event time over the partitions, minus the out-of-orderness',
      raw,
      times(
        ev(0, '2026-01-21T12:00:00Z'),
        ev(1, '2026-01-21T11:00:00Z'),
        ev(2, '2026-01-22T00:00:00Z'),
        ev(3, '2026-01-21T13:00:00Z'),
      ),
      none,
      '2026-01-21T10:50:00Z',
    ],
    [
      'is none while one partition of the topic has delivered nothing',
      raw,
      times(ev(0, '2026-01-21T12:00:00Z'), ev(1, '2026-01-21T11:00:00Z'), ev(3, '2026-01-21T13:00:00Z')),
      none,
      undefined,
    ],
    [
      'ignores event times of other topics (dead letters from other inputs)',
      raw,
      times(
        ev(0, '2026-01-21T00:10:00Z'),
        ev(1, '2026-01-21T00:10:00Z'),
        ev(2, '2026-01-21T00:10:00Z'),
        ev(3, '2026-01-21T00:10:00Z'),
        ev(0, '2020-01-01T00:00:00Z', 'other'),
      ),
      none,
      '2026-01-21T00:00:00Z',
    ],
    [
      'waits for a partition beyond the configured count that the table has offsets of',
      raw,
      times(
        ev(0, '2026-01-21T00:10:00Z'),
        ev(1, '2026-01-21T00:10:00Z'),
        ev(2, '2026-01-21T00:10:00Z'),
        ev(3, '2026-01-21T00:10:00Z'),
      ),
      parseOffsets('{"v":{"4":7}}'),
      undefined,
    ],
    [
      'of an aggregate table is the smallest mark over its partitions and the aggregator partitions',
      agg,
      times(
        mark(0, 0, '2026-01-22T00:00:00Z'),
        mark(0, 1, '2026-01-21T06:00:00Z'),
        mark(1, 0, '2026-01-23T00:00:00Z'),
        mark(1, 1, '2026-01-22T00:00:00Z'),
      ),
      none,
      '2026-01-21T06:00:00Z',
    ],
    [
      'of an aggregate table is none while an aggregator partition has marked nothing on one partition',
      agg,
      times(
        mark(0, 0, '2026-01-22T00:00:00Z'),
        mark(0, 1, '2026-01-21T06:00:00Z'),
        mark(1, 0, '2026-01-23T00:00:00Z'),
      ),
      none,
      undefined,
    ],
  ]
  for (const [name, rule, ts, offsets, want] of cases)
    it(name, () => assert.equal(iso(completeBefore(rule, ts, offsets)), want))

  it('is written to the second, rounded down, 20 characters that compare as strings in time order', () => {
    assert.equal(formatInstant(at('2026-01-21T00:00:00Z') + 999_999n), '2026-01-21T00:00:00Z')
    assert.equal(formatInstant(-1n), '1969-12-31T23:59:59Z')
    assert.equal(parseInstant('2026-01-21T00:00:00Z'), at('2026-01-21T00:00:00Z'))
    assert.equal(parseInstant('2026-01-21T00:00:00.5Z'), undefined)
    fc.assert(
      fc.property(
        fc.bigInt(0n, 253_402_300_799_000_000n),
        fc.bigInt(0n, 253_402_300_799_000_000n),
        (a, b) => {
          const [x, y] = [formatInstant(a)!, formatInstant(b)!]
          assert.equal(x.length, 20)
          if (a <= b) assert.ok(x <= y)
          assert.ok(parseInstant(x)! <= a && a - parseInstant(x)! < 1_000_000n)
        },
      ),
    )
  })

  it('round-trips the per-partition times as exact JSON', () => {
    const ts = [
      ev(1, '2026-01-21T00:00:00Z'),
      mark(1, 0, '2026-01-20T00:00:00Z'),
      mark(0, 3, '2026-01-19T00:00:00Z'),
    ]
    const text = formatTimes(ts)
    assert.equal(
      text,
      '{"a":{"0":{"3":1768780800000000},"1":{"0":1768867200000000}},"v":{"1":1768953600000000}}',
    )
    assert.deepEqual(
      [...parseTimes('k', text).values()].sort((a, b) => timeKey(a).localeCompare(timeKey(b))),
      [...ts].sort((a, b) => timeKey(a).localeCompare(timeKey(b))),
    )
    assert.throws(() => parseTimes('k', '{"v":{"0":"x"}}'), { code: 'LAKE_PARTITION_TIMES_MALFORMED' })
  })
})

/** Commits `commits` one after the other as the sink does (each on top of the summary before). */
function commitAll(rule: CompletenessRule, commits: readonly PartitionTime[][]) {
  let summary: Record<string, string> = {}
  const seen: (string | undefined)[] = []
  for (const ts of commits) {
    const base = recordedState({ properties: summary, snapshots: [], currentSnapshotId: null } as never)
    summary = stateSummary(base, [], undefined, 'w', { times: ts, rule })
    seen.push(summary[SummaryKeys.completeBefore])
  }
  return { summary, seen }
}

describe('completeness across commits', () => {
  const partitionTime = fc.record({
    partition: fc.integer({ min: 0, max: 3 }),
    micros: fc.bigInt(0n, 4_000_000_000_000_000n),
  })
  const commits = fc.array(
    fc.array(
      partitionTime.map((t): PartitionTime => ({ topic: 'v', ...t })),
      { maxLength: 5 },
    ),
    {
      maxLength: 12,
    },
  )

  it('never moves back, and is the minimum over partitions of the largest time committed for each', () => {
    fc.assert(
      fc.property(commits, (cs) => {
        const { summary, seen } = commitAll(raw, cs)
        const defined = seen.filter((s) => s !== undefined)
        for (let i = 1; i < defined.length; i++) assert.ok(defined[i - 1]! <= defined[i]!)
        const first = seen.findIndex((s) => s !== undefined)
        if (first >= 0)
          assert.ok(
            seen.slice(first).every((s) => s !== undefined),
            'once there, it stays',
          )
        const largest = new Map<number, bigint>()
        for (const t of cs.flat())
          if (t.micros > (largest.get(t.partition) ?? -1n)) largest.set(t.partition, t.micros)
        const smallest = [...largest.values()].sort((a, b) => (a < b ? -1 : 1))[0]
        const want = largest.size < 4 || smallest === undefined ? undefined : smallest - 10n * MIN
        assert.equal(
          summary[SummaryKeys.completeBefore],
          want === undefined ? undefined : formatInstant(want),
        )
      }),
    )
  })

  it('resumes from the summary: a commit touching one partition keeps the others', () => {
    const { summary } = commitAll(raw, [
      [ev(0, '2026-01-21T12:00:00Z'), ev(1, '2026-01-21T12:00:00Z'), ev(2, '2026-01-21T12:00:00Z')],
      [ev(3, '2026-01-21T01:00:00Z')],
      [ev(3, '2026-01-21T11:00:00Z')],
    ])
    assert.equal(summary[SummaryKeys.completeBefore], '2026-01-21T10:50:00Z')
    assert.equal(
      summary[SummaryKeys.eventTimes],
      formatTimes([0, 1, 2].map((p) => ev(p, '2026-01-21T12:00:00Z')).concat(ev(3, '2026-01-21T11:00:00Z'))),
    )
  })

  it('is carried into maintenance snapshots, marks and event times with it', () => {
    const { summary } = commitAll(agg, [
      [0, 1].flatMap((q) => [0, 1].map((src) => mark(q, src, '2026-01-22T00:00:00Z'))),
    ])
    const carried = carriedSummary(
      { properties: summary, snapshots: [], currentSnapshotId: null } as never,
      'w',
    )
    for (const key of [SummaryKeys.completeBefore, SummaryKeys.marks])
      assert.equal(carried[key], summary[key], key)
    assert.equal(carried[SummaryKeys.completeBefore], '2026-01-22T00:00:00Z')
  })

  it('keeps marks out of a table whose rule does not read them (the errors table)', () => {
    const { summary } = commitAll(raw, [[mark(0, 0, '2026-01-22T00:00:00Z'), ev(0, '2026-01-22T00:00:00Z')]])
    assert.equal(summary[SummaryKeys.marks], undefined)
    assert.ok(summary[SummaryKeys.eventTimes] !== undefined)
  })
})
