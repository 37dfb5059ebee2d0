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
      assert.match(problem ?? '', /^LAKE_CATALOG_URI=.* is invalid/, uri)
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
