import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import {
  eventually,
  expectedOutcomes,
  multiplicity,
  readErrors,
  readTruth,
  readValidated,
  sampleKey,
  simulateInto,
  testPipeline,
} from '@healthstream/testkit/stack'

describe('simulator → ingest → validator on the real stack', () => {
  const pipeline = testPipeline('truth')
  const ingest = pipeline.service('ingest')
  const validator = pipeline.service('validator')
  after(async () => {
    for (const service of [ingest, validator]) {
      const problems = service.lines.filter((l) => !l.includes('"level":"info"'))
      if (problems.length > 0) console.error(`${service.name} logged:\n${problems.slice(-10).join('\n')}`)
    }
    await ingest.stop()
    await validator.stop()
  })

  it('puts exactly the valid sample ids on validated and the invalid ones, with their reasons, on errors', async () => {
    const truthPath = await simulateInto(pipeline, {
      samples: 20_000,
      users: 50,
      seed: 7,
      v2Share: 0.5,
      invalidShare: 0.05,
      duplicateShare: 0.03,
      start: Date.now() - 20 * 86_400_000,
    })
    const truth = readTruth(truthPath)
    const { valid: expectedValid, errors: expectedErrors } = expectedOutcomes(truth)
    assert.ok(
      truth.some((t) => t.duplicate),
      'the run re-uploads some batches',
    )

    await ingest.start()
    await validator.start()
    let validated = await readValidated(pipeline.topics.validated)
    await eventually(
      `${expectedValid.size} validated samples`,
      async () => {
        validated = await readValidated(pipeline.topics.validated)
        return validated.length >= expectedValid.size
      },
      120_000,
    )
    const errors = await readErrors(pipeline.topics.errors)

    const validIds = multiplicity(validated, (v) => sampleKey(v.userId, v.sampleId))
    assert.deepEqual(new Set(validIds.keys()), expectedValid)
    assert.ok(
      [...validIds.values()].every((n) => n === 1),
      'each valid sample once; re-uploads dropped',
    )
    const errorIds = new Set(
      errors.map((e) => `${sampleKey(e.userId ?? '', e.sampleId ?? '')}:${e.reasonCode}`),
    )
    assert.deepEqual(errorIds, expectedErrors)
    assert.deepEqual(ingest.unexpectedExits, [])
    assert.deepEqual(validator.unexpectedExits, [])
  })
})
