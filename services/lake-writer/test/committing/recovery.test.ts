import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { topicNames } from '@healthstream/shared/topics'
import { formatOffsets } from '../../src/committing/offsets.ts'
import { stateFromRows, tableLineage } from '../../src/committing/recovery.ts'
import { TableNames } from '../../src/committing/tables.ts'

const topics = topicNames('')
const files = (...parts: Record<string, unknown>[][]) => parts.map((rows) => async () => rows)
const raw = (partition: number, offset: number, start: bigint) => ({
  kafka_partition: partition,
  kafka_offset: BigInt(offset),
  start_time: start,
})

describe('recovering a position from the rows a table holds', () => {
  it('resumes each partition after the largest offset any file holds, whatever the order of files and rows', async () => {
    const state = await stateFromRows(
      files([raw(0, 7, 10n), raw(1, 3, 40n)], [raw(0, 2, 30n), raw(0, 9, 20n)], []),
      tableLineage(TableNames.raw, topics),
      'start_time',
    )
    assert.equal(formatOffsets(state.offsets.values()), `{"${topics.validated}":{"0":10,"1":4}}`)
    assert.equal(state.watermark, 40n)
    assert.equal(state.source, 'rows')
  })

  it('gives a partition without rows no position (read from the log start: none of its records were this table’s)', async () => {
    const state = await stateFromRows(
      files([raw(2, 0, 1n)]),
      tableLineage(TableNames.raw, topics),
      'start_time',
    )
    assert.deepEqual([...state.offsets.keys()], [`${topics.validated}:2`])
  })

  it("reads the errors table's own dead letters as the records of the topic they came from", async () => {
    const rows = [
      {
        stage: 'validator',
        source_topic: topics.samples,
        kafka_partition: 0,
        kafka_offset: 5n,
        error_time: 1n,
      },
      {
        stage: 'lake-writer',
        source_topic: topics.validated,
        kafka_partition: 0,
        kafka_offset: 70n,
        error_time: 2n,
      },
      {
        stage: 'lake-writer',
        source_topic: topics.aggregates,
        kafka_partition: 1,
        kafka_offset: 8n,
        error_time: 3n,
      },
    ]
    const state = await stateFromRows(files(rows), tableLineage(TableNames.errors, topics), 'error_time')
    assert.equal(
      formatOffsets(state.offsets.values()),
      `{"${topics.aggregates}":{"1":9},"${topics.errors}":{"0":6},"${topics.validated}":{"0":71}}`,
    )
  })

  it('reads the aggregate tables as health-data-aggregates, longs given as numbers too', async () => {
    const state = await stateFromRows(
      files([{ kafka_partition: 3, kafka_offset: 11, last_event_time: 9 }]),
      tableLineage(TableNames.weekly, topics),
      'last_event_time',
    )
    assert.equal(formatOffsets(state.offsets.values()), `{"${topics.aggregates}":{"3":12}}`)
    assert.equal(state.watermark, 9n)
  })

  it('skips rows without Kafka coordinates (appended by another tool)', async () => {
    const state = await stateFromRows(
      files([{ kafka_partition: null, kafka_offset: null }]),
      tableLineage(TableNames.raw, topics),
      'start_time',
    )
    assert.equal(state.offsets.size, 0)
    assert.equal(state.watermark, undefined)
  })
})
