import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { warehouseLocation } from '../../src/committing/open-lake.ts'

describe('opening the lake', () => {
  it('takes a warehouse as an s3:// location or a directory turned into a file: URI', () => {
    assert.equal(warehouseLocation('s3://bucket/lake/'), 's3://bucket/lake')
    assert.equal(warehouseLocation('/srv/lake'), 'file:///srv/lake')
    assert.match(warehouseLocation('lake/wh'), /^file:\/\/\/.*\/lake\/wh$/)
  })
})
