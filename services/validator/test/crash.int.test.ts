import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  eventually,
  expectedOutcomes,
  multiplicity,
  readErrors,
  readTruth,
  readValidated,
  type ServiceProcess,
  sampleKey,
  simulateInto,
  testPipeline,
} from '@healthstream/testkit/stack'

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
    await ingest.start()
    await validator.start()
    const sending = simulateInto(pipeline, {
      samples: 60_000,
      rate: 2_500,
      users: 40,
      seed: 11,
      duplicateShare: 0.02,
      start: Date.now() - 10 * 86_400_000,
    })
    const pause = pauses(2026)
    const victims: ServiceProcess[] = []
    for (let i = 0; i < KILLS_EACH; i++) victims.push(ingest, validator)
    for (const victim of victims) {
      await sleep(pause())
      await victim.kill9()
      await victim.start()
    }
    const truthPath = await sending

    const truth = readTruth(truthPath)
    const { valid: expectedValid, errors: expectedErrors } = expectedOutcomes(truth)
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
    const counts = multiplicity(validated, (v) => sampleKey(v.userId, v.sampleId))
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
      new Set(errors.map((e) => `${sampleKey(e.userId ?? '', e.sampleId ?? '')}:${e.reasonCode}`)),
      expectedErrors,
    )
  })
})
