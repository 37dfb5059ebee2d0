/**
 * One lake round: a backlog of validated samples, then the lake-writer and the Iceberg Kafka Connect
 * sink each move it into a health_data_raw of their own (same definition, same kind of lake: a
 * SQLite catalog and a local warehouse, the lake-writer's default), in the order given. Both are
 * timed from their first partition assignment to the commit that completed the table, as a
 * long-running writer would be; the figures from starting the process (the JVM's start and
 * Connect's plugin scan, Node's start) are kept beside them.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { localTarget } from '@healthstream/lake-writer/testing'
import type { TestPipeline } from '@healthstream/testkit/stack'
import { processCpuSeconds } from '../cpu.ts'
import { timeToDrain } from '../lake-drain.ts'
import { stackPid } from '../stack.ts'
import { preloadValidated } from '../validated-preload.ts'
import { runIcebergSink } from './iceberg-connect.ts'
import type { LakeRoundResult, LakeSystem } from './round.ts'

/** The lake-writer's COMMIT_INTERVAL default, which the sink's commit interval is set to. */
const COMMIT_INTERVAL_MS = 10_000

export interface LakeBacklog {
  readonly rows: number
  readonly users: number
  readonly partitions: number
}

export async function lakeRound(
  pipeline: TestPipeline,
  backlog: LakeBacklog,
  order: readonly LakeSystem[],
  serviceEnv: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<LakeRoundResult[]> {
  await preloadValidated(
    { samples: backlog.rows, users: backlog.users, days: 7, partitions: backlog.partitions },
    pipeline.topics,
  )
  const out: LakeRoundResult[] = []
  for (const system of order) {
    const dir = mkdtempSync(join(tmpdir(), `hs-bench-${system}-`))
    const kafkaPid = stackPid('kafka')
    const kafkaBefore = kafkaPid === undefined ? undefined : processCpuSeconds(kafkaPid)
    const kafkaUsed = () => {
      const now = kafkaPid === undefined ? undefined : processCpuSeconds(kafkaPid)
      return now !== undefined && kafkaBefore !== undefined ? Math.round((now - kafkaBefore) * 100) / 100 : 0
    }
    try {
      if (system === 'lake-writer') {
        const run = await lakeWriter(pipeline, dir, backlog.rows, serviceEnv, timeoutMs)
        out.push({ ...run, kafkaCpuSeconds: kafkaUsed() })
      } else {
        const r = await runIcebergSink({
          brokers: process.env.KAFKA_BROKERS!,
          registryUrl: process.env.SCHEMA_REGISTRY_URL!,
          topic: pipeline.topics.validated,
          lake: localTarget(dir).settings,
          commitIntervalMs: COMMIT_INTERVAL_MS,
          tasks: 1,
          expectedRows: backlog.rows,
          timeoutMs,
        })
        out.push({
          system,
          rows: r.rows,
          seconds: r.elapsedMsSinceAssigned / 1000,
          cpuSeconds: r.cpuSecondsSinceAssigned,
          fromStart: { seconds: r.elapsedMs / 1000, cpuSeconds: r.cpuSeconds },
          kafkaCpuSeconds: kafkaUsed(),
          peakRssMiB: Math.round(r.peakRssMiB),
          settings: {
            'iceberg.control.commit.interval-ms': String(COMMIT_INTERVAL_MS),
            'tasks.max': '1',
            heap: '-Xms256m -Xmx2g (connect-standalone.sh)',
            // Else a poll with nothing left to read waits for the next offset flush (60 s), longer
            // than the sink's commit timeout: the sink's commits would take minutes
            'offset.flush.interval.ms': '1000',
          },
        })
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return out
}

/**
 * One lake-writer with its defaults until the table records the topic's end offsets (`timeToDrain`,
 * timed from its first partition assignment); the figures from its start are read around it.
 */
async function lakeWriter(
  pipeline: TestPipeline,
  dir: string,
  rows: number,
  serviceEnv: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<Omit<LakeRoundResult, 'kafkaCpuSeconds'>> {
  const target = localTarget(dir)
  const writer = pipeline.service('lake-writer', { ...serviceEnv, ...target.env })
  const started = performance.now()
  try {
    const drain = { timeoutMs, until: 'offsets' as const, samples: rows, commitMaxRows: '100000' }
    const r = await timeToDrain([writer], target, pipeline.topics.validated, drain)
    const cpuFromStart = writer.pid === undefined ? undefined : processCpuSeconds(writer.pid)
    return {
      system: 'lake-writer',
      rows,
      seconds: r.seconds,
      cpuSeconds: (r.cpu.cores['lake-writer'] ?? Number.NaN) * r.cpu.seconds,
      fromStart: { seconds: (performance.now() - started) / 1000, cpuSeconds: cpuFromStart ?? Number.NaN },
      peakRssMiB: Math.round(r.peakMiB),
      settings: { COMMIT_INTERVAL: '10s (default)', COMMIT_MAX_ROWS: '100000 (default)', ...serviceEnv },
    }
  } finally {
    await writer.stop().catch(() => undefined)
  }
}
