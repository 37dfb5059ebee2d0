/**
 * The fetch the consumer falls back to when the client's failed on a batch that inflates beyond the
 * bound (`BatchInflateLimitError`): the same positions, asked again on the same connections, decoded by
 * `parseFetchResponse`, which keeps what is readable and marks the oversized batch. A sessionless
 * Fetch (session id 0, epoch -1), so the client's incremental fetch session is left alone.
 */
import {
  type ClusterMetadata,
  type Connection,
  type ConnectionPool,
  type Consumer,
  FetchIsolationLevels,
  fetchV13,
  fetchV14,
  fetchV15,
  fetchV16,
  fetchV17,
  type Writer,
} from '@platformatic/kafka'
import { KafkaErrorCode, KafkaLoopError } from './errors.ts'
import { type FetchResponse, parseFetchResponse } from './fetch-response.ts'
import { BATCH_INFLATE_LIMIT } from './inflate.ts'
import { clientDecompress, inflatedBatchLimit } from './inflate-guard.ts'
import { hasErrorCode } from './platformatic-errors.ts'
import { decodeResponse, fetchRequest } from './platformatic-fetch.ts'
import type { FetchOptions, FetchResult, PartitionOffset } from './ports.ts'

const FETCH_API_KEY = 1
/** Fetch versions `parseFetchResponse` reads, newest first. */
const REQUESTS = [fetchV17, fetchV16, fetchV15, fetchV14, fetchV13] as const
const NO_SESSION = { id: 0, epoch: -1 }

/**
 * True when a failed fetch failed because a batch inflates beyond the bound: the error itself (the
 * client does not retry it) or nested in a MultipleErrors or a cause.
 */
export function failedOnInflateLimit(error: unknown): boolean {
  return hasErrorCode(error, BATCH_INFLATE_LIMIT)
}

/** What `fetchBounded` needs of the consumer. */
export interface BoundedFetchClients {
  /** Tells the broker's Fetch versions. */
  readonly client: Pick<Consumer, 'listApis'>
  /** The consumer's fetch connections. */
  readonly pool: ConnectionPool
}

/**
 * Fetches `positions` from broker `node` and decodes the response with the inflate bound. Partitions
 * the broker answers with an error are left where they are (no records, no new position): the next
 * ordinary fetch meets the error again and handles it as usual.
 */
export async function fetchBounded(
  clients: BoundedFetchClients,
  node: number,
  positions: readonly PartitionOffset[],
  metadata: ClusterMetadata,
  options: FetchOptions,
): Promise<FetchResult> {
  const broker = metadata.brokers.get(node)
  if (broker === undefined) throw transient(`broker ${node} is not in the metadata`)
  const request = await requestVersion(clients.client)
  const connection = await clients.pool.get(broker)
  const topics = fetchRequest(positions, metadata, options.maxBytes)
  const payload = () =>
    request.createRequest(
      0, // max_wait_ms: the data is there, the failed fetch saw it
      1,
      options.maxBytes,
      FetchIsolationLevels.READ_COMMITTED,
      NO_SESSION.id,
      NO_SESSION.epoch,
      topics,
      [],
      '',
    )
  const response = await send(connection, request.api.version, payload, inflatedBatchLimit())
  if (response.errorCode !== 0) throw transient(`the broker answered error ${response.errorCode}`)
  const answered = {
    responses: response.responses.map((t) => ({
      topicId: t.topicId,
      partitions: t.partitions.filter((p) => p.errorCode === 0),
    })),
  }
  return decodeResponse(answered, positions, metadata)
}

type FetchRequestModule = (typeof REQUESTS)[number]

/** The newest Fetch version both the broker and `parseFetchResponse` know. */
async function requestVersion(client: Pick<Consumer, 'listApis'>): Promise<FetchRequestModule> {
  const apis = await client.listApis()
  const fetch = apis.find((api) => api.apiKey === FETCH_API_KEY)
  const request = REQUESTS.find(
    (r) => fetch !== undefined && r.api.version <= fetch.maxVersion && r.api.version >= fetch.minVersion,
  )
  if (request === undefined) {
    throw new KafkaLoopError(
      KafkaErrorCode.FATAL,
      `fetch: the broker's Fetch versions ${fetch?.minVersion}..${fetch?.maxVersion} exclude 13..17, which reading a batch beyond the inflate bound needs (Kafka ≥ 3.1)`,
    )
  }
  return request
}

/** Sends one Fetch request and parses its response with the bound. */
function send(
  connection: Connection,
  version: number,
  payload: () => Writer,
  limit: number,
): Promise<FetchResponse> {
  return new Promise((resolve, reject) => {
    connection.send<FetchResponse>(
      FETCH_API_KEY,
      version,
      payload,
      (_correlationId, _apiKey, _apiVersion, reader) => parseFetchResponse(reader, limit, clientDecompress),
      true,
      true,
      (error, response) => (error ? reject(error) : resolve(response!)),
    )
  })
}

function transient(message: string): KafkaLoopError {
  return new KafkaLoopError(KafkaErrorCode.TRANSIENT, `fetch beyond the inflate bound: ${message}`)
}
