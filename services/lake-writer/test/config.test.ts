import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConfigError, loadConfig } from '@healthstream/shared/platform'
import { catalogProblems, lakeWriterConfig } from '../src/config.ts'

const load = (env: Record<string, string>) => loadConfig(lakeWriterConfig, env)

function problems(env: Record<string, string>): readonly string[] {
  try {
    return catalogProblems(load(env))
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
}

describe('lake-writer catalog configuration', () => {
  it('takes a SQLite path, a postgresql:// URL (sql) and an http(s) URL (rest)', () => {
    assert.deepEqual(problems({ LAKE_CATALOG_URI: 'lake/catalog.db' }), [])
    assert.deepEqual(problems({ LAKE_CATALOG_URI: 'postgresql://u:p@db:5432/lake' }), [])
    assert.deepEqual(problems({ LAKE_CATALOG_URI: 'postgres://db/lake' }), [])
    assert.deepEqual(problems({ LAKE_CATALOG: 'rest', LAKE_CATALOG_URI: 'http://127.0.0.1:18181' }), [])
  })

  it('names LAKE_CATALOG_URI when the URL is not a catalog or misses its host or database', () => {
    for (const uri of ['mysql://db/lake', 'postgresql:///lake', 'postgresql://db', 'postgresql://db/']) {
      const [problem, ...rest] = problems({ LAKE_CATALOG_URI: uri })
      assert.equal(rest.length, 0)
      assert.match(problem ?? '', /^LAKE_CATALOG_URI is invalid/, uri) // sensitive: the value is never shown
    }
  })

  it('names LAKE_CATALOG_URI when it does not fit LAKE_CATALOG', () => {
    assert.match(
      problems({ LAKE_CATALOG_URI: 'http://127.0.0.1:18181' })[0] ?? '',
      /LAKE_CATALOG_URI=.*LAKE_CATALOG=sql takes a SQLite file path or a postgresql:\/\/ URL/,
    )
    assert.match(
      problems({ LAKE_CATALOG: 'rest', LAKE_CATALOG_URI: 'postgresql://db/lake' })[0] ?? '',
      /LAKE_CATALOG_URI=.*LAKE_CATALOG=rest takes/,
    )
  })
})

describe('lake-writer maintenance configuration', () => {
  it('runs maintenance hourly unless told otherwise, 0s turning it off', () => {
    assert.equal(load({}).MAINTENANCE_INTERVAL, 3_600_000)
    assert.equal(load({ MAINTENANCE_INTERVAL: '0s' }).MAINTENANCE_INTERVAL, 0)
    assert.equal(load({ COMPACT_MAX_ROWS: '50000' }).COMPACT_MAX_ROWS, 50_000)
  })

  it('names MAINTENANCE_INTERVAL and COMPACT_MAX_ROWS when malformed', () => {
    const all = problems({ MAINTENANCE_INTERVAL: 'hourly', COMPACT_MAX_ROWS: '1' })
    assert.equal(all.length, 2)
    assert.match(problems({ MAINTENANCE_INTERVAL: '30d' })[0] ?? '', /MAINTENANCE_INTERVAL.*at most 24d/)
    assert.equal(load({ MAINTENANCE_INTERVAL: '24d' }).MAINTENANCE_INTERVAL, 24 * 86_400_000)
    assert.ok(all.some((p) => p.includes('MAINTENANCE_INTERVAL')))
    assert.ok(all.some((p) => p.includes('COMPACT_MAX_ROWS')))
  })
})
