import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { erasureAudit, erasureSummary, userHash } from '../../src/erasure/audit.ts'

describe('the erasure audit record', () => {
  it('hashes each user id with plain SHA-256, hex', () => {
    assert.equal(userHash('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('holds who, when, the sorted hashes and the counts, and never an id in clear', () => {
    const at = new Date('2026-12-07T14:00:00Z')
    const audit = erasureAudit('lake-writer', { users: ['user-b', 'user-a'], by: 'ops' }, { t: 3 }, at, 'e-1')
    assert.deepEqual(audit, {
      erasureId: 'e-1',
      service: 'lake-writer',
      by: 'ops',
      at: '2026-12-07T14:00:00.000Z',
      users: [userHash('user-a'), userHash('user-b')].sort(),
      counts: { t: 3 },
    })
    assert.doesNotMatch(JSON.stringify(audit), /user-a|user-b/)
  })

  it('takes the request’s erasure id, or makes one', () => {
    const at = new Date()
    assert.equal(erasureAudit('v', { users: ['u'], by: 'x', erasureId: 'e-9' }, {}, at).erasureId, 'e-9')
    assert.match(erasureAudit('v', { users: ['u'], by: 'x' }, {}, at).erasureId, /^[0-9a-f-]{36}$/)
  })

  it('is one compact JSON value per delete snapshot, naming its table', () => {
    const text = erasureSummary({ erasureId: 'e', by: 'ops', users: ['h'] }, 'health_data_raw', new Date(0))
    assert.deepEqual(JSON.parse(text), {
      erasureId: 'e',
      by: 'ops',
      at: '1970-01-01T00:00:00.000Z',
      users: ['h'],
      table: 'health_data_raw',
    })
  })
})
