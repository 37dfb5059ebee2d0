import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { BUILTIN_DATA_TYPES_PATH, builtinDataTypes, parseDataTypesCsv } from '../../src/domain/index.ts'

const HEADER = 'data_type,unit,min,max,kind'

describe('parseDataTypesCsv', () => {
  it('reads a row into a spec with its range, kind and canonical unit', () => {
    const table = parseDataTypesCsv(`${HEADER}\nheart_rate,count/min,20,300,instant\n`)
    const spec = table.get('heart_rate')
    assert.deepEqual(
      { unit: spec?.unit, min: spec?.min, max: spec?.max, kind: spec?.kind },
      { unit: 'count/min', min: 20, max: 300, kind: 'instant' },
    )
    assert.deepEqual([...(spec?.conversions.keys() ?? [])], ['count/min'])
  })

  it('tolerates CRLF, blank lines and spaces around cells', () => {
    const table = parseDataTypesCsv(`${HEADER}\r\n\r\n steps , count , 0 , 100000 , interval \r\n`)
    assert.equal(table.get('steps')?.max, 100_000)
  })

  const broken: [string, string, RegExp][] = [
    ['a wrong header', 'type,unit,min,max,kind\n', /line 1: header/],
    ['a missing column', `${HEADER}\nsteps,count,0,100\n`, /line 2: expected 5 columns/],
    [
      'a min that is not a number',
      `${HEADER}\nsteps,count,zero,100,interval\n`,
      /line 2: min must be a finite number/,
    ],
    ['an empty max', `${HEADER}\nsteps,count,0,,interval\n`, /line 2: max must be a finite number/],
    ['min above max', `${HEADER}\nsteps,count,10,1,interval\n`, /line 2: min 10 must not exceed max 1/],
    ['an unknown kind', `${HEADER}\nsteps,count,0,1,cumulative\n`, /line 2: kind must be/],
    ['an empty unit', `${HEADER}\nsteps,,0,1,interval\n`, /line 2: data_type and unit must not be empty/],
    [
      'a duplicate type',
      `${HEADER}\nsteps,count,0,1,interval\nsteps,count,0,2,interval\n`,
      /line 3: .*listed twice/,
    ],
  ]
  for (const [what, csv, message] of broken) {
    it(`refuses a table with ${what}, naming the line`, () => {
      assert.throws(() => parseDataTypesCsv(csv), message)
    })
  }
})

describe('unit conversions', () => {
  const table = builtinDataTypes()
  const cases: [string, string, number, number][] = [
    ['body_weight', 'lb', 100, 45.359237],
    ['body_weight', 'kg', 80, 80],
    ['blood_glucose', 'mmol/L', 5.5, 99.1001],
    ['body_temperature', 'degF', 98.6, 37],
    ['body_temperature', 'degF', 32, 0],
    ['body_temperature', 'degC', 36.6, 36.6],
  ]
  for (const [type, unit, value, expected] of cases) {
    it(`converts ${type} ${value} ${unit} to ${expected} ${table.get(type)?.unit}`, () => {
      const converted = table.get(type)?.conversions.get(unit)?.convert(value) ?? Number.NaN
      assert.ok(Math.abs(converted - expected) < 1e-9, `${converted} ≠ ${expected}`)
    })
  }

  it('offers mmol/L only for blood glucose', () => {
    const table2 = parseDataTypesCsv(`${HEADER}\ncholesterol,mg/dL,0,1000,instant\n`)
    assert.equal(table2.get('cholesterol')?.conversions.has('mmol/L'), false)
  })

  it('knows no conversion for other units, e.g. heart rate in Hz', () => {
    assert.equal(table.get('heart_rate')?.conversions.has('Hz'), false)
  })
})

describe('builtinDataTypes', () => {
  it('holds every row of contracts/data-types.csv', () => {
    const rows = readFileSync(BUILTIN_DATA_TYPES_PATH, 'utf8').trim().split('\n').length - 1
    assert.equal(builtinDataTypes().size, rows)
    assert.equal(builtinDataTypes().get('oxygen_saturation')?.unit, '%')
  })

  it('reads the file once and then serves the cached table', () => {
    assert.equal(builtinDataTypes(), builtinDataTypes())
  })
})
