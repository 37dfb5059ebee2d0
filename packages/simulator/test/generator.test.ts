import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { spec } from '../src/data-types.ts'
import { Generator } from '../src/generator.ts'
import type { User } from '../src/population.ts'
import { generateAll, ISO_WITH_OFFSET, options } from './helpers.ts'

describe('generator', () => {
  const batches = generateAll()
  const firsts = batches.filter((b) => !b.duplicate)
  const truth = firsts.flatMap((b) => b.truth)

  it('repeats exactly from the same seed', () => {
    assert.deepEqual(
      JSON.stringify(generateAll({ samples: 3000 })),
      JSON.stringify(generateAll({ samples: 3000 })),
    )
  })

  it('differs with another seed', () => {
    const a = generateAll({ samples: 500 })[0]!.batch
    const b = generateAll({ samples: 500, seed: 7 })[0]!.batch
    assert.notEqual(a.batchId, b.batchId)
  })

  it('generates exactly the requested number of distinct samples', () => {
    assert.equal(truth.length, 20_000)
    assert.equal(new Set(truth.map((t) => t.sampleId)).size, 20_000)
  })

  it('keeps batches between 1 and the maximum size', () => {
    assert.ok(batches.every((b) => b.batch.samples.length >= 1 && b.batch.samples.length <= 200))
    assert.ok(generateAll({ samples: 5000, maxBatchSamples: 10 }).every((b) => b.batch.samples.length <= 10))
  })

  it('derives each truth entry from the sample at the same place in the batch', () => {
    for (const b of batches) {
      assert.deepEqual(
        b.truth.map((t) => [t.sampleId, t.dataType, t.batchId, t.userId]),
        b.batch.samples.map((s) => [s.sampleId, s.dataType, b.batch.batchId, b.batch.userId]),
      )
    }
  })

  it('gives valid samples a canonical value within the data-type range', () => {
    for (const t of truth.filter((e) => e.outcome === 'valid')) {
      const { min, max } = spec(t.dataType)
      assert.ok(t.value! >= min && t.value! <= max, `${t.dataType} ${t.value}`)
    }
  })

  it('writes valid times as ISO 8601 with the offset, matching the truth in microseconds', () => {
    for (const b of firsts) {
      b.batch.samples.forEach((s, i) => {
        const t = b.truth[i]!
        if (t.outcome !== 'valid') return
        assert.match(s.startTime, ISO_WITH_OFFSET)
        assert.equal(Date.parse(s.startTime) * 1000, t.startMicros)
        assert.equal(s.endTime === null ? null : Date.parse(s.endTime) * 1000, t.endMicros)
      })
    }
  })

  it('converts lb, mmol/L and degF to the canonical value the validator will compute', () => {
    const many = generateAll({ users: 60, samples: 60_000 }).filter((b) => !b.duplicate)
    const converted = many.flatMap((b) =>
      b.batch.samples
        .map((s, i) => ({ s, t: b.truth[i]! }))
        .filter(({ s }) => ['lb', 'mmol/L', 'degF'].includes(s.unit)),
    )
    assert.ok(converted.length > 0)
    for (const { s, t } of converted) {
      const expected = {
        lb: s.value! * 0.45359237,
        'mmol/L': s.value! * 18.0182,
        degF: ((s.value! - 32) * 5) / 9,
      }[s.unit]
      if (t.outcome === 'valid') assert.equal(t.value, expected)
    }
  })

  it('mixes v1 and v2 writers, and only v2 batches carry the time zone', () => {
    const v2 = firsts.filter((b) => b.schemaVersion === 2)
    assert.ok(v2.length > 0 && v2.length < firsts.length)
    assert.ok(v2.every((b) => typeof b.batch.timeZone === 'string'))
    assert.ok(firsts.filter((b) => b.schemaVersion === 1).every((b) => b.batch.timeZone === undefined))
    // The truth says which zone each sample was sent with, as the batch does
    assert.ok(firsts.every((b) => b.truth.every((t) => t.timeZone === b.batch.timeZone)))
  })

  it('puts users in the zones it is given, round-robin, and changes nothing else about them', () => {
    const zones = ['Australia/Adelaide', 'America/Los_Angeles', 'Asia/Kolkata']
    const given = new Generator(options({ users: 7, zones }))
    const drawn = new Generator(options({ users: 7 }))
    assert.deepEqual(
      given.users.map((u) => u.zone),
      [0, 1, 2, 3, 4, 5, 6].map((i) => zones[i % 3]),
    )
    const rest = ({ zone: _z, weightUnit: _w, temperatureUnit: _t, glucoseUnit: _g, ...user }: User) => user
    assert.deepEqual(given.users.map(rest), drawn.users.map(rest))
  })

  it('re-sends duplicate batches with the same batchId and sampleIds, marked in the truth', () => {
    const dups = batches.filter((b) => b.duplicate)
    assert.ok(dups.length > 0)
    for (const dup of dups) {
      const first = batches.find((b) => !b.duplicate && b.batch.batchId === dup.batch.batchId)
      assert.ok(first && batches.indexOf(first) < batches.indexOf(dup))
      assert.deepEqual(dup.batch, first.batch)
      assert.ok(dup.truth.every((t) => t.duplicate))
    }
  })

  it('sends late samples at least two hours after their own time', () => {
    const late = firsts.flatMap((b) =>
      b.truth.filter((t) => t.late && t.outcome === 'valid').map((t) => ({ b, t })),
    )
    assert.ok(late.length > 0)
    for (const { b, t } of late) {
      const uploaded = Date.parse(b.batch.uploadedAt) * 1000
      assert.ok(uploaded - (t.endMicros ?? t.startMicros!) >= 2 * 3600e6)
    }
  })

  it('never sends a valid sample from after its upload', () => {
    for (const b of firsts) {
      const uploaded = Date.parse(b.batch.uploadedAt) * 1000
      assert.ok(b.truth.every((t) => t.outcome !== 'valid' || (t.endMicros ?? t.startMicros!) <= uploaded))
    }
  })
})
