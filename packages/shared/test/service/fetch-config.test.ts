import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_FETCH_MAX_BYTES, DEFAULT_MAX_INFLATED_BYTES } from '../../src/kafka/index.ts'
import { ConfigError, loadConfig } from '../../src/platform/config.ts'
import { fetchConfig, prefetchConfig } from '../../src/service/fetch-config.ts'

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

describe('FETCH_MAX_BYTES and PREFETCH_MAX_BYTES', () => {
  it('fetch 1 MiB at a time and read ahead at most 16 MiB unless told otherwise', () => {
    const config = loadConfig({ ...fetchConfig, ...prefetchConfig }, {})
    assert.equal(config.FETCH_MAX_BYTES, DEFAULT_FETCH_MAX_BYTES)
    assert.equal(config.PREFETCH_MAX_BYTES, 16 * 1024 * 1024)
    const set = loadConfig(
      { ...fetchConfig, ...prefetchConfig },
      { FETCH_MAX_BYTES: '2048', PREFETCH_MAX_BYTES: '65536' },
    )
    assert.deepEqual([set.FETCH_MAX_BYTES, set.PREFETCH_MAX_BYTES], [2048, 65536])
  })

  for (const [key, bad] of [
    ['FETCH_MAX_BYTES', '1000'],
    ['PREFETCH_MAX_BYTES', '4096'],
  ] as const) {
    it(`stops start-up naming ${key} for ${bad}`, () => {
      assert.throws(
        () => loadConfig({ ...fetchConfig, ...prefetchConfig }, { [key]: bad }),
        (error: unknown) => error instanceof ConfigError && error.message.includes(key),
      )
    })
  }
})
