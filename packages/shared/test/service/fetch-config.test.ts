import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_MAX_INFLATED_BYTES } from '../../src/kafka/index.ts'
import { ConfigError, loadConfig } from '../../src/platform/config.ts'
import { fetchConfig } from '../../src/service/fetch-config.ts'

describe('FETCH_MAX_INFLATED_BYTES', () => {
  it('bounds an inflated batch at 64 MiB unless told otherwise', () => {
    assert.equal(loadConfig(fetchConfig, {}).FETCH_MAX_INFLATED_BYTES, DEFAULT_MAX_INFLATED_BYTES)
    assert.equal(DEFAULT_MAX_INFLATED_BYTES, 64 * 1024 * 1024)
    assert.equal(
      loadConfig(fetchConfig, { FETCH_MAX_INFLATED_BYTES: '16777216' }).FETCH_MAX_INFLATED_BYTES,
      16 << 20,
    )
  })

  for (const bad of ['1000', String(2 * 1024 ** 3), 'lots']) {
    it(`stops start-up naming the variable for ${bad}`, () => {
      assert.throws(
        () => loadConfig(fetchConfig, { FETCH_MAX_INFLATED_BYTES: bad }),
        (error: unknown) => error instanceof ConfigError && /FETCH_MAX_INFLATED_BYTES/.test(error.message),
      )
    })
  }
})
