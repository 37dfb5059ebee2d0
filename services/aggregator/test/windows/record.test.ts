import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TopicSchemas } from '@healthstream/shared/topics'
import avro from 'avsc'
import { dailyWindow, windowId } from '../../src/windows/definitions.ts'
import { aggregateRecord } from '../../src/windows/record.ts'
import { statsOf } from '../../src/windows/stats.ts'
import { NO_WATERMARK } from '../../src/windows/watermark.ts'
import { us } from '../support/samples.ts'

// The schema the service registers for health-data-aggregates (shared's topics.ts reads the file)
const schema = TopicSchemas.aggregates as { fields: { name: string }[] }
const type = avro.Type.forSchema(schema as avro.Schema)

function row(count: number, watermark: number) {
  const window = dailyWindow(us('2026-03-29T01:30:00Z'), 'Europe/Berlin')
  const points = Array.from({ length: count }, (_, i) => ({
    time: us('2026-03-29T01:30:00Z') + i,
    value: 60 + i,
    id: `s-${i}`,
  }))
  const state = {
    id: windowId('u-1', 'heart_rate', window),
    userId: 'u-1',
    dataType: 'heart_rate',
    unit: 'count/min',
    window,
    stats: statsOf(points),
    fired: true,
    final: false,
    revision: 3,
    updatedAt: us('2026-03-30T00:00:00Z'),
  }
  return aggregateRecord(state, watermark, us('2026-03-30T00:00:00Z'))
}

describe('aggregate-record.avsc', () => {
  it('has exactly the fields of AggregateRecord, in order', () => {
    assert.deepEqual(
      schema.fields.map((f) => f.name),
      Object.keys(row(2, 0)),
    )
  })

  it('carries rows losslessly, with nulls for a single value and no watermark yet', () => {
    for (const record of [row(3, us('2026-03-29T22:00:00Z')), row(1, NO_WATERMARK)]) {
      const bad: string[] = []
      type.isValid(record, { errorHook: (path) => bad.push(path.join('.')) })
      assert.deepEqual(bad, [])
      assert.deepEqual({ ...type.fromBuffer(type.toBuffer(record)) }, record)
    }
    assert.deepEqual([row(1, NO_WATERMARK).stddevSample, row(1, NO_WATERMARK).watermark], [null, null])
  })
})
