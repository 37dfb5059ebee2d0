import {
  type Context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  trace,
} from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { samplerFromEnv } from './sampler.ts'
import { TRACE_HEADERS } from './trace-tally.ts'

let provider: TracerProvider | undefined

/**
 * Installs the tracer provider and the W3C trace-context propagator. Spans are exported over OTLP/HTTP
 * only when OTEL_EXPORTER_OTLP_ENDPOINT is set; without it they still get ids, so the context keeps
 * flowing through Kafka headers and downstream services can join the trace. The sampler follows
 * OTEL_TRACES_SAMPLER(_ARG) (default parent-based: an unsampled upload records no span anywhere);
 * OTEL_BSP_SCHEDULE_DELAY sets the export interval (default 5000 ms). Bad values were refused at
 * start-up already (`tracingProblems`).
 */
export function setupTracing(
  service: string,
  env: Record<string, string | undefined>,
  extra: SpanProcessor[] = [],
): TracerProvider {
  const processors: SpanProcessor[] = [...extra]
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY)
    const scheduledDelayMillis = Number.isFinite(delay) && delay > 0 ? delay : undefined
    processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), scheduledDelayMillis }))
  }
  const sampled = samplerFromEnv(env)
  provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || service }),
    spanProcessors: processors,
    ...('sampler' in sampled ? { sampler: sampled.sampler } : {}),
  })
  trace.setGlobalTracerProvider(provider)
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  return provider
}

/** Ends the provider: exports the spans still queued. */
export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown()
}

const w3c = new W3CTraceContextPropagator()
const valueGetter = {
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
  get: (carrier: Record<string, string>, key: string) => carrier[key],
}

/** The span context a `traceparent` (and `tracestate`) names; undefined when malformed. */
export function spanContextOf(traceparent: string, tracestate?: string): SpanContext | undefined {
  const carrier: Record<string, string> = { traceparent }
  if (tracestate !== undefined) carrier.tracestate = tracestate
  const parent = trace.getSpanContext(w3c.extract(ROOT_CONTEXT, carrier, valueGetter))
  return parent !== undefined && isSpanContextValid(parent) ? parent : undefined
}

/** `context` with the remote span `parent` as the parent of spans started in it. */
export function contextOf(parent: SpanContext): Context {
  return trace.setSpanContext(ROOT_CONTEXT, parent)
}

/** The `traceparent` and `tracestate` headers naming `span` (as the parent of downstream spans). */
export function traceHeadersOf(span: Span): Map<string, Buffer> {
  const { traceId, spanId, traceFlags, traceState } = span.spanContext()
  const flags = (traceFlags & 0xff).toString(16).padStart(2, '0')
  const headers = new Map([['traceparent', Buffer.from(`00-${traceId}-${spanId}-${flags}`, 'latin1')]])
  const state = traceState?.serialize()
  if (state) headers.set('tracestate', Buffer.from(state, 'latin1'))
  return headers
}

/**
 * The trace headers of an input record, for the outputs made from it. The hop's tracing
 * (`HopTracing`) then replaces them by the hop's own span for that input's context, so the next hop's
 * span is a child of this one's; without it the trace id still travels unchanged.
 */
export function forwardTrace(headers: ReadonlyMap<string, Buffer>): ReadonlyMap<string, Buffer> | undefined {
  let out: Map<string, Buffer> | undefined
  for (const name of TRACE_HEADERS) {
    const value = headers.get(name)
    if (value === undefined) continue
    out ??= new Map()
    out.set(name, value)
  }
  return out
}
