import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ReasonCode } from '@healthstream/shared/domain'
import { spec } from '../src/data-types.ts'
import { applyFault, INVALID_KINDS, type InvalidKind, kindsFor, REASON_OF } from '../src/faults.ts'
import { Rng } from '../src/prng.ts'
import type { Draft } from '../src/streams.ts'
import { generateAll, ISO_WITH_OFFSET, START } from './helpers.ts'

function draft(dataType: string, interval: boolean): Draft {
  const start = START + 3_600_000
  return {
    dataType,
    unit: dataType === 'body_weight' ? 'lb' : spec(dataType).unit,
    value: dataType === 'body_weight' ? 165.3 : 70,
    canonical: dataType === 'body_weight' ? 74.98 : 70,
    start,
    end: interval ? start + 600_000 : null,
    confidence: null,
    sourceApp: null,
  }
}

/** What each defect must look like on the wire, besides the reason. */
const CHECKS: Record<InvalidKind, (d: Draft) => boolean> = {
  negative_value: (d) => d.value !== null && d.value < 0,
  out_of_range: (d) => d.value! > 0 && (d.value! > spec(d.dataType).max || d.value! < spec(d.dataType).min),
  unknown_unit: (d) => d.unit !== spec(d.dataType).unit && !['lb', 'mmol/L', 'degF'].includes(d.unit),
  bad_timestamp: (d) =>
    d.startText !== undefined &&
    (!ISO_WITH_OFFSET.test(d.startText) || Number.isNaN(Date.parse(d.startText))),
  missing_offset: (d) => d.startText !== undefined && /T\d{2}:\d{2}:\d{2}\.\d{3}$/.test(d.startText),
  missing_value: (d) => d.value === null,
  not_finite: (d) => d.value !== null && !Number.isFinite(d.value),
  end_before_start: (d) => d.end !== null && d.end < d.start,
  in_future: (d) => d.start > START + 3650 * 86_400_000,
}

describe('invalid samples', () => {
  const rng = new Rng(1)
  for (const kind of INVALID_KINDS) {
    it(`makes ${kind} carry ${REASON_OF[kind]} and the defect itself`, () => {
      for (const dataType of ['heart_rate', 'steps', 'body_weight', 'oxygen_saturation', 'sleep_minutes']) {
        const d = draft(dataType, spec(dataType).kind === 'interval')
        if (!kindsFor(d).includes(kind)) continue
        for (let i = 0; i < 20; i++) {
          const copy = { ...d }
          applyFault(copy, kind, 'Asia/Kolkata', rng)
          assert.equal(copy.reason, REASON_OF[kind])
          assert.ok(CHECKS[kind](copy), `${kind} on ${dataType}: ${JSON.stringify(copy)}`)
        }
      }
    })
  }

  it('uses only reason codes the pipeline defines', () => {
    const known = new Set<string>(Object.values(ReasonCode))
    assert.ok(Object.values(REASON_OF).every((r) => known.has(r)))
  })

  it('sends a faulty sample in the canonical unit, so no conversion hides or adds a defect', () => {
    const d = draft('body_weight', false)
    applyFault(d, 'out_of_range', 'UTC', rng)
    assert.equal(d.unit, 'kg')
  })

  it('puts end-before-start on interval samples only', () => {
    assert.equal(kindsFor(draft('heart_rate', false)).includes('end_before_start'), false)
    assert.equal(kindsFor(draft('steps', true)).includes('end_before_start'), true)
  })
})

describe('shares of faults', () => {
  const shares = { invalidShare: 0.1, lateShare: 0.05, outOfOrderShare: 0.1, duplicateShare: 0.05 }
  const batches = generateAll({ ...shares, users: 40, samples: 40_000 })
  const firsts = batches.filter((b) => !b.duplicate)
  const truth = firsts.flatMap((b) => b.truth)
  const share = (predicate: (t: (typeof truth)[number]) => boolean) =>
    truth.filter(predicate).length / truth.length
  const near = (actual: number, expected: number, tolerance: number) =>
    assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`)

  it('makes about the configured share of samples invalid', () =>
    near(
      share((t) => t.outcome !== 'valid'),
      0.1,
      0.01,
    ))
  it('holds back about the configured share of samples as late', () =>
    near(
      share((t) => t.late),
      0.05,
      0.01,
    ))
  it('moves about the configured share of samples out of order', () =>
    near(
      share((t) => t.outOfOrder),
      0.1,
      0.02,
    ))
  it('re-sends about the configured share of batches', () =>
    near(batches.filter((b) => b.duplicate).length / firsts.length, 0.05, 0.015))

  it('spreads invalid samples over every kind of defect', () => {
    const reasons = new Set(truth.map((t) => t.outcome))
    for (const reason of Object.values(REASON_OF)) assert.ok(reasons.has(reason), reason)
  })

  it('generates no faults when every share is zero', () => {
    const clean = generateAll({
      invalidShare: 0,
      lateShare: 0,
      outOfOrderShare: 0,
      duplicateShare: 0,
      samples: 5000,
    })
    const entries = clean.flatMap((b) => b.truth)
    assert.ok(entries.every((t) => t.outcome === 'valid' && !t.late && !t.outOfOrder && !t.duplicate))
  })
})
