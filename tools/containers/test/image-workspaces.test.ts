import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { projectRoot } from '@healthstream/testkit/stack'
import { closure, prune } from '../image-workspaces.ts'

describe("a service image's workspaces", () => {
  const cases: [string, string[]][] = [
    ['ingest', ['packages/shared', 'services/ingest']],
    ['validator', ['packages/shared', 'services/validator']],
    ['aggregator', ['packages/shared', 'services/aggregator']],
    ['lake-writer', ['packages/iceberg', 'packages/parquet', 'packages/shared', 'services/lake-writer']],
  ]
  for (const [service, expected] of cases) {
    it(`are, for the ${service}, the service and the packages its production dependencies reach`, () => {
      assert.deepEqual(closure(projectRoot, service).sort(), expected)
    })
  }

  it('refuse a service that is not a workspace, naming SERVICE', () => {
    assert.throws(() => closure(projectRoot, 'nope'), /SERVICE=nope/)
  })

  it('are all that pruning leaves of a copy of the repository, and all its manifest lists', () => {
    const root = mkdtempSync(join(tmpdir(), 'image-workspaces-'))
    try {
      for (const f of ['package.json', 'packages', 'services', 'tools'])
        cpSync(join(projectRoot, f), join(root, f), {
          recursive: true,
          filter: (src) => !src.includes('node_modules'),
        })
      const kept = prune(root, 'validator')
      assert.deepEqual(readdirSync(join(root, 'packages')), ['shared'])
      assert.deepEqual(readdirSync(join(root, 'services')), ['validator'])
      assert.deepEqual(readdirSync(root).includes('tools'), false)
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        workspaces: string[]
      }
      assert.deepEqual(manifest.workspaces, kept)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
