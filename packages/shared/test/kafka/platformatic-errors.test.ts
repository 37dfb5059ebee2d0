import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MultipleErrors, NetworkError, ResponseError, UnsupportedApiError } from '@platformatic/kafka'
import { KafkaErrorCode } from '../../src/kafka/errors.ts'
import { classifyKafkaError } from '../../src/kafka/platformatic-errors.ts'

/** A broker response carrying one error code, as the client raises it (API 26 = EndTxn). */
const brokerError = (code: number) => new ResponseError(26, 4, { '': [code, null] }, {})

test('classifies broker and client errors by how the loop must react', () => {
  const table: [string, Error, KafkaErrorCode][] = [
    ['PRODUCER_FENCED', brokerError(90), KafkaErrorCode.PRODUCER_FENCED],
    ['INVALID_PRODUCER_EPOCH', brokerError(47), KafkaErrorCode.PRODUCER_FENCED],
    ['ILLEGAL_GENERATION', brokerError(22), KafkaErrorCode.REBALANCED],
    ['UNKNOWN_MEMBER_ID', brokerError(25), KafkaErrorCode.REBALANCED],
    ['REBALANCE_IN_PROGRESS', brokerError(27), KafkaErrorCode.REBALANCED],
    ['CONCURRENT_TRANSACTIONS', brokerError(51), KafkaErrorCode.TRANSIENT],
    ['COORDINATOR_NOT_AVAILABLE', brokerError(15), KafkaErrorCode.TRANSIENT],
    ['TRANSACTIONAL_ID_AUTHORIZATION_FAILED', brokerError(53), KafkaErrorCode.FATAL],
    ['FENCED_INSTANCE_ID', brokerError(82), KafkaErrorCode.FATAL],
    ['a network error', new NetworkError('socket closed'), KafkaErrorCode.TRANSIENT],
    ['an unsupported API', new UnsupportedApiError('no TxnOffsetCommit'), KafkaErrorCode.FATAL],
    ['an unknown error', new Error('???'), KafkaErrorCode.TRANSIENT],
  ]
  for (const [name, error, code] of table) {
    const classified = classifyKafkaError(error, 'commit')
    assert.equal(classified.code, code, name)
    assert.equal(classified.cause, error, `${name} keeps its cause`)
  }
})

test('finds the fencing error nested among retriable ones and names it in the message', () => {
  const nested = new MultipleErrors('Producing messages failed.', [
    new NetworkError('reset'),
    brokerError(90),
  ])
  const classified = classifyKafkaError(nested, 'produce in transaction')
  assert.equal(classified.code, KafkaErrorCode.PRODUCER_FENCED)
  assert.equal(classified.canRetry, false)
  assert.match(classified.message, /^produce in transaction: .*PRODUCER_FENCED/)
})
