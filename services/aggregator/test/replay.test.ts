import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { replayPlan } from '../src/replay.ts'

describe('replayPlan', () => {
  const group = { from: 100, to: 199 }
  const cases = [
    ['applies everything when nothing was applied yet', null, 0, 9, 'fresh', false, -1, { from: 0, to: 9 }],
    [
      'applies everything after a committed group',
      group,
      205,
      300,
      'fresh',
      false,
      204,
      { from: 205, to: 300 },
    ],
    ['re-emits a group replayed whole and applies nothing', group, 100, 199, 'replay', true, 199, group],
    [
      're-emits a replayed group and applies only what follows it',
      group,
      100,
      250,
      'replay',
      true,
      199,
      { from: 100, to: 250 },
    ],
    ['re-emits the whole group for a shorter replay', group, 100, 149, 'replay', true, 199, group],
    [
      'skips the rest of a group whose shorter replay committed',
      group,
      150,
      260,
      'after-replay',
      false,
      199,
      { from: 150, to: 260 },
    ],
    [
      'skips applied records after an operator rewound the group',
      group,
      40,
      260,
      'rewound',
      false,
      199,
      { from: 40, to: 260 },
    ],
  ] as const
  for (const [what, stored, first, last, mode, reemit, appliedThrough, nextGroup] of cases) {
    it(what, () => {
      assert.deepEqual(replayPlan(stored, first, last), { mode, reemit, appliedThrough, nextGroup })
    })
  }
  it('rejects a batch whose offsets go backwards', () => {
    assert.throws(() => replayPlan(null, 5, 4), /ascending/)
  })
})
