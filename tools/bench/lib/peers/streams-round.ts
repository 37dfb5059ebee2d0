/**
 * One round of the Kafka Streams peer over a preloaded backlog: the simulator fills a fresh raw topic
 * (the same seed as Healthstream's rounds), then one JVM runs two passes over it, each under an
 * application id of its own: the first is the fresh JVM's figure, the second the warmed-up JVM's.
 * The broker's CPU is read at each pass's end, so each pass carries its own share.
 */
import { createAdmin, ensureTopics } from '@healthstream/shared/kafka'
import type { TestPipeline } from '@healthstream/testkit/stack'
import { processCpuSeconds } from '../cpu.ts'
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
  let kafkaCpu = kafkaPid === undefined ? undefined : processCpuSeconds(kafkaPid)
  // Each pass's watch knows the JVM and the broker, so the machine's other load leaves them out
  let jvm: number | undefined
  let watch = new ProcessWatch({ kafka: kafkaPid })
  const kafkaShare: number[] = []
  const machine: { busyCores: number; otherCores: number }[] = []
  const passes = await runKafkaStreams({
    brokers: process.env.KAFKA_BROKERS!,
    registryUrl: process.env.SCHEMA_REGISTRY_URL!,
    input: t.raw,
    outputs: { validated: t.validated, errors: t.errors, aggregates: t.aggregates },
    applicationId: `${pipeline.prefix}kafka-streams-peer`,
    passes: 2,
    semantics: { dedupHorizonMs: horizonMs(serviceEnv.DEDUP_HORIZON) },
    onPid: (pid) => {
      jvm = pid
      watch.add('kafka-streams', pid)
    },
    onPass: () => {
      const now = kafkaPid === undefined ? undefined : processCpuSeconds(kafkaPid)
      kafkaShare.push(now !== undefined && kafkaCpu !== undefined ? now - kafkaCpu : 0)
      kafkaCpu = now
      watch.read()
      machine.push(watch.machine())
      watch = new ProcessWatch({ 'kafka-streams': jvm, kafka: kafkaPid })
    },
  })
  if (passes.length !== 2) throw new Error(`the Kafka Streams peer reported ${passes.length} passes, not 2`)
  return passes.map((pass, i) => result(pass, i, sim.samplesSent, kafkaShare[i] ?? 0, machine[i]))
}

function result(
  pass: KafkaStreamsPass,
  index: number,
  samples: number,
  kafkaSeconds: number,
  machine: { busyCores: number; otherCores: number } | undefined,
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
      kafka: { cpuSeconds: Math.round(kafkaSeconds * 100) / 100, peakRssMiB: 0 },
    },
    app: ['kafka-streams'],
    outputs: { validated: pass.validated, deadLetters: pass.deadLetters, aggregates: pass.aggregatesOut },
    settings: { heap: '1g', passes: '2', 'processing.guarantee': 'exactly_once_v2' },
    // The pass's own window is not known to the second here; the machine's load over the pass is
    machine: machine ?? { busyCores: 0, otherCores: 0 },
  }
}

/** DEDUP_HORIZON as the services read it (`1h`, `30m`, `90s`), in ms. */
function horizonMs(value: string | undefined): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(value ?? '')
  if (!m) return undefined
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    m[2] as 'ms' | 's' | 'm' | 'h' | 'd'
  ]
  return Number(m[1]) * unit
}
