import { type API, addPartitionsToTxnV3, type Callback, kGetApi, Producer } from '@platformatic/kafka'

/** The newest AddPartitionsToTxn a client may send: v4 and later are the brokers' own (KIP-890). */
const CLIENT_ADD_PARTITIONS_VERSION = 3

/**
 * A `Producer` that adds partitions to its transactions with AddPartitionsToTxn v3. @platformatic/kafka
 * 2.12 sends the newest version the broker offers, v5 on Kafka 4; brokers answer v4 and later only to
 * principals allowed CLUSTER_ACTION (it is the request one broker sends another to verify a
 * transaction), so on a cluster with ACLs every transaction of a service failed with
 * CLUSTER_AUTHORIZATION_FAILED. Granting services CLUSTER_ACTION would let them write transaction
 * markers; v3 needs WRITE on the transactional id and the topics only, and means the same to the
 * coordinator. Without ACLs nothing changes but the version on the wire.
 */
export class TransactionalProducer extends Producer {
  override [kGetApi]<RequestArguments extends Array<unknown>, ResponseType>(
    name: string,
    callback: Callback<API<RequestArguments, ResponseType>>,
  ): void {
    if (name !== 'AddPartitionsToTxn') {
      super[kGetApi](name, callback)
      return
    }
    super[kGetApi]<RequestArguments, ResponseType>(name, (error, api) => {
      if (error !== null || api === undefined || api.version <= CLIENT_ADD_PARTITIONS_VERSION) {
        callback(error, api)
        return
      }
      // The same arguments and response shape: the client's v3 takes the batched form and adapts it
      callback(null, addPartitionsToTxnV3.api as unknown as API<RequestArguments, ResponseType>)
    })
  }
}
