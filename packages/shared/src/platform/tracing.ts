import { type Context, context, propagation, type Span, SpanKind, trace } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'

/** Kafka headers as the loop carries them. */
export type HeaderCarrier = Map<string, Buffer | string>

let provider: TracerProvider | undefined

/**
 * Installs the tracer provider and the W3C trace-context propagator. Spans are exported over OTLP/HTTP
 * only when OTEL_EXPORTER_OTLP_ENDPOINT is set; without it they still get ids, so the context keeps
 * flowing through Kafka headers and downstream services can join the trace.
 */
export function setupTracing(
  service: string,
  env: Record<string, string | undefined>,
  extra: SpanProcessor[] = [],
): TracerProvider {
  const processors: SpanProcessor[] = [...extra]
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT)
    processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter() }))
  provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? service }),
    spanProcessors: processors,
  })
  trace.setGlobalTracerProvider(provider)
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  return provider
}

export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown()
}

const getter = {
  keys: (carrier: HeaderCarrier) => [...carrier.keys()],
  get: (carrier: HeaderCarrier, key: string) => {
    const v = carrier.get(key)
    return v === undefined ? undefined : v.toString()
  },
}
const setter = { set: (carrier: HeaderCarrier, key: string, value: string) => void carrier.set(key, value) }

/** The trace context a record's headers carry (the upstream service's span), or the root context. */
export function contextFromHeaders(headers: HeaderCarrier | undefined): Context {
  return headers ? propagation.extract(context.active(), headers, getter) : context.active()
}

/** Writes `traceparent`/`tracestate` of the span into outgoing headers. */
export function injectSpan(span: Span, headers: HeaderCarrier): HeaderCarrier {
  propagation.inject(trace.setSpan(context.active(), span), headers, setter)
  return headers
}

/** Starts the span of one transaction, as a child of the first input record's upstream context. */
export function startBatchSpan(service: string, name: string, parent: Context): Span {
  return trace.getTracer(service).startSpan(name, { kind: SpanKind.CONSUMER }, parent)
}

const TRACE_HEADERS = ['traceparent', 'tracestate'] as const

/**
 * The trace headers of an input record, for its outputs: the trace id travels unchanged, so one trace
 * follows a batch from the phone's upload through every hop, without a span per sample.
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
