import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { eraseCommand } from '../src/commands/erase.ts'
import { type ErasureStep, erasureExitCode, formatErasure } from '../src/erase-format.ts'

const answer = (service: string, counts: Record<string, number>) => ({
  erasureId: 'e',
  service,
  by: 'ops',
  at: '2026-12-07T14:00:00.000Z',
  users: ['h'],
  counts,
})

describe('the erase command', () => {
  const steps: ErasureStep[] = [
    { service: 'lake-writer', url: 'http://w', answer: answer('lake-writer', { health_data_raw: 12 }) },
    { service: 'aggregator', url: 'http://a', answer: answer('aggregator', { windows: 3, partitions: 4 }) },
    { service: 'validator', url: 'http://v', answer: answer('validator', { marks: 12 }) },
  ]

  it('prints one line per table and store with its count, then that it erased', () => {
    const lines = formatErasure('e', 1, steps)
    assert.equal(lines[0], 'erasure e: 1 user')
    assert.match(lines[1]!, /^ {2}lake-writer +health_data_raw +12 deleted$/)
    assert.match(lines.join('\n'), /validator +marks +12 deleted/)
    assert.match(lines.at(-1)!, /^erased: /)
    assert.equal(erasureExitCode(steps), 0)
  })

  it('says which service failed and exits 1', () => {
    const failed = [...steps.slice(0, 2), { service: 'validator', url: 'http://v', error: 'HTTP 500' }]
    assert.match(
      formatErasure('e', 2, failed).at(-1)!,
      /^incomplete: validator failed; run the same command again$/,
    )
    assert.equal(erasureExitCode(failed), 1)
  })

  it('is a usage error without a user or without one of the stores', async () => {
    const env = { ADMIN_TOKEN: 'x'.repeat(20) }
    const run = (args: string[]) => eraseCommand.run(args, env, () => undefined)
    await assert.rejects(
      run(['--lake-writer', 'w', '--aggregator', 'a', '--validator', 'v']),
      /--user is required/,
    )
    await assert.rejects(
      run(['--user', 'u', '--lake-writer', 'w', '--aggregator', 'a']),
      /--validator required/,
    )
    await assert.rejects(
      run([
        '--user',
        'u',
        '--lake-writer',
        'w',
        '--aggregator',
        'a',
        '--aggregator',
        'b',
        '--validator',
        'v',
      ]),
      /--aggregator is given more than once/,
    )
  })
})
