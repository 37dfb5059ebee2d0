import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { AvroDeserializer, HttpSchemaRegistry, healthDataBatchV2 } from '@healthstream/shared/avro'
import type { HealthSample } from '@healthstream/shared/domain'
import { readCommittedTopic } from '@healthstream/shared/kafka'
import { TopicSchemas } from '@healthstream/shared/topics'
import {
  type CraftedBatch,
  endpoint,
  eventually,
  produceBatch,
  readErrors,
  testPipeline,
  zeroBombBatch,
} from '@healthstream/testkit/stack'
import { encodedRawBatch } from '@healthstream/testkit/upstream'
import { Producer } from '@platformatic/kafka'

const MiB = 1024 * 1024
/** Zeros in the bomb's one record: the largest value the client can still parse (its varints are 32-bit). */
const BOMB_VALUE_BYTES = 1023 * MiB
/** Generous: ingest idles at about 150 MiB; one bomb inflated would be over 1 GiB. */
const RSS_BOUND = 600 * MiB
const USER = 'user-bomb'
const PARTITION = 0

/** Peak resident memory (VmHWM) of a process, in bytes. */
function peakRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'))
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? Number.NaN) * 1024
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`

/** The runtimes ingest runs on: the command that runs a TypeScript file. */
const RUNTIMES: [string, () => readonly string[]][] = [
  ['Node', () => [process.execPath]],
  ['Bun', () => [endpoint('BUN_BIN')]],
  ['Deno', () => [endpoint('DENO_BIN'), 'run', '--allow-all']],
]

for (const [runtime, command] of RUNTIMES)
  describe(`ingest on ${runtime} and decompression bombs on health-data-raw`, () => {
    const pipeline = testPipeline(`bomb-${runtime.toLowerCase()}`)
    const ingest = pipeline.service('ingest').onRuntime(command())
    const registry = new HttpSchemaRegistry({ url: endpoint('SCHEMA_REGISTRY_URL') })
    const producer = new Producer({ clientId: 'test-bomb', bootstrapBrokers: [endpoint('KAFKA_BROKERS')] })
    let schemaId = 0
    before(async () => {
      schemaId = await registry.register(`${pipeline.topics.raw}-value`, healthDataBatchV2)
      await ingest.start()
    })
    after(async () => {
      await ingest.stop()
      await producer.close()
    })

    /** A well-formed raw batch on the test partition, compressed or not; resolves to its offset. */
    async function good(batchId: string, compression: 'none' | 'gzip' | 'zstd'): Promise<bigint> {
      const message = { topic: pipeline.topics.raw, partition: PARTITION, key: Buffer.from(USER) }
      const sent = await producer.send({
        messages: [{ ...message, value: encodedRawBatch(schemaId, batchId, USER) }],
        compression,
        acks: -1,
      })
      return sent.offsets![0]!.offset
    }

    it('dead-letters a gzip and a zstd bomb, stays within its memory and processes the batches behind them', async () => {
      await good('warm-up', 'none')
      await eventually('the warm-up sample', async () => (await sampleIds()).has('warm-up-0'))
      const idle = peakRss(ingest.pid!)

      const bombs: (CraftedBatch & { codec: string; offset: bigint })[] = []
      await good('before', 'gzip')
      for (const codec of ['gzip', 'zstd'] as const) {
        const bomb = await zeroBombBatch(codec, BOMB_VALUE_BYTES)
        const offset = await produceBatch(pipeline.topics.raw, PARTITION, bomb.bytes)
        bombs.push({ ...bomb, codec, offset })
        await good(`after-${codec}`, codec === 'gzip' ? 'none' : 'zstd')
      }
      const started = Date.now()

      await eventually('the samples behind both bombs', async () => {
        const ids = await sampleIds()
        return ['before-0', 'after-gzip-0', 'after-zstd-0'].every((id) => ids.has(id))
      })
      const errors = await readErrors(pipeline.topics.errors)
      const peak = peakRss(ingest.pid!)
      const metrics = await (await ingest.fetch('/metrics')).text()

      for (const bomb of bombs) {
        console.log(
          `${bomb.codec} bomb at offset ${bomb.offset}: ${bomb.compressedBytes} bytes compressed, ` +
            `${mib(bomb.inflatedBytes)} inflated`,
        )
      }
      console.log(
        `${runtime}: ingest VmHWM ${mib(idle)} before the bombs, ${mib(peak)} after (bound ${mib(RSS_BOUND)}); ` +
          `samples behind the bombs out after ${Date.now() - started} ms`,
      )
      assert.ok(peak < RSS_BOUND, `peak RSS ${mib(peak)} stays under ${mib(RSS_BOUND)}`)
      assert.ok(ingest.running, 'ingest did not exit')
      assert.deepEqual(ingest.unexpectedExits, [])

      const deadLetters = errors.filter((e) => e.reasonCode === 'BATCH_INFLATE_LIMIT')
      assert.deepEqual(
        deadLetters.map((e) => [e.sourceTopic, e.sourcePartition, BigInt(e.sourceOffset)]),
        bombs.map((b) => [pipeline.topics.raw, PARTITION, b.offset]),
        'one dead letter per bomb, naming its offset',
      )
      for (const [i, e] of deadLetters.entries()) {
        assert.equal(e.stage, 'ingest')
        assert.match(
          e.message,
          new RegExp(`${bombs[i]!.compressedBytes} bytes of ${bombs[i]!.codec} inflate`),
        )
        console.log(`dead letter ${e.errorId}: ${e.message}`)
      }
      assert.match(metrics, /healthstream_dead_letters_total\{[^}]*reason="BATCH_INFLATE_LIMIT"[^}]*\} 2/)
      const logged = ingest.lines.filter((l) => l.includes('beyond the inflate bound')).length
      assert.ok(logged >= 2, `logged each bomb (${logged} lines)`)
    })

    /** Sample ids ingest wrote (read_committed). */
    async function sampleIds(): Promise<Set<string>> {
      const decoder = new AvroDeserializer<HealthSample>({ registry, readerSchema: TopicSchemas.samples })
      const kafka = { bootstrapBrokers: [endpoint('KAFKA_BROKERS')], clientId: 'test-bomb-reader' }
      const ids = new Set<string>()
      for (const record of await readCommittedTopic(kafka, pipeline.topics.samples)) {
        const decoded = await decoder.decode(record.value ?? Buffer.alloc(0))
        if (decoded.ok) ids.add(decoded.value.sampleId)
      }
      return ids
    }
  })
