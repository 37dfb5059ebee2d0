import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErasureRequestError, MAX_ERASURE_USERS, parseErasureRequest } from '../../src/erasure/request.ts'

const problems = (body: unknown): readonly string[] => {
  try {
    parseErasureRequest(body)
  } catch (error) {
    assert.ok(error instanceof ErasureRequestError)
    assert.equal(error.code, 'ERASURE_REQUEST_INVALID')
    return error.problems
  }
  assert.fail('accepted')
}

describe('parseErasureRequest', () => {
  it('takes the users once each, in order, and who asks, trimmed', () => {
    assert.deepEqual(parseErasureRequest({ users: ['u2', 'u1', 'u2'], by: ' ops ' }), {
      users: ['u2', 'u1'],
      by: 'ops',
    })
  })

  it('keeps the erasure id the CLI sends to every service', () => {
    assert.equal(parseErasureRequest({ users: ['u'], by: 'x', erasureId: 'e-1' }).erasureId, 'e-1')
  })

  const refused: [string, unknown, RegExp][] = [
    ['a body that is no object', [], /JSON object/],
    ['no users', { by: 'x' }, /users must be a non-empty list/],
    ['an empty list', { users: [], by: 'x' }, /users must be a non-empty list/],
    ['an empty id', { users: [''], by: 'x' }, /every user id/],
    ['an id that is no string', { users: [7], by: 'x' }, /every user id/],
    ['nobody asking', { users: ['u'] }, /by \(who asks\)/],
    ['a blank asker', { users: ['u'], by: '  ' }, /by \(who asks\)/],
    ['an unknown field', { users: ['u'], by: 'x', dryRun: true }, /unknown field "dryRun"/],
    ['a malformed erasure id', { users: ['u'], by: 'x', erasureId: 'a b' }, /erasureId/],
    [
      'too many users',
      { users: Array.from({ length: MAX_ERASURE_USERS + 1 }, (_, i) => `u${i}`), by: 'x' },
      /at most 1000/,
    ],
  ]
  for (const [what, body, problem] of refused)
    it(`refuses ${what}`, () => assert.match(problems(body).join('; '), problem))

  it('never repeats a user id in a problem', () => {
    const text = problems({ users: ['secret-user', 5], by: '' }).join('; ')
    assert.doesNotMatch(text, /secret-user/)
  })
})
