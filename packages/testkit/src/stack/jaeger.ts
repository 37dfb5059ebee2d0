/**
 * The stack's Jaeger as tests see it: its OTLP endpoint for the services, and traces read back from
 * its query API (`GET /api/traces`, the JSON the Jaeger UI reads).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { endpoint } from './endpoints.ts'

/** A reference between spans: CHILD_OF the parent, FOLLOWS_FROM for each OTLP link. */
export interface JaegerReference {
  readonly refType: 'CHILD_OF' | 'FOLLOWS_FROM'
  readonly traceID: string
  readonly spanID: string
}

/** One span as the query API returns it (tags flattened to `attributes`). */
export interface JaegerSpan {
  readonly traceID: string
  readonly spanID: string
  readonly operationName: string
  readonly service: string
  readonly references: readonly JaegerReference[]
  readonly attributes: Readonly<Record<string, unknown>>
}

interface RawTrace {
  traceID: string
  spans: {
    traceID: string
    spanID: string
    operationName: string
    processID: string
    references?: JaegerReference[]
    tags?: { key: string; value: unknown }[]
  }[]
  processes: Record<string, { serviceName: string }>
}

/** What the services export to: `OTEL_EXPORTER_OTLP_ENDPOINT` for the stack's Jaeger. */
export const jaegerOtlpUrl = (): string => endpoint('JAEGER_OTLP_URL')

/** Every span of every trace that holds a span of `service` (within the last hour). */
export async function jaegerSpans(service: string, limit = 10_000): Promise<JaegerSpan[]> {
  const url = new URL('/api/traces', endpoint('JAEGER_QUERY_URL'))
  url.search = new URLSearchParams({ service, limit: String(limit), lookback: '1h' }).toString()
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) })
  if (!response.ok) throw new Error(`jaeger: ${url} answered ${response.status}: ${await response.text()}`)
  const { data } = (await response.json()) as { data: RawTrace[] | null }
  const spans: JaegerSpan[] = []
  for (const trace of data ?? []) {
    for (const s of trace.spans) {
      spans.push({
        traceID: s.traceID,
        spanID: s.spanID,
        operationName: s.operationName,
        service: trace.processes[s.processID]?.serviceName ?? '',
        references: s.references ?? [],
        attributes: Object.fromEntries((s.tags ?? []).map((t) => [t.key, t.value])),
      })
    }
  }
  return spans
}

/**
 * Polls `jaegerSpans(service)` until `done` holds for what it returns (spans arrive after the
 * exporters' batch delay); returns the last answer either way, so the caller's asserts say what is off.
 */
export async function waitForSpans(
  service: string,
  done: (spans: readonly JaegerSpan[]) => boolean,
  timeoutMs = 20_000,
): Promise<JaegerSpan[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const spans = await jaegerSpans(service)
    if (done(spans) || Date.now() >= deadline) return spans
    await sleep(250)
  }
}
