import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  AuthenticationError,
  MultipleErrors,
  NetworkError,
  ResponseError,
  TimeoutError,
  UnsupportedApiError,
} from '@platformatic/kafka'
import { KafkaErrorCode } from '../../src/kafka/errors.ts'
import { classifyKafkaError } from '../../src/kafka/platformatic-errors.ts'

/** A broker response carrying one error code, as the client raises it (API 26 = EndTxn). */
const brokerError = (code: number) => new ResponseError(26, 4, { '': [code, null] }, {})

/** A failed SASL exchange as the connection reports it: NetworkError('Connection … failed') around it. */
const connectionFailed = (cause: Error) => new NetworkError('Connection to kafka:9094 failed.', { cause })

/** A SCRAM round trip that failed on `cause`, wrapped the way scram-sha.js wraps it. */
const scramFailed = (cause: Error) =>
  connectionFailed(new AuthenticationError('SASL authentication failed.', { cause }))

/** A Node socket error (`read ECONNRESET` …) as the client's connection wraps it. */
const socketError = (code: string) =>
  new NetworkError('Connection closed', { cause: Object.assign(new Error(`read ${code}`), { code }) })

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
    // API 36 = SaslAuthenticate, 17 = SaslHandshake
    [
      'a refused password (SASL_AUTHENTICATION_FAILED)',
      scramFailed(new ResponseError(36, 2, { '': [58, 'Authentication failed'] }, {})),
      KafkaErrorCode.FATAL,
    ],
    [
      'a refused mechanism (UNSUPPORTED_SASL_MECHANISM)',
      connectionFailed(
        new AuthenticationError('Cannot find a suitable SASL mechanism.', {
          cause: new ResponseError(17, 1, { '': [33, null] }, {}),
        }),
      ),
      KafkaErrorCode.FATAL,
    ],
    [
      'a SCRAM server signature that does not verify',
      connectionFailed(new AuthenticationError('Invalid server signature.')),
      KafkaErrorCode.FATAL,
    ],
    [
      'a connection closed during SCRAM',
      scramFailed(new NetworkError('Connection closed')),
      KafkaErrorCode.TRANSIENT,
    ],
    [
      'a SaslHandshake that timed out',
      connectionFailed(
        new AuthenticationError('Cannot find a suitable SASL mechanism.', {
          cause: new TimeoutError('Request timed out', { canRetry: true }),
        }),
      ),
      KafkaErrorCode.TRANSIENT,
    ],
    [
      'a socket reset during SCRAM (ECONNRESET)',
      scramFailed(socketError('ECONNRESET')),
      KafkaErrorCode.TRANSIENT,
    ],
    ['a broken pipe during SCRAM (EPIPE)', scramFailed(socketError('EPIPE')), KafkaErrorCode.TRANSIENT],
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
