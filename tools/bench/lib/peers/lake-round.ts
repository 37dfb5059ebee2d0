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
import { setTimeout as sleep } from 'node:timers/promises'
import { TableNames } from '@healthstream/lake-writer/tables'
import { drained, localTarget } from '@healthstream/lake-writer/testing'
import type { TestPipeline } from '@healthstream/testkit/stack'
import { processCpuSeconds } from '../cpu.ts'
import { stackPid } from '../stack.ts'
import { preloadValidated } from '../validated-preload.ts'
import { runIcebergSink } from './iceberg-connect.ts'
import { memoryMiB } from './process-use.ts'
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

/** One lake-writer with its defaults, from its start until the table records the topic's end offsets. */
async function lakeWriter(
  pipeline: TestPipeline,
  dir: string,
  rows: number,
  serviceEnv: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<Omit<LakeRoundResult, 'kafkaCpuSeconds'>> {
  const target = localTarget(dir)
  const settings = { ...serviceEnv, ...target.env }
  const writer = pipeline.service('lake-writer', settings)
  const started = performance.now()
  const deadline = Date.now() + timeoutMs
  const cpu = () => (writer.pid === undefined ? Number.NaN : (processCpuSeconds(writer.pid) ?? Number.NaN))
  try {
    await writer.start()
    while (!writer.lines.some((l) => l.includes('"msg":"partitions assigned"'))) {
      if (Date.now() > deadline) throw new Error('the lake-writer was assigned no partitions')
      await sleep(10)
    }
    const assigned = { at: performance.now(), cpu: cpu() }
    let peak = 0
    for (;;) {
      peak = Math.max(peak, memoryMiB(writer.pid)?.peak ?? 0)
      const cpuSeconds = cpu()
      if (await drained(target, TableNames.raw, pipeline.topics.validated).catch(() => false))
        return {
          system: 'lake-writer',
          rows,
          seconds: (performance.now() - assigned.at) / 1000,
          cpuSeconds: cpuSeconds - assigned.cpu,
          fromStart: { seconds: (performance.now() - started) / 1000, cpuSeconds },
          peakRssMiB: Math.round(peak),
          settings: { COMMIT_INTERVAL: '10s (default)', COMMIT_MAX_ROWS: '100000 (default)', ...serviceEnv },
        }
      if (Date.now() > deadline)
        throw new Error(`the lake-writer did not drain ${rows} rows in ${timeoutMs / 1000} s`)
      await sleep(100)
    }
  } finally {
    await writer.stop().catch(() => undefined)
  }
}
