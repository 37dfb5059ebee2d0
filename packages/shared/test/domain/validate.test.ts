import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import type { HealthSample, ReasonCode } from '../../src/domain/index.ts'
import {
  builtinDataTypes,
  DEFAULT_FUTURE_SKEW_MICROS,
  RULE_ORDER,
  validateSample,
  validationConfig,
} from '../../src/domain/index.ts'
import { CONFIG, healthSample, micros, NOW } from './fixtures.ts'

describe('validateSample', () => {
  it('passes a plausible heart rate through with validation metadata', () => {
    const sample = healthSample()
    const result = validateSample(sample, CONFIG, NOW + 1)
    assert.ok(result.ok)
    const { originalValue, originalUnit, knownType, flags, validatedAt, ...rest } = result.validated
    assert.deepEqual(rest, sample)
    assert.deepEqual(
      { originalValue, originalUnit, knownType, flags, validatedAt },
      {
        originalValue: 72,
        originalUnit: 'count/min',
        knownType: true,
        flags: [],
        validatedAt: NOW + 1,
      },
    )
  })

  it('converts 150 lb of body weight to kg and flags the conversion', () => {
    const result = validateSample(
      healthSample({ dataType: 'body_weight', value: 150, unit: 'lb' }),
      CONFIG,
      NOW,
    )
    assert.ok(result.ok)
    const { value, unit, originalValue, originalUnit, flags } = result.validated
    assert.deepEqual(
      { value, unit, originalValue, originalUnit, flags },
      {
        value: 150 * 0.45359237,
        unit: 'kg',
        originalValue: 150,
        originalUnit: 'lb',
        flags: ['UNIT_CONVERTED'],
      },
    )
  })

  it('keeps a sample of an unknown data type, flagged, in the unit it was sent in', () => {
    const result = validateSample(
      healthSample({ dataType: 'vo2_max', value: 9999, unit: 'mL/kg/min' }),
      CONFIG,
      NOW,
    )
    assert.ok(result.ok)
    const { knownType, flags, value, unit } = result.validated
    assert.deepEqual(
      { knownType, flags, value, unit },
      {
        knownType: false,
        flags: ['UNKNOWN_DATA_TYPE'],
        value: 9999,
        unit: 'mL/kg/min',
      },
    )
  })

  const future = NOW + DEFAULT_FUTURE_SKEW_MICROS + 1
  const failures: [string, Partial<HealthSample>, ReasonCode][] = [
    ['an empty sampleId', { sampleId: '' }, 'MISSING_FIELD'],
    ['a null value', { value: null }, 'MISSING_VALUE'],
    ['a NaN value', { value: Number.NaN }, 'NOT_FINITE'],
    ['an infinite value', { value: Number.POSITIVE_INFINITY }, 'NOT_FINITE'],
    ['a negative value', { value: -1 }, 'NEGATIVE_VALUE'],
    ['a heart rate in bpm', { unit: 'bpm' }, 'UNKNOWN_UNIT'],
    ['a heart rate of 350', { value: 350 }, 'OUT_OF_RANGE'],
    [
      'a body temperature of 120 degF',
      { dataType: 'body_temperature', value: 120, unit: 'degF' },
      'OUT_OF_RANGE',
    ],
    ['an end before the start', { endTime: micros('2026-11-25T07:00:00Z') }, 'END_BEFORE_START'],
    ['a start 5 min + 1 µs ahead of now', { startTime: future }, 'IN_FUTURE'],
    ['a start on 1970-01-01', { startTime: 0 }, 'BEFORE_FLOOR'],
    ['a negative value of an unknown type', { dataType: 'vo2_max', value: -1 }, 'NEGATIVE_VALUE'],
    ['a future sample of an unknown type', { dataType: 'vo2_max', startTime: future }, 'IN_FUTURE'],
  ]
  for (const [what, overrides, reason] of failures) {
    it(`rejects ${what} as ${reason}`, () => {
      const result = validateSample(healthSample(overrides), CONFIG, NOW)
      assert.equal(result.ok ? 'ok' : result.reason, reason)
    })
  }

  it('reports MISSING_VALUE, not OUT_OF_RANGE or IN_FUTURE, when several rules fail', () => {
    const result = validateSample(healthSample({ value: null, unit: 'bpm', startTime: future }), CONFIG, NOW)
    assert.equal(result.ok ? 'ok' : result.reason, 'MISSING_VALUE')
  })
})

describe('validateSample rule order', () => {
  const start = micros('2026-11-25T08:00:00Z')
  const hour = 3_600_000_000
  const choices = fc.record({
    missingField: fc.boolean(),
    value: fc.constantFrom('ok', 'null', 'nan', 'negative', 'outOfRange'),
    unknownUnit: fc.boolean(),
    endBeforeStart: fc.boolean(),
    start: fc.constantFrom('ok', 'future', 'beforeFloor'),
  })
  const values = { ok: 72, null: null, nan: Number.NaN, negative: -5, outOfRange: 1000 }
  const starts = { ok: start, future: NOW + 24 * hour, beforeFloor: micros('1999-06-01T00:00:00Z') }

  it('always names the first violated rule of RULE_ORDER', () => {
    fc.assert(
      fc.property(choices, (c) => {
        const startTime = starts[c.start]
        const sample = healthSample({
          sampleId: c.missingField ? '' : 's-1',
          value: values[c.value],
          unit: c.unknownUnit ? 'bpm' : 'count/min',
          startTime,
          endTime: c.endBeforeStart ? startTime - hour : null,
        })
        const violated = new Set<ReasonCode>()
        if (c.missingField) violated.add('MISSING_FIELD')
        const valueReasons = { null: 'MISSING_VALUE', nan: 'NOT_FINITE', negative: 'NEGATIVE_VALUE' } as const
        if (c.value !== 'ok' && c.value !== 'outOfRange') violated.add(valueReasons[c.value])
        if (c.unknownUnit) violated.add('UNKNOWN_UNIT')
        if (c.value === 'outOfRange') violated.add('OUT_OF_RANGE')
        if (c.endBeforeStart) violated.add('END_BEFORE_START')
        if (c.start === 'future') violated.add('IN_FUTURE')
        if (c.start === 'beforeFloor') violated.add('BEFORE_FLOOR')
        const expected = RULE_ORDER.find((r) => violated.has(r)) ?? 'ok'
        const result = validateSample(sample, CONFIG, NOW)
        assert.equal(result.ok ? 'ok' : result.reason, expected)
      }),
      { numRuns: 500 },
    )
  })
})

describe('validationConfig', () => {
  const dataTypes = builtinDataTypes()
  it('defaults to a 5 minute skew and a 2000-01-01 floor', () => {
    const config = validationConfig({ dataTypes })
    assert.equal(config.futureSkewMicros, 300_000_000)
    assert.equal(config.floorMicros, micros('2000-01-01T00:00:00Z'))
    assert.ok(Object.isFrozen(config))
  })
  it('refuses a negative skew, naming it', () => {
    assert.throws(() => validationConfig({ dataTypes, futureSkewMicros: -1 }), /futureSkewMicros must be/)
  })
  it('refuses a fractional floor, naming it', () => {
    assert.throws(() => validationConfig({ dataTypes, floorMicros: 1.5 }), /floorMicros must be/)
  })
})
