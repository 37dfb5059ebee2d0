import assert from 'node:assert/strict'
import { Buffer } from 'node:buffer'
import { describe, it } from 'node:test'
import { errorRecord } from '../../src/domain/index.ts'
import { parseReplayRequest, ReplayRequestError } from '../../src/replay/index.ts'

describe('a replay request', () => {
  const ok: [string, unknown, object][] = [
    ['stages', { stages: ['validator'], by: 'ann' }, { stages: ['validator'] }],
    ['reasons and ids', { reasons: ['A'], errorIds: ['x'], by: 'ann' }, { reasons: ['A'], errorIds: ['x'] }],
    [
      'a time range in µs',
      { from: '2026-01-20T00:00:00Z', to: '2026-01-21T00:00:00Z', by: 'ann' },
      { from: Date.parse('2026-01-20T00:00:00Z') * 1000, to: Date.parse('2026-01-21T00:00:00Z') * 1000 },
    ],
  ]
  for (const [name, body, selection] of ok)
    it(`selects by ${name}`, () => assert.deepEqual(parseReplayRequest(body).selection, selection))

  const bad: [string, unknown, RegExp][] = [
    ['no criterion', { by: 'ann' }, /at least one of/],
    ['no one asking', { stages: ['validator'] }, /by \(who asks\)/],
    ['an unknown stage', { stages: ['parser'], by: 'ann' }, /stages must be/],
    ['an empty list', { reasons: [], by: 'ann' }, /reasons must be a non-empty list/],
    ['a time that is not one', { from: 'yesterday', by: 'ann' }, /from must be an ISO-8601 time/],
    [
      'a range the wrong way round',
      { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z', by: 'a' },
      /from must be before to/,
    ],
    ['a field it does not know', { stage: 'validator', by: 'ann' }, /unknown field "stage"/],
    ['a body that is not an object', 'validator', /at least one of/],
  ]
  for (const [name, body, message] of bad)
    it(`is refused with ${name}`, () =>
      assert.throws(
        () => parseReplayRequest(body),
        (e) =>
          e instanceof ReplayRequestError && e.code === 'REPLAY_REQUEST_INVALID' && message.test(e.message),
      ))
})

describe('the dead letter of a replayed record', () => {
  const input = {
    stage: 'validator' as const,
    reasonCode: 'OUT_OF_RANGE' as const,
    message: 'm',
    source: { topic: 'raw', partition: 1, offset: 5, writerSchemaId: 1 },
    sourceIndex: 2,
    payloadFormat: 'json' as const,
    payload: Buffer.from('{}'),
    errorTime: 0,
  }
  it('keeps the first id, marked with the replay, and links to the first', () => {
    const first = errorRecord(input)
    const again = errorRecord({ ...input, replay: { errorId: first.errorId, replayId: 'r7' } })
    assert.equal(first.errorId, 'validator:raw:1:5:2')
    assert.equal(first.replayOf, null)
    assert.equal(again.errorId, 'validator:raw:1:5:2/replay/r7')
    assert.equal(again.replayOf, 'validator:raw:1:5:2')
  })
})
