/**
 * One round of the Kafka Streams peer over a preloaded backlog: the simulator fills a fresh raw topic
 * (the same seed as Healthstream's rounds), then one JVM runs two passes over it, each under an
 * application id of its own: the first is the fresh JVM's figure, the second the warmed-up JVM's.
 * The broker's CPU is read at each pass's end, so each pass carries its own share.
 */
import { createAdmin, ensureTopics } from '@healthstream/shared/kafka'
import { duration } from '@healthstream/shared/platform'
import type { TestPipeline } from '@healthstream/testkit/stack'
import { runSimulator } from '../e2e-run.ts'
import { stackPid } from '../stack.ts'
import { type KafkaStreamsPass, runKafkaStreams } from './kafka-streams.ts'
import { ProcessWatch } from './process-use.ts'
import type { Preload, RoundResult } from './round.ts'

export async function streamsRound(
  pipeline: TestPipeline,
  preload: Preload,
  serviceEnv: Readonly<Record<string, string>>,
): Promise<RoundResult[]> {
  const t = pipeline.topics
  const sim = await runSimulator({ ...preload, rate: 0 }, t.raw, () => undefined)
  const admin = createAdmin({ bootstrapBrokers: [process.env.KAFKA_BROKERS!], clientId: 'bench-peers' })
  await ensureTopics(
    admin,
    [t.validated, t.errors, t.aggregates].map((topic) => ({ topic, partitions: preload.partitions })),
  ).finally(() => admin.close())
  const kafkaPid = stackPid('kafka')
  // Each pass's watch knows the JVM and the broker: the broker's share and the machine's other load
  let jvm: number | undefined
  let watch = new ProcessWatch({ kafka: kafkaPid })
  const watched: { kafkaSeconds: number; machine: { busyCores: number; otherCores: number } }[] = []
  const passes = await runKafkaStreams({
    brokers: process.env.KAFKA_BROKERS!,
    registryUrl: process.env.SCHEMA_REGISTRY_URL!,
    input: t.raw,
    outputs: { validated: t.validated, errors: t.errors, aggregates: t.aggregates },
    applicationId: `${pipeline.prefix}kafka-streams-peer`,
    passes: 2,
    semantics: { dedupHorizonMs: dedupHorizonMs(serviceEnv.DEDUP_HORIZON) },
    onPid: (pid) => {
      jvm = pid
      watch.add('kafka-streams', pid)
    },
    onPass: () => {
      watch.read()
      watched.push({ kafkaSeconds: watch.use().kafka?.cpuSeconds ?? 0, machine: watch.machine() })
      watch = new ProcessWatch({ 'kafka-streams': jvm, kafka: kafkaPid })
    },
  })
  if (passes.length !== 2) throw new Error(`the Kafka Streams peer reported ${passes.length} passes, not 2`)
  return passes.map((pass, i) => result(pass, i, sim.samplesSent, watched[i]))
}

function result(
  pass: KafkaStreamsPass,
  index: number,
  samples: number,
  watched: { kafkaSeconds: number; machine: { busyCores: number; otherCores: number } } | undefined,
): RoundResult {
  if (pass.samples !== samples)
    throw new Error(
      `the Kafka Streams peer read ${pass.samples} samples in pass ${pass.pass}, not ${samples}`,
    )
  return {
    system: index === 0 ? 'kafka-streams-fresh' : 'kafka-streams-warm',
    samples,
    seconds: pass.elapsedMs / 1000,
    processes: {
      'kafka-streams': { cpuSeconds: pass.processCpuMs / 1000, peakRssMiB: pass.peakRssMiB },
      kafka: { cpuSeconds: watched?.kafkaSeconds ?? 0, peakRssMiB: 0 },
    },
    app: ['kafka-streams'],
    outputs: { validated: pass.validated, deadLetters: pass.deadLetters, aggregates: pass.aggregatesOut },
    settings: { heap: '1g', passes: '2', 'processing.guarantee': 'exactly_once_v2' },
    machine: watched?.machine ?? { busyCores: 0, otherCores: 0 },
  }
}

const DEDUP_HORIZON = duration('the validator’s duplicate horizon')

/** The services' DEDUP_HORIZON, parsed as the validator parses it, in ms (undefined: the default). */
const dedupHorizonMs = (value: string | undefined): number | undefined =>
  value === undefined ? undefined : DEDUP_HORIZON.parse(value)
