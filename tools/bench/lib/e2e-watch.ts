/**
 * What the end-to-end benchmark watches of the chain: each service's group, input topics and progress
 * in samples, and each hop's backlog in samples with what it holds in flight anyway.
 */
import { TableNames } from '@healthstream/lake-writer/tables'
import type { ServiceProcess, TestPipeline } from '@healthstream/testkit/stack'
import { lagLabel, type Watched } from './e2e-monitor.ts'
import { outTotal } from './throughput.ts'

export const SERVICES = ['ingest', 'validator', 'aggregator', 'lake-writer'] as const

export type Services = Record<(typeof SERVICES)[number], ServiceProcess>

/** What the monitor reads of each service: its group, its input topics, its progress in samples. */
export function watchList(services: Services, pipeline: TestPipeline): Watched[] {
  const group = (name: string) => `${pipeline.prefix}healthstream-${name}`
  const t = pipeline.topics
  const w = (name: keyof Services, inputs: string[], progress: Watched['progress']): Watched => ({
    service: services[name],
    group: group(name),
    inputs,
    progress,
  })
  return [
    w('ingest', [t.raw], outTotal),
    w('validator', [t.samples], (c) => c.recordsIn),
    w('aggregator', [t.validated], (c) => c.recordsIn),
    w('lake-writer', [t.validated, t.aggregates, t.errors], (c) => c.recordsOut[TableNames.raw] ?? 0),
  ]
}

/**
 * Each hop's backlog in samples (a raw record is an upload; the lake-writer's backlog is its
 * validated input) and what it holds in flight anyway: two transactions, the lake-writer two commits.
 */
export function hopInputs(
  watched: readonly Watched[],
  pipeline: TestPipeline,
  env: Record<string, string>,
  perUpload: number,
) {
  const t = pipeline.topics
  const unit = (name: string) =>
    name === 'lake-writer' ? Number(env.COMMIT_MAX_ROWS ?? 100_000) : Number(env.BATCH_MAX_RECORDS ?? 5000)
  return Object.fromEntries(
    watched.map((w) => [
      w.service.name,
      {
        inputs: w.inputs
          .filter((topic) => topic !== t.aggregates && topic !== t.errors)
          .map((topic) => ({
            label: lagLabel(w.service.name, topic, pipeline.prefix),
            samplesPerRecord: topic === t.raw ? perUpload : 1,
          })),
        busyBacklog: 2 * unit(w.service.name),
      },
    ]),
  )
}
