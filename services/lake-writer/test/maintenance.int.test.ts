/**
 * Scheduled maintenance in the real process: with a short MAINTENANCE_INTERVAL the lake-writer expires
 * the snapshots of its commits by itself, and pyiceberg still reads every sample exactly once.
 */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { readTable, snapshots } from '@healthstream/testkit/lake'
import { eventually, testPipeline } from '@healthstream/testkit/stack'
import { TableNames } from '../src/committing/tables.ts'
import { validatedSample } from './support/records.ts'
import { drained, InputProducer, localTarget, serializers } from './support/stack.ts'

describe('the lake-writer maintaining its tables on a schedule', { timeout: 110_000 }, () => {
  const target = localTarget(mkdtempSync(join(tmpdir(), 'lake-writer-maintenance-')))
  const pipeline = testPipeline('lake-maint')
  const writer = pipeline.service('lake-writer', {
    ...target.env,
    COMMIT_INTERVAL: '300ms',
    MAINTENANCE_INTERVAL: '3s',
    EXPIRE_OLDER_THAN: '0s',
    EXPIRE_RETAIN_LAST: '1',
    LOG_LEVEL: 'debug', // for the 'committed' lines
  })
  const producer = new InputProducer()
  before(() => writer.start())
  after(async () => {
    await producer.close()
    await writer.stop()
  })

  it('expires the snapshots of its commits, and every sample stays, once', async () => {
    const ser = await serializers(pipeline.topics)
    const ref = target.ref(TableNames.raw)
    for (let round = 0; round < 4; round++) {
      const samples = Array.from({ length: 50 }, (_, i) => validatedSample(round * 50 + i))
      await producer.send(
        pipeline.topics.validated,
        samples.map((s) => ({ key: s.userId, value: ser.validated.serialize(s) })),
      )
      // a read may meet a snapshot that maintenance expires meanwhile: read again
      await eventually('the round committed', async () =>
        readTable(ref).then(
          (rows) => rows.length === (round + 1) * 50,
          () => false,
        ),
      )
    }
    const commits = writer.lines.filter(
      (l) => l.includes('"msg":"committed"') && l.includes(`"table":"${TableNames.raw}"`),
    )
    assert.ok(commits.length >= 4, `${commits.length} commits of ${TableNames.raw}, a snapshot each`)
    await eventually('the table to record the whole topic', () =>
      drained(target, TableNames.raw, pipeline.topics.validated).catch(() => false),
    )
    const maintained = () => writer.lines.filter((l) => l.includes('"msg":"tables maintained"')).length
    const rounds = maintained()
    // Rounds never overlap: the second one to end from now started after the last commit
    await eventually(
      'two maintenance rounds after the last commit',
      async () => maintained() > rounds + 1,
      30_000,
    )

    const history = await snapshots(ref)
    assert.equal(history.length, 1, 'the last commit kept (EXPIRE_RETAIN_LAST=1)')
    assert.equal(history[0]?.summary.operation, 'append')
    const ids = (await readTable(ref)).map((r) => r.sample_id)
    assert.equal(ids.length, 200)
    assert.equal(new Set(ids).size, 200)
  })
})
