import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import {
  Base,
  type CallbackWithPromise,
  kPerformWithRetry,
  MultipleErrors,
  NetworkError,
} from '@platformatic/kafka'
import { failedOnInflateLimit } from '../../src/kafka/bounded-fetch.ts'
import { BatchInflateLimitError } from '../../src/kafka/inflate.ts'

const bomb = () => new BatchInflateLimitError('gzip', 65_536, 1024 * 1024)

describe('BatchInflateLimitError in the client’s retry loop', () => {
  const client = new Base({
    clientId: 'inflate-retry',
    bootstrapBrokers: ['localhost:1'],
    retries: 5,
    retryDelay: 1,
  })
  after(() => client.close())

  it('is tried once: the client sees canRetry false and does not fetch and inflate it again', async () => {
    let attempts = 0
    const failed = await new Promise<Error | null>((resolve) => {
      client[kPerformWithRetry]<void>(
        'fetch',
        (callback) => {
          attempts++
          callback(bomb())
        },
        ((error: Error | null) => resolve(error)) as CallbackWithPromise<void>,
      )
    })
    assert.equal(attempts, 1)
    assert.ok(failed instanceof BatchInflateLimitError)
  })
})

describe('failedOnInflateLimit', () => {
  const table: [string, unknown, boolean][] = [
    ['the error itself', bomb(), true],
    [
      'wrapped in MultipleErrors',
      new MultipleErrors('fetch failed 2 times.', [new NetworkError('reset'), bomb()]),
      true,
    ],
    ['as a cause', new Error('decoding failed', { cause: bomb() }), true],
    ['a network error', new NetworkError('reset'), false],
    ['not an error', 'boom', false],
  ]
  for (const [name, error, expected] of table) {
    it(`${expected ? 'matches' : 'does not match'} ${name}`, () => {
      assert.equal(failedOnInflateLimit(error), expected)
    })
  }
})
