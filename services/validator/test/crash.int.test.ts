import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { simulatorOptions } from '../../../scripts/simulator/options.ts'
import { simulate } from '../../../scripts/simulator/simulate.ts'
import { endpoint } from '../../../scripts/test-support/endpoints.ts'
import {
  multiplicity,
  readErrors,
  readTruth,
  readValidated,
  testPipeline,
} from '../../../scripts/test-support/pipeline.ts'
import { eventually, type ServiceProcess } from '../../../scripts/test-support/services.ts'

const KILLS_EACH = Number(process.env.CRASH_KILLS_EACH ?? 10)

/** Deterministic "random" pauses, so a failing run can be repeated. */
function pauses(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return 300 + (state % 1700)
  }
}

describe('exactly once under kill -9 of ingest and validator', () => {
  const pipeline = testPipeline('crash')
  const ingest = pipeline.service('ingest', { BATCH_MAX_RECORDS: '200' })
  const validator = pipeline.service('validator', { BATCH_MAX_RECORDS: '2000' })
  after(async () => {
    await ingest.stop()
    await validator.stop()
  })

  it(`holds every expected record exactly once after ${KILLS_EACH} crashes of each`, async () => {
    const truthPath = join(mkdtempSync(join(tmpdir(), 'hs-crash-')), 'truth.ndjson')
    await ingest.start()
    await validator.start()
    const sending = simulate(
      simulatorOptions({
        samples: 60_000,
        rate: 2_500,
        users: 40,
        seed: 11,
        duplicateShare: 0.02,
        start: Date.now() - 10 * 86_400_000,
        truthPath,
        topic: pipeline.topics.raw,
        partitions: 4,
        brokers: [endpoint('KAFKA_BROKERS')],
        registryUrl: endpoint('SCHEMA_REGISTRY_URL'),
        progress: false,
      }),
    )
    const pause = pauses(2026)
    const victims: ServiceProcess[] = []
    for (let i = 0; i < KILLS_EACH; i++) victims.push(ingest, validator)
    for (const victim of victims) {
      await sleep(pause())
      await victim.kill9()
      await victim.start()
    }
    await sending

    const truth = readTruth(truthPath)
    const key = (u: string, s: string) => `${u}/${s}`
    const expectedValid = new Set(
      truth.filter((t) => t.outcome === 'valid').map((t) => key(t.userId, t.sampleId)),
    )
    const expectedErrors = new Set(
      truth.filter((t) => t.outcome !== 'valid').map((t) => `${key(t.userId, t.sampleId)}:${t.outcome}`),
    )
    let validated = await readValidated(pipeline.topics.validated)
    await eventually(
      'the validator to drain',
      async () => {
        validated = await readValidated(pipeline.topics.validated)
        return validated.length >= expectedValid.size
      },
      180_000,
    )
    await sleep(2000) // anything duplicated would show up now
    validated = await readValidated(pipeline.topics.validated)
    const counts = multiplicity(validated, (v) => key(v.userId, v.sampleId))
    const duplicated = [...counts].filter(([, n]) => n > 1)
    assert.deepEqual(duplicated, [], 'no sample twice on health-data-validated')
    assert.deepEqual(new Set(counts.keys()), expectedValid, 'no gap: every valid sample is there')
    const errors = await readErrors(pipeline.topics.errors)
    const errorCounts = multiplicity(errors, (e) => e.errorId)
    assert.deepEqual(
      [...errorCounts].filter(([, n]) => n > 1),
      [],
      'no dead letter twice',
    )
    assert.deepEqual(
      new Set(errors.map((e) => `${key(e.userId ?? '', e.sampleId ?? '')}:${e.reasonCode}`)),
      expectedErrors,
    )
  })
})
