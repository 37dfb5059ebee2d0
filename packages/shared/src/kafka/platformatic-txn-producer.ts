import {
  type API,
  addPartitionsToTxnV3,
  type Callback,
  kGetApi,
  kListApis,
  Producer,
  UnsupportedError,
} from '@platformatic/kafka'
import { onePassProduce } from './platformatic-produce-api.ts'

/**
 * The AddPartitionsToTxn this client sends: v3, the last version of a transaction-version-0 client.
 * Kafka's TransactionVersion (KIP-890) reads AddPartitionsToTxn above v3 as the sign of a TV2 client;
 * @platformatic/kafka 2.12 ends transactions with EndTxn ≤ v4 and produces with Produce ≤ v11, the
 * TV0 forms, so v3 is the version that says what this client does, with or without ACLs.
 */
const CLIENT_ADD_PARTITIONS_VERSION = 3

/**
 * A `Producer` that adds partitions to its transactions with AddPartitionsToTxn v3. @platformatic/kafka
 * 2.12 sends the newest version the broker offers, v5 on Kafka 4, which is wrong twice: v4 and later
 * mark a TV2 client (one that ends its transactions with EndTxn ≥ v5, which this client never sends),
 * and v4 and later are also the form one broker sends another to verify a transaction, answered only
 * to principals allowed CLUSTER_ACTION — so on a cluster with ACLs every transaction of a service
 * failed with CLUSTER_AUTHORIZATION_FAILED. v3 needs WRITE on the transactional id and the topics only.
 * A broker that no longer accepts v3 is refused with an UNSUPPORTED error rather than spoken to in a
 * version that misstates the client's transaction protocol. Its Produce requests are written in one
 * pass (`onePassProduce`), and `addOffsetsAtOnce` puts a transaction's offsets in one request.
 */
export class TransactionalProducer extends Producer {
  /** The lowest AddPartitionsToTxn the broker accepts, once asked. */
  #brokerMinimum: number | undefined
  /** What the TxnOffsetCommit being sent carries instead of the one partition the client put in it. */
  #offsetTopics: readonly TxnOffsetTopic[] | undefined

  /**
   * Adds the offsets of every partition to the transaction in one TxnOffsetCommit. The client sends one
   * request per partition (and merges concurrent calls into the first one's), a round trip to the group
   * coordinator each: `commit(first)` is the client's own path — its retries, its coordinator lookup,
   * its error handling — with the request's partitions replaced by all of `topics`.
   */
  async addOffsetsAtOnce(commit: () => Promise<void>, topics: readonly TxnOffsetTopic[]): Promise<void> {
    this.#offsetTopics = topics
    try {
      await commit()
    } finally {
      this.#offsetTopics = undefined
    }
  }

  override [kGetApi]<RequestArguments extends Array<unknown>, ResponseType>(
    name: string,
    callback: Callback<API<RequestArguments, ResponseType>>,
  ): void {
    if (name === 'TxnOffsetCommit' && this.#offsetTopics !== undefined) {
      const topics = this.#offsetTopics
      super[kGetApi]<RequestArguments, ResponseType>(name, (error, api) =>
        callback(error, api === undefined ? api : withTopics(api, topics)),
      )
      return
    }
    if (name === 'Produce') {
      super[kGetApi]<RequestArguments, ResponseType>(name, (error, api) =>
        callback(error, api === undefined ? api : onePassProduce(api)),
      )
      return
    }
    if (name !== 'AddPartitionsToTxn') {
      super[kGetApi](name, callback)
      return
    }
    super[kGetApi]<RequestArguments, ResponseType>(name, (error, api) => {
      if (error !== null || api === undefined || api.version <= CLIENT_ADD_PARTITIONS_VERSION) {
        callback(error, api)
        return
      }
      this.#minimumVersion((error, minimum) => {
        if (error !== null) callback(error)
        else if (minimum > CLIENT_ADD_PARTITIONS_VERSION) callback(unsupported(minimum))
        // The same arguments and response shape: the client's v3 takes the batched form and adapts it
        else callback(null, addPartitionsToTxnV3.api as unknown as API<RequestArguments, ResponseType>)
      })
    })
  }

  /** The broker's lowest AddPartitionsToTxn version, asked once per producer. */
  #minimumVersion(callback: (error: Error | null, minimum: number) => void): void {
    if (this.#brokerMinimum !== undefined) {
      callback(null, this.#brokerMinimum)
      return
    }
    this[kListApis]((error, apis) => {
      if (error !== null) {
        callback(error, 0)
        return
      }
      const minimum = apis?.find((a) => a.name === 'AddPartitionsToTxn')?.minVersion ?? 0
      this.#brokerMinimum = minimum
      callback(null, minimum)
    })
  }
}

/** A topic's partitions in a TxnOffsetCommit request: the next offset to read of each. */
export interface TxnOffsetTopic {
  readonly name: string
  readonly partitions: readonly {
    readonly partitionIndex: number
    readonly committedOffset: bigint
    /** -1: unknown, as the Java client sends when the consumer did not track it */
    readonly committedLeaderEpoch: number
    readonly committedMetadata: string | null
  }[]
}

/** TxnOffsetCommit `api` with its topics argument (the last before the callback) replaced. */
function withTopics<A extends Array<unknown>, R>(
  api: API<A, R>,
  topics: readonly TxnOffsetTopic[],
): API<A, R> {
  const replaced = ((connection: unknown, ...args: unknown[]) => {
    const callback = typeof args.at(-1) === 'function' ? args.pop() : undefined
    args[args.length - 1] = topics
    ;(api as unknown as (...a: unknown[]) => void)(connection, ...args, ...(callback ? [callback] : []))
  }) as unknown as API<A, R>
  return Object.assign(replaced, { key: api.key, version: api.version, async: api.async })
}

function unsupported(minimum: number): UnsupportedError {
  return new UnsupportedError(
    `the broker accepts AddPartitionsToTxn v${minimum} and later only; this client sends v${CLIENT_ADD_PARTITIONS_VERSION} ` +
      '(transaction version 0: EndTxn ≤ v4): use a broker that still accepts transaction version 0 clients',
    { minVersion: minimum },
  )
}
