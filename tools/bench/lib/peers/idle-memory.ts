/**
 * Resident memory of each service with nothing to do: all four started on empty topics, read once
 * they have their partitions and have settled (a first lag refresh has run, and the idle release of
 * the heap start-up grew, IDLE_MEMORY_RELEASE after start, 30 s by default).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { localTarget } from '@healthstream/lake-writer/testing'
import type { TestPipeline } from '@healthstream/testkit/stack'
import { waitAssigned } from '../e2e-run.ts'
import { rssNowMiB } from '../memory.ts'

const SERVICES = ['ingest', 'validator', 'aggregator', 'lake-writer'] as const

export async function idleMemory(
  pipeline: TestPipeline,
  serviceEnv: Readonly<Record<string, string>>,
  settleMs = 40_000,
): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'hs-bench-idle-'))
  const lake = localTarget(dir)
  const services = SERVICES.map((name) =>
    pipeline.service(name, { ...serviceEnv, ...(name === 'lake-writer' ? lake.env : {}) }),
  )
  try {
    for (const s of services) await s.start()
    await waitAssigned(services, AbortSignal.timeout(90_000))
    await sleep(settleMs)
    return rssNowMiB(services)
  } finally {
    for (const s of services) await s.stop().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
}
