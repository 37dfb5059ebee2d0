/**
 * The whole chain on the stack's SASL_SSL listener: every service authenticates with SCRAM-SHA-512 as
 * its own principal, over TLS checked against the stack's CA, and the broker's ACLs (the production set
 * of `tools/stack/kafka-acls.ts` for this run's prefix, created by the test as the super user) allow
 * each exactly its inputs, outputs, group and transactional ids. The simulator's data must reach the
 * lake as it does on PLAINTEXT: every valid sample once in `health_data_raw`, every dead letter in
 * `health_data_errors`, the aggregates' offsets recorded. No password appears in any log.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { localTarget } from '@healthstream/lake-writer/testing'
import { createAdmin } from '@healthstream/shared/kafka'
import { parseTruth, type TruthEntry } from '@healthstream/simulator'
import { checkErrors, checkRaw, outcomes, readTable } from '@healthstream/testkit/lake'
import {
  saslSslConnection,
  saslSslEnv,
  simulateInto,
  stackPassword,
  testPipeline,
  waitForLake,
} from '@healthstream/testkit/stack'
import {
  ADMIN_PRINCIPAL,
  createGrants,
  deleteGrants,
  pipelineGrants,
  principalOf,
  SERVICES,
} from '@healthstream/tools/stack/kafka-acls'

describe('the chain on SASL_SSL with SCRAM-SHA-512, each service its own principal under ACLs', {
  timeout: 240_000,
}, () => {
  const pipeline = testPipeline('sasl-chain')
  const dir = mkdtempSync(join(tmpdir(), 'hs-sasl-chain-'))
  const target = localTarget(join(dir, 'lake'))
  const four = { TOPIC_PARTITIONS: '4' }
  const extra = {
    ingest: four,
    validator: four,
    aggregator: { ...four, DAILY_WINDOW_ZONE: 'utc', PARTITION_IDLE_TIMEOUT: '1ms' },
    'lake-writer': { ...four, ...target.env, COMMIT_INTERVAL: '1s' },
  }
  const services = SERVICES.map((name) =>
    pipeline.service(name, { ...saslSslEnv(principalOf(name)), ...extra[name] }),
  )
  const admin = createAdmin(saslSslConnection(ADMIN_PRINCIPAL, 'sasl-chain-admin'))
  const grants = pipelineGrants(pipeline.prefix)

  before(() => createGrants(admin, grants))
  after(async () => {
    await Promise.all(services.map((s) => s.stop()))
    await deleteGrants(admin, grants)
    await admin.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('carries the simulated uploads into the lake, exactly once', async () => {
    mkdirSync(join(dir, 'lake'))
    const upload = async (seed: number, samples: number, start: string) =>
      parseTruth(
        readFileSync(
          await simulateInto(pipeline, {
            samples,
            users: 2,
            seed,
            invalidShare: 0.05,
            duplicateShare: 0.03,
            lateShare: 0,
            start: Date.parse(start),
          }),
          'utf8',
        ),
      )
    const drained = (truth: readonly TruthEntry[]) =>
      waitForLake({
        prefix: pipeline.prefix,
        topics: pipeline.topics,
        validSamples: outcomes(truth).valid.length,
        ref: target.ref,
        timeouts: { validated: 90_000, aggregator: 60_000, lake: 60_000 },
        services,
      })
    // Two uploads, the second after the first has drained: a backlog the aggregator takes in one
    // batch right after assignment fires no window (its empty partitions are not idle yet, and
    // quiet input fires nothing: see services/aggregator/src/pipeline.ts). The second batch,
    // seconds later and days further in event time, fires the first upload's days.
    const first = await upload(7, 2_000, '2026-01-20T00:00:00Z')
    await Promise.all(services.map((s) => s.start()))
    await drained(first)
    const truth = [...first, ...(await upload(8, 200, '2026-01-26T00:00:00Z'))]
    await drained(truth)
    const { valid } = outcomes(truth)

    const raw = await readTable({ ...target.ref('health_data_raw'), sort: ['user_id', 'sample_id'] })
    assert.deepEqual(checkRaw(raw, valid), [])
    const errors = await readTable({ ...target.ref('health_data_errors'), sort: ['error_id'] })
    assert.deepEqual(checkErrors(errors, truth), [])
    const daily = await readTable(target.ref('health_data_daily_agg'))
    const days = new Set(daily.map((r) => new Date(Number(r.window_start) / 1000).toISOString().slice(0, 10)))
    for (const day of ['2026-01-20', '2026-01-21', '2026-01-22'])
      assert.ok(days.has(day), `the first upload's ${day} reached health_data_daily_agg`)

    const passwords = [ADMIN_PRINCIPAL, ...SERVICES.map(principalOf)].map(stackPassword)
    for (const s of services) {
      assert.deepEqual(s.unexpectedExits, [], `${s.name} exits`)
      const leaked = s.lines.filter((line) => passwords.some((p) => line.includes(p)))
      assert.deepEqual(leaked, [], `${s.name} logged a password`)
      const problems = s.lines.filter(
        (l) => /"level":"(warn|error|fatal)"/.test(l) && /AUTHORIZATION|SASL/.test(l),
      )
      assert.deepEqual(problems, [], `${s.name} logged security refusals`)
    }
  })
})
