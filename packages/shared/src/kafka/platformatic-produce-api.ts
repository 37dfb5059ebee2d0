/**
 * The client's Produce API with its request written by `produce-request.ts`: same version, same
 * response parser, same connection path (retries, sequences and metadata stay the client's), only the
 * bytes are built in one buffer. Compressed requests still go through the client's own encoder.
 */
import { promisify } from 'node:util'
import {
  type API,
  createAPI,
  produceV3,
  produceV4,
  produceV5,
  produceV6,
  produceV7,
  produceV8,
  produceV9,
  produceV10,
  produceV11,
  Writer,
} from '@platformatic/kafka'
import {
  FIRST_FLEXIBLE,
  type ProduceMessage,
  type ProduceOptions,
  produceRequestBody,
  writesProduce,
} from './produce-request.ts'

type ProduceModule = { parseResponse: Parameters<typeof createAPI>[3] }
const MODULES: Record<number, ProduceModule> = {
  3: produceV3,
  4: produceV4,
  5: produceV5,
  6: produceV6,
  7: produceV7,
  8: produceV8,
  9: produceV9,
  10: produceV10,
  11: produceV11,
}
const ACKS_NONE = 0

const byVersion = new Map<number, API<unknown[], unknown>>()

/** `api` (the client's Produce at some version) writing uncompressed requests itself. */
export function onePassProduce<A extends Array<unknown>, R>(api: API<A, R>): API<A, R> {
  const module = MODULES[api.version]
  if (module === undefined) return api
  let ours = byVersion.get(api.version)
  if (ours === undefined) {
    const flexible = api.version >= FIRST_FLEXIBLE
    const create = (acks: number, timeout: number, messages: ProduceMessage[], options: ProduceOptions) => {
      const writer = Writer.create().append(produceRequestBody(api.version, acks, timeout, messages, options))
      if (acks === ACKS_NONE) writer.context.noResponse = true
      return writer
    }
    ours = createAPI(api.key, api.version, create as never, module.parseResponse, flexible, flexible)
    byVersion.set(api.version, ours)
  }
  const fast = ours as unknown as (connection: unknown, ...args: unknown[]) => void
  const client = api as unknown as (connection: unknown, ...args: unknown[]) => void
  const chosen = ((connection: unknown, ...args: unknown[]) => {
    const options = (args[3] ?? {}) as ProduceOptions
    ;(writesProduce(api.version, options) ? fast : client)(connection, ...args)
  }) as unknown as API<A, R>
  return Object.assign(chosen, { key: api.key, version: api.version, async: promisify(chosen) })
}
