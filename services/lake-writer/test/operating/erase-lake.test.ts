import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TableMetadata } from '@healthstream/iceberg'
import { userHash } from '@healthstream/shared/erasure'
import type { TableSink } from '../../src/committing/table-sink.ts'
import { eraseFromLake } from '../../src/operating/erase-lake.ts'

const BASE = {
  snapshots: [],
  currentSnapshotId: null,
  properties: { 'healthstream.kafka-offsets': '{"v":{"0":10}}', 'healthstream.kafka-rows': '{"v":{"0":9}}' },
} as unknown as TableMetadata

/** A loop and sinks that write down what happens, in order. */
function fakes(options: { paused?: boolean; failDelete?: boolean } = {}) {
  const log: string[] = []
  const summaries: Record<string, string>[] = []
  let paused = options.paused ?? false
  const loop = {
    get stats() {
      return { paused } as never
    },
    pause: () => {
      paused = true
      log.push('pause')
    },
    resume: () => {
      paused = false
      log.push('resume')
    },
    flush: async () => void log.push('flush'),
    exclusive: async <T>(fn: () => Promise<T>) => {
      log.push('exclusive')
      return fn()
    },
    readPositions: () => [{ topic: 'v', partition: 0, offset: 10n }],
  }
  const sink = (name: string, rows: number) =>
    ({
      def: { name },
      table: {
        refresh: async () => log.push(`refresh ${name}`),
        deleteRows: async (filter: unknown, o: { summary: (m: TableMetadata) => Record<string, string> }) => {
          if (options.failDelete) throw new Error('catalog down')
          log.push(`delete ${name} ${JSON.stringify(filter)}`)
          summaries.push(o.summary(BASE))
          return { deletedRows: rows, filesTouched: 1, attempts: 1, replans: 0 }
        },
      },
    }) as unknown as TableSink
  const deps = {
    loop,
    ends: async () => {
      log.push('ends')
      return [{ topic: 'v', partition: 0, offset: 10n }]
    },
    sinks: [sink('health_data_raw', 5), sink('health_data_errors', 0)],
    writer: 'lake-writer-1',
  }
  return { deps, log, summaries }
}

const request = { users: ['user-1', 'user-2'], by: 'ops', erasureId: 'e-1' }

describe('erasing users from the lake', () => {
  it('catches up, pauses, flushes, deletes table by table under the commit mutex, then resumes', async () => {
    const { deps, log } = fakes()
    assert.deepEqual(await eraseFromLake(deps, request), {
      counts: { health_data_raw: 5, health_data_errors: 0 },
    })
    const filter = JSON.stringify({ column: 'user_id', in: ['user-1', 'user-2'] })
    assert.deepEqual(log, [
      'ends',
      'pause',
      'flush',
      'flush',
      'exclusive',
      'refresh health_data_raw',
      `delete health_data_raw ${filter}`,
      'refresh health_data_errors',
      `delete health_data_errors ${filter}`,
      'resume',
    ])
  })

  it('carries the offsets and row counts forward and records the audit with hashes only', async () => {
    const { deps, summaries } = fakes()
    await eraseFromLake(deps, request)
    const [raw] = summaries
    assert.equal(raw!['healthstream.kafka-offsets'], '{"v":{"0":10}}')
    assert.equal(raw!['healthstream.kafka-rows'], '{"v":{"0":9}}')
    const audit = JSON.parse(raw!['healthstream.erasure']!) as Record<string, unknown>
    assert.deepEqual(
      [audit.erasureId, audit.by, audit.users, audit.table],
      ['e-1', 'ops', [userHash('user-1'), userHash('user-2')].sort(), 'health_data_raw'],
    )
    assert.doesNotMatch(JSON.stringify(summaries), /user-1|user-2/)
  })

  it('leaves a writer an operator paused paused, and reading resumes after a failure', async () => {
    const paused = fakes({ paused: true })
    await eraseFromLake(paused.deps, request)
    assert.ok(!paused.log.includes('resume') && !paused.log.includes('ends'))
    const failing = fakes({ failDelete: true })
    await assert.rejects(eraseFromLake(failing.deps, request), /catalog down/)
    assert.equal(failing.log.at(-1), 'resume')
  })
})
