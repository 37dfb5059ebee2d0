import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { commonConfig, loadConfig } from '@healthstream/shared/platform'
import { fetchConfig, type HopConfig, prefetchConfig } from '@healthstream/shared/service'
import { ingestConfig, ingestConfigProblems, rawTopicMaxMessageBytes } from '../src/config.ts'

const MiB = 1024 * 1024

/** Ingest's configuration as the shell reads it from `env`. */
const configOf = (env: Record<string, string>): HopConfig<typeof ingestConfig> =>
  loadConfig(
    { ...commonConfig, ...fetchConfig, ...prefetchConfig, ...ingestConfig },
    { ADMIN_TOKEN: '9f3c1e7a5b2d8046c1e9a7f3b5d20864', ...env },
  )

describe('ingestConfigProblems', () => {
  it('accepts the defaults: 64 MiB of inflation for a raw topic of 16 MiB batches', () => {
    assert.deepEqual(ingestConfigProblems(configOf({})), [])
  })

  it('accepts FETCH_MAX_INFLATED_BYTES of exactly 4 × the raw topic limit', () => {
    const config = configOf({
      MAX_MESSAGE_BYTES: String(16 * MiB),
      FETCH_MAX_INFLATED_BYTES: String(128 * MiB),
    })
    assert.equal(rawTopicMaxMessageBytes(config.MAX_MESSAGE_BYTES), 32 * MiB)
    assert.deepEqual(ingestConfigProblems(config), [])
  })

  it('refuses FETCH_MAX_INFLATED_BYTES below 4 × the raw topic limit, naming both variables', () => {
    const problems = ingestConfigProblems(configOf({ FETCH_MAX_INFLATED_BYTES: String(64 * MiB - 1) }))
    assert.equal(problems.length, 1)
    assert.match(problems[0]!, /^FETCH_MAX_INFLATED_BYTES=67108863 is below 67108864/)
    assert.match(problems[0]!, /MAX_MESSAGE_BYTES=4194304/)
  })

  it('refuses a MAX_MESSAGE_BYTES whose raw topic limit outgrows the default inflate bound', () => {
    const problems = ingestConfigProblems(configOf({ MAX_MESSAGE_BYTES: String(10 * MiB) }))
    assert.match(problems[0] ?? '', /FETCH_MAX_INFLATED_BYTES=67108864 is below 83886080/)
  })
})
